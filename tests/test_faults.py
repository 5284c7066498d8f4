"""The fault suite: every sandbox fault through the real execute client and an MCP session.

Each scenario serves the sandbox on a loopback socket (socket faults such as reset
and truncated need one), queues faults through its control endpoint, and makes one
tool call. The call must end within the call deadline, in either the right records
or an is_error result that names what failed and the next step. The call after it,
with the faults cleared, must return the right records.
"""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client

from ashby_mcp.backends.airbyte import TOKEN_PATH, AirbyteExecuteBackend
from ashby_mcp.backends.auth import Token
from ashby_mcp.backends.retry import RetryPolicy
from ashby_mcp.sandbox import DEMO_CONNECTOR_ID, Dataset, Fault, SandboxConfig, serving
from ashby_mcp.sandbox.server import _uvicorn_server
from ashby_mcp.server import AshbyServer, create_server
from tests.support import make_settings

pytestmark = pytest.mark.anyio

CLIENT_ID = "fault-suite-client"
CLIENT_SECRET = "fault-suite-secret-5f0c1e"
EXECUTE_PATH = f"/api/v1/integrations/connectors/{DEMO_CONNECTOR_ID}/execute"
CONTROL_PATH = "/_sandbox/faults"

CALL_DEADLINE = 3.0
FAULT_SETTINGS: dict[str, Any] = {
    "call_deadline": CALL_DEADLINE,
    "read_timeout": 0.5,
    "max_attempts": 4,
    "max_retry_after": 1.0,
    "max_body_bytes": 1_000_000,
}
SANDBOX = SandboxConfig(
    client_id=CLIENT_ID, client_secret=CLIENT_SECRET, candidates=60, users=30, enable_control=True
)


@dataclass
class RecordedRequest:
    path: str
    authorization: str
    started: float
    ended: float | None = None
    disconnected: bool = False


class RequestRecorder:
    """ASGI middleware that records each request's path, bearer header, start, end and disconnect."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.requests: list[RecordedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0

    def count(self, path: str) -> int:
        return sum(1 for request in self.requests if request.path == path)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        entry = RecordedRequest(scope["path"], headers.get(b"authorization", b"").decode(), time.monotonic())
        self.requests.append(entry)

        async def watched_receive() -> Any:
            message = await receive()
            if message["type"] == "http.disconnect":
                entry.disconnected = True
            return message

        counted = scope["path"] == EXECUTE_PATH
        if counted:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await self.app(scope, watched_receive, send)
        finally:
            entry.ended = time.monotonic()
            if counted:
                self.in_flight -= 1


@dataclass
class Sandbox:
    url: str
    recorder: RequestRecorder
    control: httpx.AsyncClient
    dataset: Dataset

    async def queue(self, **fault: Any) -> None:
        response = await self.control.post(CONTROL_PATH, json=fault)
        assert response.status_code == 200, response.text

    async def clear(self) -> None:
        response = await self.control.delete(CONTROL_PATH)
        assert response.status_code == 200, response.text


@asynccontextmanager
async def recorded_sandbox(config: SandboxConfig = SANDBOX, log_level: str = "warning") -> AsyncIterator[Sandbox]:
    """Serve the sandbox on a free loopback port, with every request recorded."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as serving() does
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = _uvicorn_server(config, "127.0.0.1", port, log_level)
    recorder = RequestRecorder(server.config.app)
    server.config.app = recorder
    url = f"http://127.0.0.1:{port}"
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(server.serve, [sock])
        while not server.started:
            await anyio.sleep(0.01)
        try:
            async with httpx.AsyncClient(base_url=url) as control:
                yield Sandbox(url, recorder, control, Dataset(config))
        finally:
            server.should_exit = True
    sock.close()


def fault_server(url: str, **overrides: Any) -> AshbyServer:
    """Build the MCP server over the execute client with fast backoff and tight limits."""
    values = {
        **FAULT_SETTINGS,
        "api_url": url,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "connector_id": DEMO_CONNECTOR_ID,
        **overrides,
    }
    settings = make_settings(**values)
    backend = AirbyteExecuteBackend(settings)
    # Fast backoff keeps the suite quick; Retry-After and the deadline still apply in full.
    backend.policy = RetryPolicy(
        max_attempts=settings.max_attempts,
        base_delay=0.01,
        max_delay=0.05,
        max_retry_after=settings.max_retry_after,
        deadline=settings.call_deadline,
    )
    return create_server(settings, backend)


