"""Fault injection: each fault as an httpx client sees it, and the control endpoint."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from ashby_mcp.sandbox import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_CONNECTOR_ID,
    FAULT_NAMES,
    Dataset,
    Fault,
    SandboxConfig,
    create_app,
    serving,
)
from ashby_mcp.sandbox.fault_injection import PADDING_FIELD
from ashby_mcp.sandbox.server import build_parser, config_from_args

TOKEN_PATH = "/api/v1/account/applications/token"
EXECUTE_PATH = f"/api/v1/integrations/connectors/{DEMO_CONNECTOR_ID}/execute"
CONTROL_PATH = "/_sandbox/faults"
USERS_PAGE = {"entity": "users", "action": "list", "params": {"limit": 5}}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def make_client(config: SandboxConfig | None = None) -> httpx.AsyncClient:
    app = create_app(config or SandboxConfig(enable_control=True))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox.test")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with make_client() as sandbox_client:
        yield sandbox_client


async def fetch_token(client: httpx.AsyncClient) -> str:
    response = await client.post(TOKEN_PATH, json={"client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


async def execute(client: httpx.AsyncClient, token: str, body: dict = USERS_PAGE, **kwargs) -> httpx.Response:
    return await client.post(EXECUTE_PATH, json=body, headers={"Authorization": f"Bearer {token}"}, **kwargs)


async def queue(client: httpx.AsyncClient, **fault: object) -> None:
    response = await client.post(CONTROL_PATH, json=fault)
    assert response.status_code == 200, response.text


# Control endpoint


@pytest.mark.anyio
async def test_control_endpoint_absent_by_default() -> None:
    async with make_client(SandboxConfig()) as client:
        response = await client.post(CONTROL_PATH, json={"fault": "500"})
    assert response.status_code == 404


@pytest.mark.anyio
@pytest.mark.parametrize(
    "payload",
    [
        {"fault": "explode"},
        {"fault": "500", "count": 0},
        {"fault": "500", "count": "2"},
        {"fault": "500", "colour": "red"},
        {"fault": "500", "entity": "offers"},
        {"fault": "500", "action": "delete"},
        {"fault": "token_500", "entity": "users"},
        {"fault": "latency", "ms": -1},
        {"count": 1},
        [],
    ],
)
async def test_control_rejects_invalid_fault(client: httpx.AsyncClient, payload: object) -> None:
    response = await client.post(CONTROL_PATH, json=payload)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("invalid fault")


@pytest.mark.anyio
async def test_queued_fault_hits_next_n_requests(client: httpx.AsyncClient) -> None:
    token = await fetch_token(client)
    await queue(client, fault="503", count=2)
    statuses = [(await execute(client, token)).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    listing = await client.get(CONTROL_PATH)
    assert listing.json() == {"faults": []}


@pytest.mark.anyio
async def test_queued_faults_apply_in_order(client: httpx.AsyncClient) -> None:
    token = await fetch_token(client)
    await queue(client, fault="502")
    await queue(client, fault="504")
    statuses = [(await execute(client, token)).status_code for _ in range(3)]
    assert statuses == [502, 504, 200]


@pytest.mark.anyio
async def test_delete_clears_queued_faults(client: httpx.AsyncClient) -> None:
    token = await fetch_token(client)
    await queue(client, fault="500", count=5)
    pending = (await client.get(CONTROL_PATH)).json()["faults"]
    assert pending[0]["remaining"] == 5
    cleared = await client.delete(CONTROL_PATH)
    assert cleared.json() == {"cleared": 1}
    assert (await execute(client, token)).status_code == 200


@pytest.mark.anyio
async def test_fault_filters_by_entity_and_action(client: httpx.AsyncClient) -> None:
    token = await fetch_token(client)
    await queue(client, fault="500", entity="jobs", action="list")
    users = await execute(client, token)
    jobs_get = await execute(client, token, {"entity": "jobs", "action": "get", "params": {"id": "x"}})
    jobs_list = await execute(client, token, {"entity": "jobs", "action": "list"})
    assert users.status_code == 200
    assert jobs_get.status_code == 200
    assert jobs_list.status_code == 500


@pytest.mark.anyio
async def test_fault_spares_rejected_requests(client: httpx.AsyncClient) -> None:
    token = await fetch_token(client)
    await queue(client, fault="500")
    unauthenticated = await client.post(EXECUTE_PATH, json=USERS_PAGE)
    invalid = await execute(client, token, {"entity": "users", "action": "list", "params": {"limit": 0}})
    valid = await execute(client, token)
    assert unauthenticated.status_code == 401
    assert invalid.status_code == 400
    assert valid.status_code == 500


@pytest.mark.anyio
async def test_configured_fault_hits_every_nth_request() -> None:
    config = SandboxConfig(faults=(Fault("500", every=2, count=2),))
    async with make_client(config) as client:
        token = await fetch_token(client)
        statuses = [(await execute(client, token)).status_code for _ in range(6)]
    assert statuses == [200, 500, 200, 500, 200, 200]


@pytest.mark.anyio
async def test_queued_fault_precedes_configured() -> None:
    config = SandboxConfig(faults=(Fault("502"),), enable_control=True)
    async with make_client(config) as client:
        token = await fetch_token(client)
        await queue(client, fault="429")
        statuses = [(await execute(client, token)).status_code for _ in range(3)]
    assert statuses == [429, 502, 502]


# Faults that replace the response


@pytest.mark.anyio
async def test_latency_fault_delays_response(client: httpx.AsyncClient) -> None:
    token = await fetch_token(client)
    await queue(client, fault="latency", ms=300)
    started = time.perf_counter()
    response = await execute(client, token)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert elapsed >= 0.3


@pytest.mark.anyio
async def test_429_sends_retry_after(client: httpx.AsyncClient) -> None:
    token = await fetch_token(client)
    await queue(client, fault="429", retry_after=2)
    await queue(client, fault="429")
    with_header = await execute(client, token)
    without_header = await execute(client, token)
    assert with_header.status_code == 429
    assert with_header.headers["Retry-After"] == "2"
    assert isinstance(with_header.json()["detail"], str)
    assert without_header.status_code == 429
    assert "Retry-After" not in without_header.headers


@pytest.mark.anyio
@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_server_error_faults_send_detail(client: httpx.AsyncClient, status: int) -> None:
    token = await fetch_token(client)
    await queue(client, fault=str(status))
    response = await execute(client, token)
    assert response.status_code == status
    assert isinstance(response.json()["detail"], str)


@pytest.mark.anyio
async def test_timeout_fault_ends_with_504(client: httpx.AsyncClient) -> None:
    token = await fetch_token(client)
    await queue(client, fault="timeout", ms=200)
    started = time.perf_counter()
    response = await execute(client, token)
    assert time.perf_counter() - started >= 0.2
    assert response.status_code == 504


@pytest.mark.anyio
async def test_reset_raises_read_error_in_process(client: httpx.AsyncClient) -> None:
    token = await fetch_token(client)
    await queue(client, fault="reset")
    with pytest.raises(httpx.ReadError):
        await execute(client, token)
    assert (await execute(client, token)).status_code == 200


@pytest.mark.anyio
async def test_token_500_fails_token_requests_only(client: httpx.AsyncClient) -> None:
    token = await fetch_token(client)
    await queue(client, fault="token_500")
    assert (await execute(client, token)).status_code == 200
    failed = await client.post(TOKEN_PATH, json={"client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET})
    assert failed.status_code == 500
    assert isinstance(failed.json()["detail"], str)
    assert await fetch_token(client)


# Faults that change the body


@pytest.mark.anyio
async def test_truncated_raises_protocol_error_in_process(client: httpx.AsyncClient) -> None:
    token = await fetch_token(client)
    await queue(client, fault="truncated")
    with pytest.raises(httpx.RemoteProtocolError):
        await execute(client, token)


@pytest.mark.anyio
async def test_malformed_json_is_complete_but_invalid(client: httpx.AsyncClient) -> None:
    token = await fetch_token(client)
    await queue(client, fault="malformed_json")
    response = await execute(client, token)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert int(response.headers["content-length"]) == len(response.content)
    with pytest.raises(json.JSONDecodeError):
        response.json()


@pytest.mark.anyio
async def test_wrong_content_type_sends_html(client: httpx.AsyncClient) -> None:
    token = await fetch_token(client)
    await queue(client, fault="wrong_content_type")
    response = await execute(client, token)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.lstrip().startswith("<!DOCTYPE html>")


@pytest.mark.anyio
async def test_huge_body_is_large_valid_json(client: httpx.AsyncClient) -> None:
    token = await fetch_token(client)
    await queue(client, fault="huge_body", megabytes=12)
    response = await execute(client, token)
    assert response.status_code == 200
    assert len(response.content) >= 12 * 1024 * 1024
    body = response.json()
    expected_ids = list(Dataset(SandboxConfig()).ids("users"))[:5]
    assert [record["id"] for record in body["result"]] == expected_ids
    assert all(PADDING_FIELD in record for record in body["result"])
    following = await execute(
        client, token, {"entity": "users", "action": "list", "params": {"cursor": body["connector_metadata"]["cursor"]}}
    )
    assert following.json()["result"][0]["id"] == list(Dataset(SandboxConfig()).ids("users"))[5]


@pytest.mark.anyio
async def test_huge_body_pads_get_record(client: httpx.AsyncClient) -> None:
    token = await fetch_token(client)
    user_id = next(Dataset(SandboxConfig()).ids("users"))
    await queue(client, fault="huge_body", megabytes=1)
    response = await execute(client, token, {"entity": "users", "action": "get", "params": {"userId": user_id}})
    assert len(response.json()["result"][PADDING_FIELD]) == 1024 * 1024


@pytest.mark.anyio
async def test_empty_page_cursor_continues_correctly(client: httpx.AsyncClient) -> None:
    token = await fetch_token(client)
    first = (await execute(client, token)).json()
    sent = first["connector_metadata"]["cursor"]
    await queue(client, fault="empty_page_has_more")
    empty = (await execute(client, token, {"entity": "users", "action": "list", "params": {"limit": 5, "cursor": sent}})).json()
    assert empty["result"] == []
    assert empty["connector_metadata"]["has_more"] is True
    assert empty["connector_metadata"]["cursor"] != sent
    resumed = (await execute(
        client, token, {"entity": "users", "action": "list", "params": {"limit": 5, "cursor": empty["connector_metadata"]["cursor"]}}
    )).json()
    expected_ids = list(Dataset(SandboxConfig()).ids("users"))[5:10]
    assert [record["id"] for record in resumed["result"]] == expected_ids


@pytest.mark.anyio
async def test_paging_survives_empty_pages() -> None:
    config = SandboxConfig(faults=(Fault("empty_page_has_more", every=2),))
    async with make_client(config) as client:
        token = await fetch_token(client)
        ids: list[str] = []
        empty_pages = 0
        params: dict = {"limit": 7}
        for _ in range(100):
            body = (await execute(client, token, {"entity": "users", "action": "list", "params": params})).json()
            ids.extend(record["id"] for record in body["result"])
            empty_pages += not body["result"]
            if not body["connector_metadata"]["has_more"]:
                break
            params = {"limit": 7, "cursor": body["connector_metadata"]["cursor"]}
    assert ids == list(Dataset(SandboxConfig()).ids("users"))
    assert empty_pages >= 3


@pytest.mark.anyio
async def test_repeat_cursor_returns_sent_cursor(client: httpx.AsyncClient) -> None:
    token = await fetch_token(client)
    first = (await execute(client, token)).json()
    sent = first["connector_metadata"]["cursor"]
    body = {"entity": "users", "action": "list", "params": {"limit": 5, "cursor": sent}}
    normal = (await execute(client, token, body)).json()
    await queue(client, fault="repeat_cursor")
    repeated = (await execute(client, token, body)).json()
    assert repeated["connector_metadata"] == {"cursor": sent, "has_more": True}
    assert repeated["result"] == normal["result"]


@pytest.mark.anyio
async def test_repeat_cursor_skips_get_requests(client: httpx.AsyncClient) -> None:
    token = await fetch_token(client)
    user_id = next(Dataset(SandboxConfig()).ids("users"))
    await queue(client, fault="repeat_cursor")
    got = await execute(client, token, {"entity": "users", "action": "get", "params": {"userId": user_id}})
    listed = await execute(client, token)
    assert got.json()["connector_metadata"] == {"cursor": None, "has_more": False}
    assert listed.json()["connector_metadata"]["has_more"] is True


@pytest.mark.anyio
async def test_repeat_cursor_on_first_page_points_back(client: httpx.AsyncClient) -> None:
    token = await fetch_token(client)
    await queue(client, fault="repeat_cursor", count=1)
    first = (await execute(client, token)).json()
    cursor = first["connector_metadata"]["cursor"]
    again = (await execute(client, token, {"entity": "users", "action": "list", "params": {"limit": 5, "cursor": cursor}})).json()
    assert again["result"] == first["result"]


@pytest.mark.anyio
@pytest.mark.parametrize(("code", "expected"), [(None, "missing_endpoint_permission"), ("invalid_input", "invalid_input")])
async def test_success_false_sends_failure_envelope(client: httpx.AsyncClient, code: str | None, expected: str) -> None:
    token = await fetch_token(client)
    fault = {"fault": "success_false"} if code is None else {"fault": "success_false", "code": code}
    await queue(client, **fault)
    response = await execute(client, token)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "success"
    assert body["result"]["success"] is False
    assert body["result"]["errors"] == [expected]
    assert body["result"]["errorInfo"]["code"] == expected
    assert body["connector_metadata"] == {"cursor": None, "has_more": False}


# Fault definitions and command line


def test_fault_parse_reads_options() -> None:
    fault = Fault.parse("429:retry_after=2,every=3,count=4,entity=jobs,action=list")
    assert fault == Fault("429", count=4, every=3, entity="jobs", action="list", retry_after=2)
    assert Fault.parse("latency:ms=250.5").ms == 250.5
    assert Fault.parse("reset") == Fault("reset")


@pytest.mark.parametrize("text", ["explode", "429:retry_after", "429:retry_after=soon", "429:colour=red",
                                  "500:every=0", "500:entity=offers"])
def test_fault_parse_rejects_invalid(text: str) -> None:
    with pytest.raises(ValueError):
        Fault.parse(text)


async def observe(client: httpx.AsyncClient, token: str, endpoint: str) -> tuple:
    """Return what a client can tell about one request: status, type, parse result, paging, slowness."""
    started = time.perf_counter()
    try:
        if endpoint == "token":
            response = await client.post(
                TOKEN_PATH, json={"client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET}
            )
        else:
            response = await execute(client, token)
    except httpx.TransportError as exc:
        return (type(exc).__name__,)
    slow = time.perf_counter() - started >= 0.2
    try:
        body = response.json()
    except json.JSONDecodeError:
        return (response.status_code, response.headers["content-type"], "invalid json", slow)
    if endpoint == "token" or response.status_code != 200:
        return (response.status_code, slow)
    return (
        response.status_code,
        response.headers["content-type"],
        json.dumps(body["result"])[:2000],
        body["connector_metadata"]["has_more"],
        body["connector_metadata"]["cursor"],
        len(response.content) > 4 * 1024 * 1024,
        slow,
    )


@pytest.mark.anyio
@pytest.mark.parametrize("name", FAULT_NAMES)
async def test_each_fault_changes_what_client_sees(client: httpx.AsyncClient, name: str) -> None:
    token = await fetch_token(client)
    endpoint = "token" if name == "token_500" else "execute"
    normal = await observe(client, token, endpoint)
    fault: dict = {"fault": name}
    if name in ("latency", "timeout"):
        fault["ms"] = 250
    await queue(client, **fault)
    faulty = await observe(client, token, endpoint)
    recovered = await observe(client, token, endpoint)
    assert faulty != normal
    assert recovered == normal


def test_command_line_reads_faults() -> None:
    args = build_parser().parse_args(["--fault", "503:every=2", "--fault", "token_500:count=1", "--enable-control"])
    config = config_from_args(args)
    assert config.faults == (Fault("503", every=2), Fault("token_500", count=1))
    assert config.enable_control is True


# Faults over a real socket


async def socket_token(client: httpx.AsyncClient) -> str:
    response = await client.post(TOKEN_PATH, json={"client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET})
    return response.json()["access_token"]


@pytest.mark.anyio
async def test_reset_over_socket_raises_read_error() -> None:
    async with serving(SandboxConfig(enable_control=True)) as base_url:
        async with httpx.AsyncClient(base_url=base_url) as client:
            token = await socket_token(client)
            await queue(client, fault="reset")
            with pytest.raises(httpx.ReadError):
                await execute(client, token)
            after = await execute(client, token)
    assert after.status_code == 200


@pytest.mark.anyio
async def test_truncated_over_socket_raises_protocol_error() -> None:
    async with serving(SandboxConfig(enable_control=True)) as base_url:
        async with httpx.AsyncClient(base_url=base_url) as client:
            token = await socket_token(client)
            await queue(client, fault="truncated")
            with pytest.raises(httpx.RemoteProtocolError, match="incomplete|complete message body"):
                await execute(client, token)
            after = await execute(client, token)
    assert after.status_code == 200


@pytest.mark.anyio
async def test_timeout_over_socket_raises_read_timeout() -> None:
    async with serving(SandboxConfig(enable_control=True)) as base_url:
        async with httpx.AsyncClient(base_url=base_url) as client:
            token = await socket_token(client)
            await queue(client, fault="timeout", ms=5_000)
            started = time.perf_counter()
            with pytest.raises(httpx.ReadTimeout):
                await execute(client, token, timeout=httpx.Timeout(5.0, read=0.3))
            assert time.perf_counter() - started < 3
            after = await execute(client, token)
    assert after.status_code == 200


@pytest.mark.anyio
async def test_huge_body_over_socket() -> None:
    async with serving(SandboxConfig(enable_control=True)) as base_url:
        async with httpx.AsyncClient(base_url=base_url) as client:
            token = await socket_token(client)
            await queue(client, fault="huge_body", megabytes=10)
            response = await execute(client, token)
    assert len(response.content) >= 10 * 1024 * 1024
    assert response.json()["status"] == "success"
