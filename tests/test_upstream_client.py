"""The execute client: error mapping, retries, token refresh and secret hygiene."""

from __future__ import annotations

import json
import logging
import time

import httpx
import pytest
from pytest_httpx import HTTPXMock

from ashby_mcp.backends.airbyte import AirbyteExecuteBackend
from ashby_mcp.backends.retry import RetryPolicy, parse_retry_after
from ashby_mcp.errors import (
    CredentialsError,
    NotFoundError,
    RateLimitedError,
    UpstreamProtocolError,
    UpstreamRequestError,
    UpstreamUnavailableError,
)
from tests.support import make_settings

API = "https://api.airbyte.test"
CONNECTOR = "11111111-2222-4333-8444-555555555555"
EXECUTE_URL = f"{API}/api/v1/integrations/connectors/{CONNECTOR}/execute"
TOKEN_URL = f"{API}/api/v1/account/applications/token"
SECRET = "s3cr3t-client-secret-value"
TOKEN = "tok-very-secret-bearer"

pytestmark = pytest.mark.anyio

OK_GET = {"status": "success", "result": {"id": "c1", "name": "Ann"}}


def _backend(**overrides: object) -> AirbyteExecuteBackend:
    values = {"client_id": "cid", "client_secret": SECRET, "connector_id": CONNECTOR, "api_url": API}
    values.update(overrides)
    backend = AirbyteExecuteBackend(make_settings(**values))
    # Fast backoff keeps the tests quick; Retry-After still applies in full.
    backend.policy = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02, max_retry_after=2, deadline=10)
    return backend


def _token(httpx_mock: HTTPXMock, value: str = TOKEN, expires_in: float = 900) -> None:
    httpx_mock.add_response(url=TOKEN_URL, json={"access_token": value, "token_type": "bearer", "expires_in": expires_in})


@pytest.mark.parametrize(
    ("status", "body", "error", "words"),
    [
        (400, {"message": "bad params", "errors": [{"field": "limit", "message": "too big"}]}, UpstreamRequestError, "limit: too big"),
        (422, {"detail": "unprocessable"}, UpstreamRequestError, "unprocessable"),
        (400, {"detail": "specify target organization"}, UpstreamRequestError, "AIRBYTE_ORGANIZATION_ID"),
        (403, {"detail": "forbidden"}, CredentialsError, "AIRBYTE_CLIENT_ID"),
        (404, {"detail": "Connector not found"}, NotFoundError, "AIRBYTE_CONNECTOR_ID"),
    ],
)
async def test_status_maps_to_error(httpx_mock: HTTPXMock, status: int, body: dict, error: type, words: str) -> None:
    _token(httpx_mock)
    httpx_mock.add_response(url=EXECUTE_URL, status_code=status, json=body)
    backend = _backend()
    with pytest.raises(error) as caught:
        await backend.get("candidates", {"id": "c1"})
    await backend.aclose()
    assert words in str(caught.value)
    assert len(httpx_mock.get_requests(url=EXECUTE_URL)) == 1  # never retried


async def test_long_upstream_message_is_capped(httpx_mock: HTTPXMock) -> None:
    _token(httpx_mock)
    httpx_mock.add_response(url=EXECUTE_URL, status_code=400, json={"message": "x" * 5000})
    backend = _backend()
    with pytest.raises(UpstreamRequestError) as caught:
        await backend.get("candidates", {"id": "c1"})
    await backend.aclose()
    assert len(str(caught.value)) < 600


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
async def test_transient_status_is_retried(httpx_mock: HTTPXMock, status: int) -> None:
    _token(httpx_mock)
    httpx_mock.add_response(url=EXECUTE_URL, status_code=status, json={"detail": "busy"})
    httpx_mock.add_response(url=EXECUTE_URL, json=OK_GET)
    backend = _backend()
    record = await backend.get("candidates", {"id": "c1"})
    await backend.aclose()
    assert record["id"] == "c1"
    assert len(httpx_mock.get_requests(url=EXECUTE_URL)) == 2


async def test_retries_are_bounded(httpx_mock: HTTPXMock) -> None:
    _token(httpx_mock)
    httpx_mock.add_response(url=EXECUTE_URL, status_code=503, json={"detail": "down"}, is_reusable=True)
    backend = _backend()
    with pytest.raises(UpstreamUnavailableError, match="Gave up after 3 attempts"):
        await backend.get("candidates", {"id": "c1"})
    await backend.aclose()
    assert len(httpx_mock.get_requests(url=EXECUTE_URL)) == 3