def expected_ids(sandbox: Sandbox, entity: str, count: int) -> list[str]:
    return list(sandbox.dataset.ids(entity))[:count]


def check_right_records(sandbox: Sandbox, tool: str, arguments: dict[str, Any], result: Any) -> None:
    """Assert a successful result contains exactly the records the sandbox has for this call."""
    assert not result.is_error, result.content[0].text
    if tool == "users_list":
        ids = [record["id"] for record in result.structured_content["records"]]
        assert ids == expected_ids(sandbox, "users", arguments["limit"])
        assert result.structured_content["has_more"] is True
    else:
        record = sandbox.dataset.find("users", arguments["userId"])
        assert record is not None
        assert result.structured_content["id"] == record["id"]
        assert result.structured_content["email"] == record["email"]


@dataclass(frozen=True)
class Scenario:
    """One fault run: the faults queued, the call, and what the result must contain."""

    name: str
    faults: tuple[dict[str, Any], ...]
    error_words: tuple[str, ...] = ()
    """Words the error must contain; empty when the call must succeed."""
    min_seconds: float = 0.0
    max_seconds: float = CALL_DEADLINE + 0.5
    settings: dict[str, Any] = field(default_factory=dict)
    actions: tuple[str, ...] = ("list", "get")


SCENARIOS = [
    Scenario("latency", ({"fault": "latency", "ms": 300},), min_seconds=0.3),
    Scenario(
        "latency_every_attempt",
        ({"fault": "latency", "ms": 2000, "count": None},),
        ("timed out", "Gave up after", "try again later"),
        settings={"read_timeout": 0.2},
    ),
    Scenario(
        "latency_past_deadline",
        ({"fault": "latency", "ms": 10_000, "count": None},),
        ("timed out", "within 1 s", "Try again later"),
        settings={"call_deadline": 1.0, "read_timeout": 5.0},
        min_seconds=0.9,
        max_seconds=1.5,
        actions=("list",),
    ),
    Scenario("429_burst", ({"fault": "429", "count": 2},)),
    Scenario("429_persistent", ({"fault": "429", "count": None},), ("rate limiting", "Wait a minute, then retry")),
    Scenario("429_retry_after_honoured", ({"fault": "429", "retry_after": 1},), min_seconds=1.0, actions=("list",)),
    Scenario(
        "429_retry_after_too_long",
        ({"fault": "429", "retry_after": 5},),
        ("asked to retry after 5 s", "ASHBY_MCP_MAX_RETRY_AFTER", "Retry after 5 s"),
        max_seconds=0.5,
    ),
    Scenario(
        "429_retry_after_past_deadline",
        ({"fault": "429", "retry_after": 1, "count": None},),
        ("rate limiting", "Wait 1 s, then retry"),
        settings={"call_deadline": 1.5},
        max_seconds=2.0,
        actions=("list",),
    ),
    Scenario("500_burst", ({"fault": "500", "count": 3},)),
    Scenario("502_burst", ({"fault": "502", "count": 3},)),
    Scenario("503_burst", ({"fault": "503", "count": 3},)),
    Scenario("504_burst", ({"fault": "504", "count": 3},)),
    Scenario("5xx_mixed_burst", ({"fault": "500"}, {"fault": "502"}, {"fault": "504"})),
    Scenario("503_persistent", ({"fault": "503", "count": None},), ("HTTP 503", "Gave up after 4 attempts", "try again later")),
    Scenario("reset", ({"fault": "reset", "count": 2},)),
    Scenario("reset_persistent", ({"fault": "reset", "count": None},), ("connection failed", "try again later")),
    Scenario("timeout", ({"fault": "timeout", "ms": 60_000},), min_seconds=0.5, actions=("list",)),
    Scenario("truncated", ({"fault": "truncated", "count": 2},)),
    Scenario("truncated_persistent", ({"fault": "truncated", "count": None},), ("connection failed", "try again later")),
    Scenario("malformed_json", ({"fault": "malformed_json", "count": 2},)),
    Scenario(
        "malformed_json_persistent",
        ({"fault": "malformed_json", "count": None},),
        ("unreadable body", "try again later"),
    ),
    Scenario("wrong_content_type", ({"fault": "wrong_content_type", "count": 2},)),
    Scenario(
        "wrong_content_type_persistent",
        ({"fault": "wrong_content_type", "count": None},),
        ("unreadable body", "try again later"),
    ),
    Scenario("huge_body_under_cap", ({"fault": "huge_body", "megabytes": 0.5},)),
    Scenario(
        "huge_body_over_cap",
        ({"fault": "huge_body", "megabytes": 2},),
        ("exceeded 1000000 bytes", "ASHBY_MCP_MAX_BODY_BYTES", "fewer fields with fields"),
    ),
    Scenario("empty_page_has_more", ({"fault": "empty_page_has_more", "count": 3},), actions=("list",)),
    Scenario("repeat_cursor_on_first_page", ({"fault": "repeat_cursor"},), actions=("list",)),
    Scenario(
        "success_false_permission",
        ({"fault": "success_false"},),
        ("lacks permission for users", "Ask an Ashby admin"),
    ),
    Scenario(
        "success_false_not_found",
        ({"fault": "success_false", "code": "user_not_found"},),
        ("no users record with that id", "Check the id"),
        actions=("get",),
    ),
    Scenario(
        "success_false_other",
        ({"fault": "success_false", "code": "invalid_input"},),
        ("Ashby rejected the users request", "Check the arguments"),
    ),
    Scenario("token_500", ({"fault": "token_500", "count": 2},)),
    Scenario(
        "token_500_persistent",
        ({"fault": "token_500", "count": None},),
        ("token endpoint failed", "AIRBYTE_CLIENT_ID and AIRBYTE_CLIENT_SECRET"),
    ),
]
RUNS = [(scenario, action) for scenario in SCENARIOS for action in scenario.actions]


