"""The SDK's client over both HTTP transports, against the demo sandbox, through a real uvicorn server."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2
import pytest

from ashby_mcp.backends import create_backend
from ashby_mcp.http.app import build_http_app
from ashby_mcp.http.drain import Drain
from ashby_mcp.http.options import HTTPOptions
from ashby_mcp.server import create_server
from tests.http_support import TOKEN, bearer, sdk_client, serving_app, structured
from tests.support import make_settings

pytestmark = pytest.mark.anyio


@asynccontextmanager
async def mcp_server(transport: str, *, stateless: bool = False) -> AsyncIterator[str]:
    """Serve the demo server over `transport` and yield the MCP endpoint URL."""
    settings = make_settings(demo=True)
    ashby = create_server(settings, create_backend(settings))
    options = HTTPOptions(transport=transport, stateless=stateless, http_token=TOKEN)
    try:
        async with serving_app(build_http_app(ashby, settings, options, Drain())) as base_url:
            yield base_url + options.mcp_path
    finally:
        await ashby.aclose()


# mode="legacy" opens a session with the initialize handshake; mode="auto" probes
# server/discover and then sends self-contained 2026-07-28 requests.
CASES = [
    pytest.param("streamable-http", False, "legacy", id="streamable-stateful-handshake"),
    pytest.param("streamable-http", False, "auto", id="streamable-stateful-auto"),
    pytest.param("streamable-http", True, "legacy", id="streamable-stateless-handshake"),
    pytest.param("streamable-http", True, "auto", id="streamable-stateless-auto"),
    pytest.param("sse", False, "legacy", id="sse-handshake"),
    pytest.param("sse", False, "auto", id="sse-auto"),
]


@pytest.mark.parametrize(("transport", "stateless", "mode"), CASES)
async def test_sdk_client_lists_tools_and_candidates(transport: str, stateless: bool, mode: str) -> None:
    async with mcp_server(transport, stateless=stateless) as url:
        async with sdk_client(url, transport, mode=mode) as client:
            tools = await client.list_tools()
            first = structured(await client.call_tool("candidates_list", {"limit": 3}))
            second = structured(await client.call_tool("candidates_list", {"cursor": first["next_cursor"]}))

    names = {tool.name for tool in tools.tools}
    assert "candidates_list" in names
    assert "candidates_get" in names
    assert len(first["records"]) == 3
    assert first["has_more"] is True
    assert second["records"]
    assert {record["id"] for record in first["records"]}.isdisjoint(record["id"] for record in second["records"])


async def test_stateful_handshake_gets_session_id() -> None:
    async with mcp_server("streamable-http") as url:
        async with httpx2.AsyncClient(headers=bearer()) as client:
            response = await client.post(
                url,
                json={
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "initialize",
                    "params": {
                        "protocolVersion": "2025-06-18",
                        "capabilities": {},
                        "clientInfo": {"name": "test", "version": "1"},
                    },
                },
                headers={"Accept": "application/json, text/event-stream"},
            )

    assert response.status_code == 200
    assert response.headers.get("mcp-session-id")


async def test_stateless_handshake_gets_no_session_id() -> None:
    async with mcp_server("streamable-http", stateless=True) as url:
        async with httpx2.AsyncClient(headers=bearer()) as client:
            response = await client.post(
                url,
                json={
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "initialize",
                    "params": {
                        "protocolVersion": "2025-06-18",
                        "capabilities": {},
                        "clientInfo": {"name": "test", "version": "1"},
                    },
                },
                headers={"Accept": "application/json, text/event-stream"},
            )

    assert response.status_code == 200
    assert "mcp-session-id" not in response.headers


@pytest.mark.parametrize("transport", ["sse", "streamable-http"])
async def test_sdk_client_without_token_fails(transport: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="ashby_mcp.http.access")
    async with mcp_server(transport) as url:
        # The streamable-HTTP client reports a 401 only as "Server returned an
        # error response", so the server's access log shows the status.
        with pytest.raises(Exception):  # noqa: B017, PT011
            async with sdk_client(url, transport, token=None, mode="legacy") as client:
                await client.list_tools()

    lines = [record.getMessage() for record in caplog.records if record.name == "ashby_mcp.http.access"]
    assert lines
    assert all(" 401 " in line and line.endswith("(missing bearer token)") for line in lines)