async def test_timeouts_and_connection_errors_are_retried(httpx_mock: HTTPXMock) -> None:
    _token(httpx_mock)
    httpx_mock.add_exception(httpx.ReadTimeout("slow"), url=EXECUTE_URL)
    httpx_mock.add_exception(httpx.ConnectError("refused"), url=EXECUTE_URL)
    httpx_mock.add_response(url=EXECUTE_URL, json=OK_GET)
    backend = _backend()
    record = await backend.get("candidates", {"id": "c1"})
    await backend.aclose()
    assert record["name"] == "Ann"


async def test_retry_after_is_honoured(httpx_mock: HTTPXMock) -> None:
    _token(httpx_mock)
    httpx_mock.add_response(url=EXECUTE_URL, status_code=429, headers={"Retry-After": "0.4"})
    httpx_mock.add_response(url=EXECUTE_URL, json=OK_GET)
    backend = _backend()
    started = time.monotonic()
    await backend.get("candidates", {"id": "c1"})
    elapsed = time.monotonic() - started
    await backend.aclose()
    # The backoff alone would wait at most 0.01 s.
    assert elapsed >= 0.4


async def test_retry_after_beyond_cap_fails_fast(httpx_mock: HTTPXMock) -> None:
    _token(httpx_mock)
    httpx_mock.add_response(url=EXECUTE_URL, status_code=429, headers={"Retry-After": "120"})
    backend = _backend()
    started = time.monotonic()
    with pytest.raises(RateLimitedError, match="retry after 120 s") as caught:
        await backend.get("candidates", {"id": "c1"})
    await backend.aclose()
    assert caught.value.retry_after == 120
    assert time.monotonic() - started < 1


def test_retry_after_parses_seconds_and_dates() -> None:
    assert parse_retry_after("3") == 3
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10


async def test_token_is_cached(httpx_mock: HTTPXMock) -> None:
    _token(httpx_mock)
    httpx_mock.add_response(url=EXECUTE_URL, json=OK_GET, is_reusable=True)
    backend = _backend()
    for _ in range(3):
        await backend.get("candidates", {"id": "c1"})
    await backend.aclose()
    assert len(httpx_mock.get_requests(url=TOKEN_URL)) == 1


async def test_token_is_refreshed_after_expiry(httpx_mock: HTTPXMock) -> None:
    _token(httpx_mock, "tok-a", expires_in=1)
    _token(httpx_mock, "tok-b", expires_in=900)
    httpx_mock.add_response(url=EXECUTE_URL, json=OK_GET, is_reusable=True)
    backend = _backend()
    await backend.get("candidates", {"id": "c1"})
    time.sleep(0.6)  # past half of the 1 s lifetime, when a short-lived token is replaced
    await backend.get("candidates", {"id": "c1"})
    await backend.aclose()
    used = [request.headers["Authorization"] for request in httpx_mock.get_requests(url=EXECUTE_URL)]
    assert used == ["Bearer tok-a", "Bearer tok-b"]


async def test_token_is_refreshed_once_after_401(httpx_mock: HTTPXMock) -> None:
    _token(httpx_mock, "tok-a")
    _token(httpx_mock, "tok-b")
    httpx_mock.add_response(url=EXECUTE_URL, status_code=401, json={"detail": "expired"})
    httpx_mock.add_response(url=EXECUTE_URL, json=OK_GET)
    backend = _backend()
    await backend.get("candidates", {"id": "c1"})
    await backend.aclose()
    used = [request.headers["Authorization"] for request in httpx_mock.get_requests(url=EXECUTE_URL)]
    assert used == ["Bearer tok-a", "Bearer tok-b"]


async def test_second_401_is_a_credentials_error(httpx_mock: HTTPXMock) -> None:
    _token(httpx_mock, "tok-a")
    _token(httpx_mock, "tok-b")
    httpx_mock.add_response(url=EXECUTE_URL, status_code=401, json={"detail": "nope"}, is_reusable=True)
    backend = _backend()
    with pytest.raises(CredentialsError, match="AIRBYTE_CLIENT_SECRET"):
        await backend.get("candidates", {"id": "c1"})
    await backend.aclose()
    assert len(httpx_mock.get_requests(url=EXECUTE_URL)) == 2


async def test_static_token_401_names_the_variable(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=EXECUTE_URL, status_code=401, json={"detail": "expired"})
    backend = _backend(client_id=None, client_secret=None, access_token=TOKEN)
    with pytest.raises(CredentialsError, match="AIRBYTE_ACCESS_TOKEN"):
        await backend.get("candidates", {"id": "c1"})
    await backend.aclose()
    assert httpx_mock.get_requests(url=TOKEN_URL) == []