@dataclass
class Outcome:
    """What one scenario run produced, for checks here and the secret scan."""

    result: Any
    elapsed: float
    next_result: Any
    texts: list[str]


async def run_scenario(sandbox: Sandbox, scenario: Scenario, action: str) -> Outcome:
    """Queue the scenario's faults, make one call, then clear the faults and call again."""
    app = fault_server(sandbox.url, **scenario.settings)
    first_id = expected_ids(sandbox, "users", 1)[0]
    tool, arguments = ("users_list", {"limit": 5}) if action == "list" else ("users_get", {"userId": first_id})
    try:
        async with Client(app.server) as client:
            for fault in scenario.faults:
                await sandbox.queue(**fault)
            started = time.monotonic()
            result = await client.call_tool(tool, arguments)
            elapsed = time.monotonic() - started
            await sandbox.clear()
            next_result = await client.call_tool(tool, arguments)
    finally:
        await sandbox.clear()
        await app.aclose()
    texts = [block.text for block in (*result.content, *next_result.content)]
    return Outcome(result, elapsed, next_result, texts)


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def shared_sandbox() -> AsyncIterator[Sandbox]:
    """One sandbox for the scenario runs; each run clears the faults it queued."""
    async with recorded_sandbox() as sandbox:
        yield sandbox


@pytest.mark.parametrize(("scenario", "action"), RUNS, ids=[f"{s.name}-{a}" for s, a in RUNS])
async def test_fault_ends_in_right_records_or_clear_error(
    shared_sandbox: Sandbox, scenario: Scenario, action: str
) -> None:
    sandbox = shared_sandbox
    outcome = await run_scenario(sandbox, scenario, action)
    tool = f"users_{action}"
    arguments = {"limit": 5} if action == "list" else {"userId": expected_ids(sandbox, "users", 1)[0]}
    text = outcome.result.content[0].text

    assert scenario.min_seconds <= outcome.elapsed <= scenario.max_seconds, outcome.elapsed
    if scenario.error_words:
        assert outcome.result.is_error, text
        for words in scenario.error_words:
            assert words in text
        assert "internal error" not in text
    else:
        check_right_records(sandbox, tool, arguments, outcome.result)
    check_right_records(sandbox, tool, arguments, outcome.next_result)


async def test_repeat_cursor_later_page_errors() -> None:
    async with recorded_sandbox() as sandbox:
        app = fault_server(sandbox.url)
        async with Client(app.server) as client:
            first = await client.call_tool("users_list", {"limit": 5})
            cursor = first.structured_content["next_cursor"]
            await sandbox.queue(fault="repeat_cursor")
            repeated = await client.call_tool("users_list", {"cursor": cursor, "limit": 5})
            retried = await client.call_tool("users_list", {"cursor": cursor, "limit": 5})
        await app.aclose()
    assert repeated.is_error
    assert "same users cursor" in repeated.content[0].text
    assert "Try again later" in repeated.content[0].text
    ids = [record["id"] for record in (*first.structured_content["records"], *retried.structured_content["records"])]
    assert ids == expected_ids(sandbox, "users", 10)


