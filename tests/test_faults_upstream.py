"""The execute client against hostile upstream bodies: deep nesting, echoed secrets, long waits."""

from __future__ import annotations

import logging

import anyio
import pytest
from pytest_httpx import HTTPXMock

from ashby_mcp.backends.retry import RetryPolicy
from ashby_mcp.errors import (
    CredentialsError,
    NotFoundError,
    RateLimitedError,
    UpstreamError,
    UpstreamProtocolError,
    UpstreamRequestError,
)
from tests.test_upstream_client import EXECUTE_URL, SECRET, TOKEN, TOKEN_URL, _backend, _token

pytestmark = pytest.mark.anyio


def nested(depth: int) -> bytes:
    return b"[" * depth + b"1" + b"]" * depth


@pytest.mark.parametrize("content", [nested(100_000), b'{"status":"success","result":' + nested(5000) + b"}"])
async def test_deeply_nested_body_is_unreadable(httpx_mock: HTTPXMock, content: bytes) -> None:
    # json.loads raised RecursionError, which escaped the client as an internal error.
    _token(httpx_mock)
    httpx_mock.add_response(url=EXECUTE_URL, content=content, is_reusable=True)
    backend = _backend()
    with pytest.raises(UpstreamProtocolError, match="unreadable body"):
        await backend.list("candidates", {"limit": 5})
    await backend.aclose()


async def test_deeply_nested_error_detail_is_reported(httpx_mock: HTTPXMock) -> None:
    _token(httpx_mock)
    detail = b'{"a":' * 900 + b"1" + b"}" * 900
    httpx_mock.add_response(url=EXECUTE_URL, status_code=400, content=b'{"detail":' + detail + b"}")
    backend = _backend()
    with pytest.raises(UpstreamRequestError, match="HTTP 400"):
        await backend.list("candidates", {"limit": 5})
    await backend.aclose()


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (400, {"detail": f"bad token {TOKEN} for client secret {SECRET}"}, UpstreamRequestError),
        (403, {"message": f"Bearer {TOKEN} is not allowed"}, CredentialsError),
        (500, f"<html>token={TOKEN}</html>", UpstreamError),
        (200, {"status": f"failed:{TOKEN}", "result": None, "message": SECRET}, UpstreamRequestError),
        (
            200,
            {"status": "success", "result": {"success": False, "errorInfo": {"code": "x", "message": TOKEN}}},
            UpstreamRequestError,
        ),
    ],
)
async def test_echoed_secrets_are_redacted(
    httpx_mock: HTTPXMock, caplog: pytest.LogCaptureFixture, status: int, body: object, error: type
) -> None:
    caplog.set_level(logging.DEBUG)
    _token(httpx_mock)
    if isinstance(body, str):
        httpx_mock.add_response(url=EXECUTE_URL, status_code=status, text=body, is_reusable=True)
    else:
        httpx_mock.add_response(url=EXECUTE_URL, status_code=status, json=body, is_reusable=True)
    backend = _backend()
    with pytest.raises(error) as caught:
        await backend.list("candidates", {"limit": 5})
    await backend.aclose()
    message = str(caught.value)
    assert "[redacted]" in message
    for secret in (TOKEN, SECRET):
        assert secret not in message
        assert secret not in caplog.text


