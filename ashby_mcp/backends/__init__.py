"""Upstream backends and the factory that picks one from the settings."""

from __future__ import annotations

from ashby_mcp.backends.base import Backend, Page
from ashby_mcp.config import Settings

DEMO_API_URL = "http://sandbox.ashby-mcp.invalid"


def demo_settings(settings: Settings) -> Settings:
    """Return settings that point the real execute client at the built-in sandbox."""
    from pydantic import SecretStr

    from ashby_mcp.sandbox import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_CONNECTOR_ID

    return settings.model_copy(
        update={
            "demo": True,
            "client_id": DEMO_CLIENT_ID,
            "client_secret": SecretStr(DEMO_CLIENT_SECRET),
            "access_token": None,
            "connector_id": DEMO_CONNECTOR_ID,
            "workspace_name": None,
            "organization_id": None,
            "api_url": DEMO_API_URL,
        }
    )


def create_backend(settings: Settings) -> Backend:
    """Return the execute backend, served in-process by the sandbox when `settings.demo` is set."""
    from ashby_mcp.backends.airbyte import AirbyteExecuteBackend

    if not settings.demo:
        settings.check_credentials()
        return AirbyteExecuteBackend(settings)

    import httpx

    from ashby_mcp.sandbox import SandboxConfig, create_app

    transport = httpx.ASGITransport(app=create_app(SandboxConfig()))
    return AirbyteExecuteBackend(demo_settings(settings), transport=transport)


__all__ = ["Backend", "Page", "create_backend", "demo_settings"]
