"""`ashby-mcp serve` over HTTP as a process: startup refusal, log hygiene, graceful shutdown, health probe."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import anyio
import httpx2
import pytest

from ashby_mcp.http.healthcheck import listening_sockets, probe_url
from ashby_mcp.sandbox import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_CONNECTOR_ID, SandboxConfig, serving
from tests.http_support import TOKEN, CLIServer, bearer, cli_env, sdk_client, structured

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


def upstream_env(api_url: str, **extra: str) -> dict[str, str]:
    """Environment that points the server at a sandbox served on `api_url`."""
    return cli_env(
        AIRBYTE_API_URL=api_url,
        AIRBYTE_CLIENT_ID=DEMO_CLIENT_ID,
        AIRBYTE_CLIENT_SECRET=DEMO_CLIENT_SECRET,
        AIRBYTE_CONNECTOR_ID=DEMO_CONNECTOR_ID,
        ASHBY_MCP_HTTP_TOKEN=TOKEN,
        **extra,
    )


@pytest.mark.parametrize("transport", ["sse", "streamable-http"])
def test_wildcard_bind_without_token_refuses_to_start(transport: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ashby_mcp", "serve", "--demo", "--transport", transport, "--host", "0.0.0.0"],
        env=cli_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert result.returncode == 2
    assert "Serving on '0.0.0.0' requires authentication" in result.stderr
    assert "ASHBY_MCP_HTTP_TOKEN" in result.stderr
    assert "ASHBY_MCP_ALLOW_UNAUTHENTICATED" in result.stderr
    assert "serving MCP" not in result.stderr


async def test_token_absent_from_debug_log(tmp_path: Path) -> None:
    server = CLIServer(
        ["--demo", "--transport", "streamable-http", "--port", "0", "--log-level", "DEBUG"],
        cli_env(ASHBY_MCP_HTTP_TOKEN=TOKEN),
        tmp_path / "server.log",
    )
    try:
        url = server.wait_serving()
        async with sdk_client(url, "streamable-http", mode="legacy") as client:
            structured(await client.call_tool("candidates_list", {"limit": 2}))
        async with httpx2.AsyncClient() as raw:
            rejected = await raw.post(url, json={}, headers=bearer(TOKEN[::-1]))
        server.terminate()
        exit_code = server.wait(15)
    finally:
        server.stop()

    log = server.log
    assert rejected.status_code == 401
    assert exit_code == 0
    assert "POST /mcp 200 " in log
    assert "POST /mcp 401 " in log
    assert TOKEN not in log
    assert TOKEN[::-1] not in log


SHUTDOWN_CASES = [
    pytest.param(["--transport", "sse"], "sse", "legacy", id="sse-handshake"),
    pytest.param(["--transport", "sse"], "sse", "auto", id="sse-auto"),
    pytest.param(["--transport", "streamable-http"], "streamable-http", "legacy", id="streamable-stateful"),
    pytest.param(
        ["--transport", "streamable-http", "--stateless"], "streamable-http", "auto", id="streamable-stateless"
    ),
]


@pytest.mark.parametrize(("args", "transport", "mode"), SHUTDOWN_CASES)
async def test_sigterm_lets_slow_call_finish(args: list[str], transport: str, mode: str, tmp_path: Path) -> None:
    latency_s = 1.5
    async with serving(SandboxConfig(latency_ms=latency_s * 1000)) as api_url:
        server = CLIServer([*args, "--port", "0"], upstream_env(api_url), tmp_path / "server.log")
        try:
            url = server.wait_serving()
            async with sdk_client(url, transport, mode=mode) as client:
                await client.list_tools()  # the client checks results against the listed output schemas
                async with anyio.create_task_group() as tasks:
                    results: list[dict] = []

                    async def slow_call() -> None:
                        results.append(structured(await client.call_tool("candidates_list", {"limit": 2})))

                    tasks.start_soon(slow_call)
                    await anyio.sleep(latency_s / 3)
                    server.terminate()
                    await anyio.sleep(0.3)
                    with pytest.raises(httpx2.ConnectError):
                        async with httpx2.AsyncClient() as raw:
                            await raw.get(server.base_url + "/healthz")
            finished_call_at = time.monotonic()
            exit_code = await anyio.to_thread.run_sync(server.wait, 15)
            exited_after_s = time.monotonic() - finished_call_at
        finally:
            server.stop()

    assert len(results) == 1
    assert len(results[0]["records"]) == 2
    assert exit_code == 0, server.log
    assert exited_after_s < 3, server.log
    assert "waiting up to 25 s for 1 in-flight request(s)" in server.log
    assert "ashby-mcp stopped" in server.log


async def test_shutdown_timeout_cuts_off_slow_call(tmp_path: Path) -> None:
    async with serving(SandboxConfig(latency_ms=10_000)) as api_url:
        server = CLIServer(
            ["--transport", "streamable-http", "--port", "0", "--shutdown-timeout", "1"],
            upstream_env(api_url),
            tmp_path / "server.log",
        )
        try:
            url = server.wait_serving()
            async with sdk_client(url, "streamable-http", mode="legacy") as client:
                await client.list_tools()
                errors: list[BaseException] = []

                async def slow_call() -> None:
                    try:
                        await client.call_tool("candidates_list", {"limit": 2})
                    except Exception as exc:  # noqa: BLE001 - the call is expected to fail
                        errors.append(exc)

                with anyio.fail_after(15):
                    async with anyio.create_task_group() as tasks:
                        tasks.start_soon(slow_call)
                        await anyio.sleep(0.5)
                        signalled_at = time.monotonic()
                        server.terminate()
                        exit_code = await anyio.to_thread.run_sync(server.wait, 15)
                        exited_after_s = time.monotonic() - signalled_at
        finally:
            server.stop()

    assert exit_code == 0, server.log
    assert exited_after_s < 4, server.log
    assert "cancelling 1 in-flight request(s)" in server.log
    assert len(errors) == 1


async def test_idle_sse_session_does_not_delay_exit(tmp_path: Path) -> None:
    server = CLIServer(
        ["--demo", "--transport", "sse", "--port", "0"], cli_env(ASHBY_MCP_HTTP_TOKEN=TOKEN), tmp_path / "server.log"
    )
    try:
        url = server.wait_serving()
        async with sdk_client(url, "sse", mode="legacy") as client:
            await client.list_tools()
            signalled_at = time.monotonic()
            server.terminate()
            exit_code = await anyio.to_thread.run_sync(server.wait, 15)
            exited_after_s = time.monotonic() - signalled_at
    finally:
        server.stop()

    assert exit_code == 0, server.log
    assert exited_after_s < 2, server.log


async def test_healthcheck_probe_reports_server_state(tmp_path: Path) -> None:
    server = CLIServer(
        ["--demo", "--transport", "streamable-http", "--port", "0"],
        cli_env(ASHBY_MCP_HTTP_TOKEN=TOKEN),
        tmp_path / "server.log",
    )
    probe = [sys.executable, "-m", "ashby_mcp.http.healthcheck"]
    try:
        server.wait_serving()
        healthy = subprocess.run(
            probe, env=cli_env(ASHBY_MCP_HEALTHCHECK_URL=server.base_url + "/healthz"), capture_output=True, timeout=30
        )
        server.terminate()
        server.wait(15)
        unhealthy = subprocess.run(
            probe, env=cli_env(ASHBY_MCP_HEALTHCHECK_URL=server.base_url + "/healthz"), capture_output=True, timeout=30
        )
    finally:
        server.stop()

    assert healthy.returncode == 0
    assert unhealthy.returncode == 1


PROC_NET_TCP = """\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1 0 100 0 0 10 0
   1: 0100007F:2382 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 2 1 0 100 0 0 10 0
   2: 0100007F:1F40 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000  1000        0 3 1 0 100 0 0 10 0
