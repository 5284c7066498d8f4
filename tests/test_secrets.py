"""Secret hygiene: the fault suite at DEBUG logging leaks no token, client secret or key."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from mcp import Client

from ashby_mcp.backends.auth import Token
from ashby_mcp.sandbox import SandboxConfig
from tests.test_faults import (
    CLIENT_SECRET,
    MIX,
    RUNS,
    Sandbox,
    fault_server,
    recorded_sandbox,
    run_scenario,
)

pytestmark = pytest.mark.anyio

CURSOR_SECRET = "cursor-signing-secret-9d41"
STATIC_TOKEN = "static-access-token-77ab3c"


def bearer_tokens(sandbox: Sandbox) -> set[str]:
    """Return every bearer token the sandbox received."""
    tokens = set()
    for request in sandbox.recorder.requests:
        scheme, _, token = request.authorization.partition(" ")
        if scheme == "Bearer" and token:
            tokens.add(token)
    return tokens


async def drive_fault_suite(sandbox: Sandbox, texts: list[str]) -> None:
    """Run every fault scenario, a 401 refresh and a paging run; collect every result text."""
    for scenario, action in RUNS:
        outcome = await run_scenario(sandbox, scenario, action)
        texts.extend(outcome.texts)
        texts.append(repr(outcome.result.structured_content))

    app = fault_server(sandbox.url, cursor_secret=CURSOR_SECRET)
    async with Client(app.server) as client:
        first = await client.call_tool("users_list", {"limit": 3})
        app.backend.tokens._token = Token("revoked-token", float("inf"))  # type: ignore[attr-defined]
        second = await client.call_tool("users_list", {"cursor": first.structured_content["next_cursor"]})
        texts.extend(block.text for result in (first, second) for block in result.content)
    await app.aclose()


async def test_fault_suite_at_debug_leaks_no_secret(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    async with recorded_sandbox(log_level="debug") as sandbox:
        await drive_fault_suite(sandbox, texts)
        tokens = bearer_tokens(sandbox)
    captured = capfd.readouterr()

    assert len(tokens) > 10, "expected the scenarios to fetch many tokens"
    assert len(caplog.records) > 100, "expected DEBUG logging from the client, httpx and the SDK"
    outputs = {
        "log records": "\n".join(record.getMessage() for record in caplog.records),
        "formatted log": caplog.text,
        "stdout": captured.out,
        "stderr": captured.err,
        "tool results": "\n".join(texts),
    }
    for secret in (CLIENT_SECRET, CURSOR_SECRET, *tokens):
        for name, output in outputs.items():
            assert secret not in output, f"a secret appeared in the {name}"


async def test_static_token_under_faults_leaks_nowhere(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    config = SandboxConfig(static_tokens=frozenset({STATIC_TOKEN}), enable_control=True, faults=MIX)
    texts: list[str] = []
    async with recorded_sandbox(config, log_level="debug") as sandbox:
        app = fault_server(sandbox.url, client_id=None, client_secret=None, access_token=STATIC_TOKEN)
        async with Client(app.server) as client:
            arguments: dict[str, Any] = {"limit": 20}
            for _ in range(40):
                result = await client.call_tool("candidates_list", arguments)
                texts.extend(block.text for block in result.content)
                cursor = (result.structured_content or {}).get("next_cursor")
                arguments = {"cursor": cursor} if cursor else {"limit": 20}
            app.backend.tokens._token = Token("revoked-static", float("inf"))  # type: ignore[attr-defined]
            rejected = await client.call_tool("users_list", {"limit": 1})
            texts.extend(block.text for block in rejected.content)
        await app.aclose()
        assert STATIC_TOKEN in bearer_tokens(sandbox)
    captured = capfd.readouterr()

    assert rejected.is_error
    assert "AIRBYTE_ACCESS_TOKEN" in rejected.content[0].text
    for output in (caplog.text, captured.out, captured.err, "\n".join(texts)):
        assert STATIC_TOKEN not in output
