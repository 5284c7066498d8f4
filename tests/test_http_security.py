"""HTTP security defaults, checked on the ASGI app: bearer token, Host/Origin, body size, health, access log."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from ashby_mcp.backends import create_backend
from ashby_mcp.http.app import build_http_app, credential_status
from ashby_mcp.http.drain import Drain
from ashby_mcp.http.options import HTTPOptions
from ashby_mcp.server import create_server
from tests.http_support import TOKEN, bearer
from tests.support import make_settings

pytestmark = pytest.mark.anyio

BASE_URL = "http://127.0.0.1:8000"
ACCEPT = "application/json, text/event-stream"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}},
}
CANARY = "canary-header-value-7f3a"


@asynccontextmanager
async def http_client(
    transport: str = "streamable-http", drain: Drain | None = None, settings: Any = None, **options: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """Yield an httpx client wired to a freshly built app whose lifespan is running."""
    settings = settings or make_settings(demo=True)
    ashby = create_server(settings, create_backend(settings))
    options.setdefault("http_token", TOKEN)
    app: Starlette = build_http_app(ashby, settings, HTTPOptions(transport=transport, **options), drain or Drain())
    try:
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as client:
                yield client
    finally:
        await ashby.aclose()


async def post_initialize(client: httpx.AsyncClient, **headers: str) -> httpx.Response:
    return await client.post(
        "/mcp", json=INITIALIZE, headers={"Accept": ACCEPT, "Content-Type": "application/json", **headers}
    )


async def test_valid_token_is_accepted() -> None:
    async with http_client() as client:
        response = await post_initialize(client, **bearer())

    assert response.status_code == 200
    assert '"serverInfo"' in response.text


async def test_bearer_scheme_is_case_insensitive() -> None:
    async with http_client() as client:
        response = await post_initialize(client, Authorization=f"bearer {TOKEN}")

    assert response.status_code == 200


async def test_missing_token_gets_401() -> None:
    async with http_client() as client:
        response = await post_initialize(client)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="ashby-mcp"'
    assert response.json()["error"] == "unauthorized"


@pytest.mark.parametrize(
    "authorization",
    [
        f"Bearer {TOKEN[:-1]}x",
        f"Bearer {TOKEN}extra",
        "Bearer short",
        f"Basic {TOKEN}",
        "Bearer",
        TOKEN,
    ],
    ids=["last-char", "suffix", "short", "basic-scheme", "no-credentials", "no-scheme"],
)
async def test_wrong_token_gets_401(authorization: str) -> None:
    async with http_client() as client:
        response = await post_initialize(client, Authorization=authorization)

    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="ashby-mcp"')
    assert 'error="invalid_token"' in challenge
    assert TOKEN not in response.text


async def test_sse_endpoints_require_token() -> None:
    async with http_client("sse") as client:
        stream = await client.get("/sse")
        message = await client.post("/messages/?session_id=" + "0" * 32, json={}, headers=bearer("wrong"))

    assert stream.status_code == 401
    assert message.status_code == 401
    assert "www-authenticate" in stream.headers
    assert "www-authenticate" in message.headers


async def test_no_token_configured_lets_loopback_clients_in() -> None:
    async with http_client(http_token=None) as client:
        response = await post_initialize(client)

    assert response.status_code == 200


async def test_forbidden_origin_gets_403() -> None:
    async with http_client() as client:
        response = await post_initialize(client, Origin="https://evil.example", **bearer())

    assert response.status_code == 403


async def test_forbidden_host_gets_421() -> None:
    async with http_client() as client:
        response = await post_initialize(client, Host="evil.example", **bearer())

    assert response.status_code == 421


async def test_loopback_origin_is_allowed() -> None:
    async with http_client() as client:
        response = await post_initialize(client, Origin="http://localhost:5173", **bearer())

    assert response.status_code == 200


async def test_allowlists_can_be_extended() -> None:
    async with http_client(allowed_hosts=["mcp.example.com"], allowed_origins=["https://agents.example.com"]) as client:
        response = await post_initialize(
            client, Host="mcp.example.com", Origin="https://agents.example.com", **bearer()
        )

    assert response.status_code == 200


async def test_protection_stays_on_when_binding_every_interface() -> None:
    # The SDK turns DNS-rebinding protection off for a non-loopback host unless
    # it is given settings; this server always gives them.
    async with http_client(host="0.0.0.0") as client:
        response = await post_initialize(client, Host="evil.example", **bearer())

    assert response.status_code == 421


async def test_sse_stream_checks_host_and_origin() -> None:
    async with http_client("sse") as client:
        bad_host = await client.get("/sse", headers={"Host": "evil.example", **bearer()})
        bad_origin = await client.get("/sse", headers={"Origin": "https://evil.example", **bearer()})

    assert bad_host.status_code == 421
    assert bad_origin.status_code == 403


async def test_sse_messages_check_host_and_origin() -> None:
    url = "/messages/?session_id=" + "0" * 32
    headers = {"Content-Type": "application/json", **bearer()}
    async with http_client("sse") as client:
        bad_host = await client.post(url, json={}, headers={**headers, "Host": "evil.example"})
        bad_origin = await client.post(url, json={}, headers={**headers, "Origin": "https://evil.example"})

    assert bad_host.status_code == 421
    assert bad_origin.status_code == 403


async def test_oversized_body_gets_413() -> None:
    body = json.dumps({**INITIALIZE, "padding": "x" * 5000})
    async with http_client(max_request_bytes=4096) as client:
        response = await client.post(
            "/mcp", content=body, headers={"Accept": ACCEPT, "Content-Type": "application/json", **bearer()}
        )

    assert response.status_code == 413


async def test_oversized_chunked_body_gets_413() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"x" * 1024

    async with http_client(max_request_bytes=4096) as client:
        response = await client.post(
            "/mcp", content=chunks(), headers={"Accept": ACCEPT, "Content-Type": "application/json", **bearer()}
        )

    assert "content-length" not in response.request.headers
    assert response.status_code == 413


async def test_oversized_sse_message_gets_413() -> None:
    async with http_client("sse", max_request_bytes=4096) as client:
        response = await client.post(
            "/messages/?session_id=" + "0" * 32,
            content=b"x" * 5000,
            headers={"Content-Type": "application/json", **bearer()},
        )

    assert response.status_code == 413


async def test_body_within_limit_is_accepted() -> None:
    async with http_client(max_request_bytes=4096) as client:
        response = await post_initialize(client, **bearer())

    assert response.status_code == 200


@pytest.mark.parametrize("transport", ["sse", "streamable-http"])
async def test_healthz_needs_no_token_or_host(transport: str) -> None:
    async with http_client(transport) as client:
        response = await client.get("/healthz", headers={"Host": "10.0.0.7:8000"})

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_reports_demo_credentials() -> None:
    async with http_client() as client:
        response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "credentials": "demo"}


async def test_readyz_hides_configured_credentials() -> None:
    secret = "airbyte-secret-value-9c1d"
    settings = make_settings(client_id="client-id-1", client_secret=secret, connector_id="connector-1")
    async with http_client(settings=settings) as client:
        response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "credentials": "configured"}
    assert secret not in response.text
    assert "client-id-1" not in response.text


async def test_health_checks_fail_while_draining() -> None:
    drain = Drain()
    async with http_client(drain=drain) as client:
        drain.begin()
        health = await client.get("/healthz")
        ready = await client.get("/readyz")

    assert health.status_code == 503
    assert ready.status_code == 503
    assert ready.json()["status"] == "draining"


async def test_access_log_has_one_line_per_request(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="ashby_mcp.http.access")
    async with http_client() as client:
        await post_initialize(client, **bearer(), **{"X-Canary": CANARY})
        await post_initialize(client, Authorization="Bearer wrong-token-value")
        await client.get("/healthz?probe=1")

    lines = [record.getMessage() for record in caplog.records if record.name == "ashby_mcp.http.access"]
    assert len(lines) == 3
    assert lines[0].startswith("POST /mcp 200 ")
    assert lines[0].endswith("ms 127.0.0.1:123")
    assert lines[1].startswith("POST /mcp 401 ")
    assert lines[1].endswith("(invalid bearer token)")
    assert lines[2].startswith("GET /healthz 200 ")
    for line in lines:
        assert TOKEN not in line
        assert "wrong-token-value" not in line
        assert CANARY not in line
        assert "probe=1" not in line


async def test_access_log_escapes_encoded_newlines(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="ashby_mcp.http.access")
    async with http_client() as client:
        await client.get("/healthz%0Afake-line")

    lines = [record.getMessage() for record in caplog.records if record.name == "ashby_mcp.http.access"]
    assert lines == [lines[0]]
    assert "\n" not in lines[0]
    assert "/healthz%0Afake-line 404" in lines[0]


async def test_token_absent_from_debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with http_client() as client:
        response = await post_initialize(client, **bearer())
        await post_initialize(client, Authorization=f"Bearer {TOKEN[::-1]}")

    assert response.status_code == 200
    assert caplog.records
    for record in caplog.records:
        text = record.getMessage()
        assert TOKEN not in text
        assert TOKEN[::-1] not in text


def test_credential_status_reports_missing() -> None:
    assert credential_status(make_settings()) == "missing"
    assert credential_status(make_settings(access_token="token-1", connector_id="connector-1")) == "configured"
    assert credential_status(make_settings(demo=True)) == "demo"
