"""stdio hygiene: through faults, warnings and stray output, stdout carries only JSON-RPC messages.

The server runs as a subprocess (`python -m ashby_mcp serve`) against a socket
sandbox, logging at DEBUG. A sitecustomize module makes every tool call print to
sys.stdout, write to file descriptor 1 and raise a Python warning, as a careless
dependency might. The test drives the session with raw JSON-RPC lines, including
malformed ones, and checks every byte the server wrote to stdout.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
import pytest
from anyio.abc import Process

from ashby_mcp.sandbox import DEMO_CONNECTOR_ID
from tests.support import REPO_ROOT
from tests.test_faults import CLIENT_ID, CLIENT_SECRET, Sandbox, recorded_sandbox
from tests.test_secrets import bearer_tokens

pytestmark = pytest.mark.anyio

PROTOCOL_VERSION = "2025-06-18"
NOISY_SITECUSTOMIZE = '''
import os
import warnings

warnings.warn("stdio hygiene test: a warning at interpreter start", UserWarning)

from ashby_mcp import tools

_call = tools.ToolRunner.call


async def noisy_call(self, name, arguments):
    print("stray print from a tool call")
    os.write(1, b"stray bytes written to fd 1\\n")
    warnings.warn(f"stdio hygiene test: a warning during {name}", UserWarning)
    return await _call(self, name, arguments)


tools.ToolRunner.call = noisy_call
'''


def server_env(url: str, site_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AIRBYTE_", "ASHBY_MCP_"))}
    env.update(
        {
            "PYTHONPATH": f"{site_dir}{os.pathsep}{REPO_ROOT}",
            "PYTHONWARNINGS": "always",
            "AIRBYTE_API_URL": url,
            "AIRBYTE_CLIENT_ID": CLIENT_ID,
            "AIRBYTE_CLIENT_SECRET": CLIENT_SECRET,
            "AIRBYTE_CONNECTOR_ID": DEMO_CONNECTOR_ID,
            "ASHBY_MCP_LOG_LEVEL": "DEBUG",
            "ASHBY_MCP_READ_TIMEOUT": "0.5",
            "ASHBY_MCP_CALL_DEADLINE": "5",
            "ASHBY_MCP_MAX_ATTEMPTS": "3",
            "ASHBY_MCP_MAX_RETRY_AFTER": "1",
            "ASHBY_MCP_MAX_BODY_BYTES": "1000000",
        }
    )
    return env


class RawSession:
    """Writes JSON-RPC lines to the server's stdin and keeps every byte of its stdout."""

    def __init__(self, process: Process) -> None:
        self.process = process
        self.stdout = bytearray()
        self.stderr = bytearray()
        self.next_id = 1

    async def read_stdout(self) -> None:
        assert self.process.stdout is not None
        async for chunk in self.process.stdout:
            self.stdout.extend(chunk)

    async def read_stderr(self) -> None:
        assert self.process.stderr is not None
        async for chunk in self.process.stderr:
            self.stderr.extend(chunk)

    async def send_line(self, line: bytes) -> None:
        assert self.process.stdin is not None
        await self.process.stdin.send(line + b"\n")

    async def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        await self.send_line(json.dumps(message).encode())

    async def send_request(self, method: str, params: dict[str, Any]) -> int:
        request_id = self.next_id
        self.next_id += 1
        await self.send_line(json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}).encode())
        return request_id

    def response(self, request_id: int) -> dict[str, Any] | None:
        for line in bytes(self.stdout).split(b"\n"):
            if line.strip():
                message = json.loads(line)
                if message.get("id") == request_id:
                    return message
        return None

    async def request(self, method: str, params: dict[str, Any], timeout: float = 15) -> dict[str, Any]:
        request_id = await self.send_request(method, params)
        with anyio.fail_after(timeout):
            while (message := self.response(request_id)) is None:
                await anyio.sleep(0.02)
        return message

    async def call(self, name: str, arguments: Any) -> dict[str, Any]:
        return await self.request("tools/call", {"name": name, "arguments": arguments})