async def test_repeat_cursor_on_first_page_repeats_nothing() -> None:
    async with recorded_sandbox() as sandbox:
        app = fault_server(sandbox.url)
        async with Client(app.server) as client:
            await sandbox.queue(fault="repeat_cursor")
            first = await client.call_tool("users_list", {"limit": 5})
            second = await client.call_tool("users_list", {"cursor": first.structured_content["next_cursor"], "limit": 5})
        await app.aclose()
    ids = [record["id"] for record in (*first.structured_content["records"], *second.structured_content["records"])]
    assert ids == expected_ids(sandbox, "users", 10)


async def test_endless_empty_pages_keep_the_cursor() -> None:
    # After five empty pages in one call the result is empty with has_more set and a
    # cursor. Once the upstream recovers, that cursor loses nothing.
    async with recorded_sandbox() as sandbox:
        app = fault_server(sandbox.url)
        async with Client(app.server) as client:
            await sandbox.queue(fault="empty_page_has_more", count=None)
            empty = await client.call_tool("users_list", {"limit": 5})
            await sandbox.clear()
            resumed = await client.call_tool("users_list", {"cursor": empty.structured_content["next_cursor"], "limit": 5})
        await app.aclose()
    assert not empty.is_error
    assert empty.structured_content["records"] == []
    assert empty.structured_content["has_more"] is True
    assert [record["id"] for record in resumed.structured_content["records"]] == expected_ids(sandbox, "users", 5)


MIX = (
    Fault("latency", ms=30, every=3),
    Fault("500", every=4),
    Fault("empty_page_has_more", every=5),
    Fault("repeat_cursor", every=6),
    Fault("reset", every=7),
    Fault("429", every=9),
    Fault("truncated", every=11),
    Fault("malformed_json", every=13),
    Fault("503", every=17),
    Fault("wrong_content_type", every=19),
)


async def test_paging_through_fault_mix_returns_every_record_once() -> None:
    config = SandboxConfig(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, candidates=150, faults=MIX)
    async with recorded_sandbox(config) as sandbox:
        # Whole records under a small budget cut most pages, so resumes meet the faults too.
        app = fault_server(sandbox.url, max_result_bytes=4000, call_deadline=10.0, list_view="full")
        ids: list[str] = []
        errors: list[str] = []
        async with Client(app.server) as client:
            arguments: dict[str, Any] = {"limit": 9}
            for _ in range(400):
                started = time.monotonic()
                result = await client.call_tool("candidates_list", arguments)
                assert time.monotonic() - started <= 10.5
                if result.is_error:
                    # A model retries the same call after an error whose message is to try again.
                    errors.append(result.content[0].text)
                    assert "again" in result.content[0].text
                    continue
                ids.extend(record["id"] for record in result.structured_content["records"])
                cursor = result.structured_content["next_cursor"]
                if cursor is None:
                    break
                arguments = {"cursor": cursor, "limit": 9}
        await app.aclose()
    assert ids == list(sandbox.dataset.ids("candidates"))
    # 150 records at 9 a page take 17 pages; more requests than that are retries.
    assert sandbox.recorder.count(EXECUTE_PATH) > 20
    assert len(errors) < 40


async def test_cancelled_call_stops_its_upstream_request() -> None:
    async with recorded_sandbox() as sandbox:
        app = fault_server(sandbox.url, read_timeout=10.0, call_deadline=10.0)
        async with Client(app.server) as client:
            await client.call_tool("users_list", {"limit": 1})
            await sandbox.queue(fault="latency", ms=5000)
            started = time.monotonic()
            with anyio.move_on_after(0.3):
                await client.call_tool("users_list", {"limit": 5})
            await anyio.sleep(0.5)
            slow = sandbox.recorder.requests[-1]
            assert slow.path == EXECUTE_PATH
            assert slow.disconnected
            assert slow.ended is not None
            assert slow.ended - started < 1.0
            after = await client.call_tool("users_list", {"limit": 5})
        await app.aclose()
    check_right_records(sandbox, "users_list", {"limit": 5}, after)