async def test_token_endpoint_500_is_a_credentials_error(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=TOKEN_URL, status_code=500, json={"detail": "boom"}, is_reusable=True)
    backend = _backend()
    with pytest.raises(CredentialsError, match="AIRBYTE_CLIENT_ID"):
        await backend.get("candidates", {"id": "c1"})
    await backend.aclose()


@pytest.mark.parametrize(
    "result",
    [
        {"success": True, "results": {"id": "c1", "name": "Ann"}},
        {"id": "c1", "name": "Ann"},
    ],
)
async def test_get_accepts_both_result_shapes(httpx_mock: HTTPXMock, result: dict) -> None:
    _token(httpx_mock)
    httpx_mock.add_response(url=EXECUTE_URL, json={"status": "success", "result": result})
    backend = _backend()
    record = await backend.get("candidates", {"id": "c1"})
    await backend.aclose()
    assert record == {"id": "c1", "name": "Ann"}


@pytest.mark.parametrize(
    ("result", "error"),
    [
        ({"success": False, "errors": ["application_not_found"], "errorInfo": {"code": "application_not_found"}}, NotFoundError),
        ({"success": False, "errors": ["invalid_input"], "errorInfo": {"code": "invalid_input", "message": "bad"}}, UpstreamRequestError),
        ({"success": False, "errors": ["missing_endpoint_permission"]}, CredentialsError),
    ],
)
async def test_success_false_is_an_error(httpx_mock: HTTPXMock, result: dict, error: type) -> None:
    _token(httpx_mock)
    httpx_mock.add_response(url=EXECUTE_URL, json={"status": "success", "result": result})
    backend = _backend()
    with pytest.raises(error):
        await backend.get("applications", {"applicationId": "a1"})
    await backend.aclose()


async def test_list_success_false_is_error(httpx_mock: HTTPXMock) -> None:
    _token(httpx_mock)
    failure = {"success": False, "errors": ["invalid_input"], "errorInfo": {"code": "invalid_input", "message": "x"}}
    httpx_mock.add_response(url=EXECUTE_URL, json={"status": "success", "result": failure})
    backend = _backend()
    with pytest.raises(UpstreamRequestError, match="invalid_input"):
        await backend.list("candidates", {"limit": 5})
    await backend.aclose()


@pytest.mark.parametrize(
    "content",
    [b"not json", b'{"status": "success"}', b"[1, 2]", b'{"status": "success", "result": "text"}'],
)
async def test_malformed_body_is_an_error(httpx_mock: HTTPXMock, content: bytes) -> None:
    _token(httpx_mock)
    httpx_mock.add_response(url=EXECUTE_URL, content=content, is_reusable=True)
    backend = _backend()
    with pytest.raises(UpstreamProtocolError):
        await backend.list("candidates", {"limit": 5})
    await backend.aclose()


async def test_no_secret_in_logs_or_errors(httpx_mock: HTTPXMock, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    _token(httpx_mock, TOKEN)
    _token(httpx_mock, TOKEN + "-2")
    httpx_mock.add_response(url=EXECUTE_URL, status_code=401, json={"detail": "expired"})
    httpx_mock.add_response(url=EXECUTE_URL, status_code=503, json={"detail": "down"})
    httpx_mock.add_response(url=EXECUTE_URL, status_code=403, json={"detail": "denied"})
    backend = _backend()
    messages = []
    with pytest.raises(CredentialsError) as caught:
        await backend.get("candidates", {"id": "c1"})
    messages.append(str(caught.value))
    await backend.aclose()

    logged = "\n".join(record.getMessage() for record in caplog.records) + "\n" + caplog.text
    assert caplog.records, "expected the retry to be logged"
    for secret in (SECRET, TOKEN, TOKEN + "-2"):
        assert secret not in logged
        assert all(secret not in message for message in messages)
    assert SECRET not in repr(backend._settings)


async def test_execute_body_is_json(httpx_mock: HTTPXMock) -> None:
    _token(httpx_mock)
    httpx_mock.add_response(url=EXECUTE_URL, json=OK_GET)
    backend = _backend()
    await backend.get("candidates", {"id": "c1"})
    await backend.aclose()
    body = json.loads(httpx_mock.get_requests(url=EXECUTE_URL)[0].content)
    assert body == {"entity": "candidates", "action": "get", "params": {"id": "c1"}}
