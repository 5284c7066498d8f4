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
