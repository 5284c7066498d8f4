"""Helpers shared by the tests: paths, settings and in-process servers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ashby_mcp.config import Settings

REPO_ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DIR = REPO_ROOT.parent / "shared" / "reference"


def make_settings(**overrides: Any) -> Settings:
    """Settings that ignore the developer's environment except what the test passes."""
    values: dict[str, Any] = {
        "client_id": None,
        "client_secret": None,
        "access_token": None,
        "organization_id": None,
        "connector_id": None,
        "workspace_name": None,
        "api_url": "https://api.airbyte.test",
        "tools": "",
        "tool_prefix": "",
    }
    values.update(overrides)
    return Settings(**values)


def sandbox_server(sandbox_config: Any = None, **overrides: Any) -> Any:
    """Build the MCP server over the execute client, served by the sandbox in-process."""
    import httpx

    from ashby_mcp.backends import demo_settings
    from ashby_mcp.backends.airbyte import AirbyteExecuteBackend
    from ashby_mcp.sandbox import SandboxConfig, create_app
    from ashby_mcp.server import create_server

    settings = demo_settings(make_settings(**overrides))
    transport = httpx.ASGITransport(app=create_app(sandbox_config or SandboxConfig()))
    return create_server(settings, AirbyteExecuteBackend(settings, transport=transport))