async def drive_session(session: RawSession, sandbox: Sandbox) -> list[dict[str, Any]]:
    """Run the session through faults and malformed input; return the tool call responses."""
    initialize = await session.request(
        "initialize",
        {"protocolVersion": PROTOCOL_VERSION, "capabilities": {}, "clientInfo": {"name": "hygiene", "version": "1"}},
    )
    assert "result" in initialize, initialize
    await session.notify("notifications/initialized")
    listing = await session.request("tools/list", {})
    assert len(listing["result"]["tools"]) == 19

    responses = []
    user_id = next(iter(sandbox.dataset.ids("users")))
    await sandbox.queue(fault="token_500")
    faults: list[dict[str, Any]] = [
        {"fault": "latency", "ms": 200},
        {"fault": "429"},
        {"fault": "429", "retry_after": 30},
        {"fault": "503", "count": 2},
        {"fault": "500", "count": None},
        {"fault": "reset"},
        {"fault": "timeout", "ms": 2000},
        {"fault": "truncated"},
        {"fault": "malformed_json"},
        {"fault": "wrong_content_type"},
        {"fault": "huge_body", "megabytes": 2},
        {"fault": "empty_page_has_more"},
        {"fault": "repeat_cursor"},
        {"fault": "success_false"},
    ]
    for fault in faults:
        await sandbox.queue(**fault)
        responses.append(await session.call("users_list", {"limit": 3}))
        await sandbox.clear()
        responses.append(await session.call("users_get", {"userId": user_id}))

    # Malformed and hostile input: the server may respond to or drop each line, but stdout must stay clean.
    for line in (b"not json", b"[]", b"{}", b'{"jsonrpc":"2.0"}', b'{"jsonrpc":"2.0","id":"x","method":7}', "é\u2028".encode()):
        await session.send_line(line)
    responses.append(await session.call("users_list", [1]))
    responses.append(await session.call("no_such_tool", {}))
    responses.append(await session.call("users_list", {"limit": "many", "x" * 100_000: 1}))
    responses.append(await session.call("users_list", {"cursor": "a1.forged.cursor"}))
    responses.append(await session.call("users_get", {"userId": "00000000-0000-4000-8000-000000000000"}))
    responses.append(await session.request("no/such/method", {}))

    # A call cancelled mid-request, then a normal call.
    await sandbox.queue(fault="latency", ms=3000)
    cancelled_id = await session.send_request("tools/call", {"name": "users_list", "arguments": {"limit": 3}})
    await anyio.sleep(0.3)
    await session.notify("notifications/cancelled", {"requestId": cancelled_id, "reason": "test"})
    await anyio.sleep(0.3)
    await sandbox.clear()
    responses.append(await session.call("users_list", {"limit": 3}))
    return responses


def check_jsonrpc_stream(stdout: bytes) -> list[dict[str, Any]]:
    """Assert stdout is a sequence of newline-terminated JSON-RPC messages and return them."""
    assert stdout.endswith(b"\n")
    messages = []
    for line in stdout[:-1].split(b"\n"):
        types.jsonrpc_message_adapter.validate_json(line, by_name=False)
        message = json.loads(line)
        assert message["jsonrpc"] == "2.0"
        if "method" in message:
            assert isinstance(message["method"], str)
        else:
            assert "id" in message
            assert ("result" in message) != ("error" in message)
        messages.append(message)
    return messages


async def test_stdout_carries_only_jsonrpc(tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text(NOISY_SITECUSTOMIZE)
    async with recorded_sandbox() as sandbox:
        process = await anyio.open_process(
            [sys.executable, "-m", "ashby_mcp", "serve"], env=server_env(sandbox.url, tmp_path), cwd=str(REPO_ROOT)
        )
        session = RawSession(process)
        async with process, anyio.create_task_group() as tasks:
            tasks.start_soon(session.read_stdout)
            tasks.start_soon(session.read_stderr)
            responses = await drive_session(session, sandbox)
            assert process.stdin is not None
            await process.stdin.aclose()
            with anyio.fail_after(10):
                returncode = await process.wait()
        tokens = bearer_tokens(sandbox)

    messages = check_jsonrpc_stream(bytes(session.stdout))
    stderr = session.stderr.decode("utf-8", "replace")
    assert returncode == 0, stderr[-2000:]
    assert len(messages) >= len(responses) + 2
    assert all("result" in response or "error" in response for response in responses)
    successes = [response for response in responses if response.get("result", {}).get("isError") is False]
    tool_errors = [response for response in responses if response.get("result", {}).get("isError") is True]
    protocol_errors = [response for response in responses if "error" in response]
    assert len(successes) >= 20
    assert len(tool_errors) >= 7
    # Arguments that are not an object, an unknown tool and an unknown method.
    assert [response["error"]["code"] for response in protocol_errors] == [-32602, -32602, -32601]
    assert responses[-1]["result"]["isError"] is False  # the server responds normally after everything

    # The stray output reached stderr, so the test exercised the diversion.
    assert "stray print from a tool call" in stderr
    assert "stray bytes written to fd 1" in stderr
    assert "a warning during users_list" in stderr
    assert "DEBUG" in stderr
    for secret in (CLIENT_SECRET, *tokens):
        assert secret not in stderr
        assert secret not in session.stdout.decode("utf-8", "replace")