async def test_echoed_secret_in_warning_is_redacted(httpx_mock: HTTPXMock, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    _token(httpx_mock)
    httpx_mock.add_response(
        url=EXECUTE_URL, json={"status": "success", "result": [], "warning": f"slow request for {TOKEN}"}
    )
    backend = _backend()
    await backend.list("candidates", {"limit": 5})
    await backend.aclose()
    assert "slow request for [redacted]" in caplog.text
    assert TOKEN not in caplog.text


async def test_secret_cut_by_the_length_cap_is_redacted(httpx_mock: HTTPXMock) -> None:
    # The cap once cut the text first, so a secret across the cut left its first part behind.
    _token(httpx_mock)
    httpx_mock.add_response(url=EXECUTE_URL, status_code=400, json={"detail": "x" * 280 + SECRET})
    backend = _backend()
    with pytest.raises(UpstreamRequestError) as caught:
        await backend.list("candidates", {"limit": 5})
    await backend.aclose()
    assert SECRET[:8] not in str(caught.value)


async def test_last_attempt_names_the_retry_after(httpx_mock: HTTPXMock) -> None:
    _token(httpx_mock)
    httpx_mock.add_response(url=EXECUTE_URL, status_code=429, headers={"Retry-After": "120"})
    backend = _backend()
    backend.policy = RetryPolicy(max_attempts=1, base_delay=0.01, max_retry_after=2, deadline=10)
    with pytest.raises(RateLimitedError, match="Wait 120 s, then retry"):
        await backend.list("candidates", {"limit": 5})
    await backend.aclose()


@pytest.mark.parametrize(
    ("result", "error", "next_step"),
    [
        ({"success": False, "errors": ["candidate_not_found"]}, NotFoundError, "Check the id"),
        ({"success": False, "errors": ["missing_endpoint_permission"]}, CredentialsError, "Ask an Ashby admin"),
        ({"success": False, "errorInfo": {"code": "invalid_input"}}, UpstreamRequestError, "Check the arguments"),
    ],
)
async def test_ashby_failure_says_what_to_do(
    httpx_mock: HTTPXMock, result: dict, error: type, next_step: str
) -> None:
    _token(httpx_mock)
    httpx_mock.add_response(url=EXECUTE_URL, json={"status": "success", "result": result})
    backend = _backend()
    with pytest.raises(error, match=next_step):
        await backend.get("candidates", {"id": "c1"})
    await backend.aclose()


async def test_failed_refresh_is_shared_by_waiters(httpx_mock: HTTPXMock) -> None:
    # Each waiter used to run its own refresh after the one before it failed:
    # 20 callers and 3 attempts each made 60 token requests, one after another.
    httpx_mock.add_response(url=TOKEN_URL, status_code=500, json={"detail": "down"}, is_reusable=True)
    backend = _backend()
    errors: list[Exception] = []

    async def call() -> None:
        try:
            await backend.get("candidates", {"id": "c1"})
        except CredentialsError as exc:
            errors.append(exc)

    async with anyio.create_task_group() as tasks:
        for _ in range(20):
            tasks.start_soon(call)
    await backend.aclose()
    assert len(errors) == 20
    assert len(httpx_mock.get_requests(url=TOKEN_URL)) == 3


@pytest.mark.parametrize("expires_in", [0, -5])
async def test_short_lived_token_is_shared_by_waiters(httpx_mock: HTTPXMock, expires_in: int) -> None:
    # A token born expired made each waiter refresh again after the one before it.
    _token(httpx_mock, expires_in=expires_in)  # a second token request finds no response and fails
    httpx_mock.add_response(url=EXECUTE_URL, json={"status": "success", "result": {"id": "c1"}}, is_reusable=True)
    backend = _backend()
    async with anyio.create_task_group() as tasks:
        for _ in range(20):
            tasks.start_soon(backend.get, "candidates", {"id": "c1"})
    await backend.aclose()
    assert len(httpx_mock.get_requests(url=TOKEN_URL)) == 1


@pytest.mark.parametrize(
    ("body", "action"),
    [
        ({"status": "success", "result": [1, 2]}, "list"),
        ({"status": "success", "result": [], "connector_metadata": [1]}, "list"),
        ({"status": "success", "result": [], "connector_metadata": {"cursor": 5}}, "list"),
        ({"status": "success", "result": [], "connector_metadata": {"has_more": "yes", "cursor": "c"}}, "list"),
        ({"status": "success", "result": [], "connector_metadata": {"has_more": True}}, "list"),
        ({"status": "success", "result": ["not a record"]}, "get"),
    ],
)
async def test_unreadable_result_says_what_to_do(httpx_mock: HTTPXMock, body: dict, action: str) -> None:
    _token(httpx_mock)
    httpx_mock.add_response(url=EXECUTE_URL, json=body)
    backend = _backend()
    with pytest.raises(UpstreamProtocolError, match="report it to your Airbyte administrator"):
        if action == "list":
            await backend.list("candidates", {"limit": 5})
        else:
            await backend.get("candidates", {"id": "c1"})
    await backend.aclose()