"""
PROC_NET_TCP6 = """\
  sl  local_address                         remote_address                        st tx_queue rx_queue
   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000
   1: 00000000000000000000000001000000:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000
"""


def test_healthcheck_finds_listening_sockets() -> None:
    sockets = listening_sockets([PROC_NET_TCP, PROC_NET_TCP6])

    assert sockets == [("0.0.0.0", 8000), ("127.0.0.1", 9090), ("::", 8080), ("::1", 8081)]


def test_healthcheck_urls_reach_each_socket() -> None:
    assert probe_url("0.0.0.0", 8000) == "http://127.0.0.1:8000/healthz"
    assert probe_url("::", 8080) == "http://[::1]:8080/healthz"
    assert probe_url("10.0.0.7", 8000) == "http://10.0.0.7:8000/healthz"
    assert probe_url("fd00::7", 8000) == "http://[fd00::7]:8000/healthz"


def test_healthcheck_passes_without_listener(monkeypatch: pytest.MonkeyPatch) -> None:
    from ashby_mcp.http import healthcheck

    monkeypatch.delenv("ASHBY_MCP_HEALTHCHECK_URL", raising=False)
    monkeypatch.setattr(healthcheck, "_read_tables", lambda: [PROC_NET_TCP.splitlines()[0]])

    assert healthcheck.main() == 0