async def test_closing_client_stops_upstream_request() -> None:
    async with recorded_sandbox() as sandbox:
        app = fault_server(sandbox.url, read_timeout=10.0, call_deadline=10.0)
        await sandbox.queue(fault="latency", ms=5000)
        started = time.monotonic()
        with anyio.move_on_after(0.3):
            async with Client(app.server) as client:
                await client.call_tool("users_list", {"limit": 5})
        await anyio.sleep(0.5)
        await app.aclose()
        execute = [request for request in sandbox.recorder.requests if request.path == EXECUTE_PATH]
    assert len(execute) == 1
    assert execute[0].ended is not None
    assert execute[0].ended - started < 1.0


@pytest.mark.parametrize("bound", [2, 5])
async def test_concurrent_upstream_requests_are_bounded(bound: int) -> None:
    async with recorded_sandbox() as sandbox:
        app = fault_server(sandbox.url, max_concurrency=bound, call_deadline=10.0, read_timeout=5.0)
        async with Client(app.server) as client:
            await client.call_tool("users_list", {"limit": 1})  # fetch the token first
            await sandbox.queue(fault="latency", ms=200, count=None)
            async with anyio.create_task_group() as tasks:
                for _ in range(10):
                    tasks.start_soon(client.call_tool, "users_list", {"limit": 1})
        await app.aclose()
    assert sandbox.recorder.max_in_flight == bound


async def test_expired_token_is_refreshed_once_for_concurrent_calls() -> None:
    config = SandboxConfig(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, token_ttl_seconds=1, enable_control=True)
    async with recorded_sandbox(config) as sandbox:
        app = fault_server(sandbox.url)
        async with Client(app.server) as client:
            await client.call_tool("users_list", {"limit": 1})
            await anyio.sleep(0.6)  # the client replaces a token after half its lifetime
            before = sandbox.recorder.count(TOKEN_PATH)
            results = []

            async def call() -> None:
                results.append(await client.call_tool("users_list", {"limit": 1}))

            async with anyio.create_task_group() as tasks:
                for _ in range(20):
                    tasks.start_soon(call)
        await app.aclose()
    assert sandbox.recorder.count(TOKEN_PATH) - before == 1
    assert all(not result.is_error for result in results)


async def test_revoked_token_is_refreshed_once_for_concurrent_calls() -> None:
    async with recorded_sandbox() as sandbox:
        app = fault_server(sandbox.url)
        async with Client(app.server) as client:
            await client.call_tool("users_list", {"limit": 1})
            # A token the client still trusts but the sandbox does not know: every call gets 401.
            app.backend.tokens._token = Token("revoked-token", float("inf"))  # type: ignore[attr-defined]
            before = sandbox.recorder.count(TOKEN_PATH)
            results = []

            async def call() -> None:
                results.append(await client.call_tool("users_list", {"limit": 1}))

            async with anyio.create_task_group() as tasks:
                for _ in range(20):
                    tasks.start_soon(call)
        await app.aclose()
    assert sandbox.recorder.count(TOKEN_PATH) - before == 1
    assert all(not result.is_error for result in results)


async def test_token_endpoint_down_one_refresh() -> None:
    async with recorded_sandbox() as sandbox:
        app = fault_server(sandbox.url)
        await sandbox.queue(fault="token_500", count=None)
        async with Client(app.server) as client:
            results = []

            async def call() -> None:
                results.append(await client.call_tool("users_list", {"limit": 1}))

            started = time.monotonic()
            async with anyio.create_task_group() as tasks:
                for _ in range(20):
                    tasks.start_soon(call)
            elapsed = time.monotonic() - started
        await app.aclose()
    assert sandbox.recorder.count(TOKEN_PATH) == FAULT_SETTINGS["max_attempts"]
    assert all(result.is_error for result in results)
    assert all("AIRBYTE_CLIENT_SECRET" in result.content[0].text for result in results)
    assert elapsed < CALL_DEADLINE


async def test_serving_answers_kept_alive_requests_at_once() -> None:
    # Without TCP_NODELAY each response after the first on a connection took about 40 ms.
    async with serving(SandboxConfig(enable_control=True)) as url, httpx.AsyncClient(base_url=url) as client:
        await client.get(CONTROL_PATH)
        started = time.monotonic()
        for _ in range(10):
            response = await client.get(CONTROL_PATH)
            assert response.status_code == 200
        elapsed = time.monotonic() - started
    assert elapsed < 0.2
