"""Measure 7: calls per second over streamable HTTP with 32 concurrent clients."""

from __future__ import annotations

import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import anyio
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from bench.common import FLOOR_SCRIPT, REPO_ROOT, STARTUP_TIMEOUT, Logs, Series, candidate_ids, floor_env, ours_env
from bench.report import Row, plural

TARGET = 0.8
CLIENTS = 32
WARMUP_CALLS = 5
"""Untimed calls per client before the clock starts: session set-up, upstream token, connection pools."""


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the HTTP server on port {port} exited with code {process.returncode}; see the bench log")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the HTTP server on port {port} did not listen within {STARTUP_TIMEOUT:g} s")


@contextmanager
def http_server(side: str, api_url: str, logs: Logs, token: str) -> Iterator[str]:
    """Run one side over stateless streamable HTTP on a free loopback port; yield the MCP endpoint URL."""
    from bench.common import free_port

    port = free_port()
    if side == "ours":
        command = [sys.executable, "-m", "ashby_mcp", "serve", "--transport", "streamable-http",
                   "--host", "127.0.0.1", "--port", str(port), "--stateless"]
        env = ours_env(api_url, ASHBY_MCP_HTTP_TOKEN=token)
    else:
        command = [sys.executable, str(FLOOR_SCRIPT), "--http", "--host", "127.0.0.1", "--port", str(port),
                   "--stateless", *(["--forward"] if side == "forwarder" else [])]
        env = floor_env(api_url)
    process = subprocess.Popen(command, env=env, cwd=REPO_ROOT, stdin=subprocess.DEVNULL,
                               stdout=logs.file, stderr=logs.file)
    try:
        _wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


async def _client_loop(url: str, token: str, ids: list[str], calls: int, start: anyio.Event,
                       ready: list[int], failures: list[str]) -> None:
    async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=httpx2.Timeout(60.0)) as http:
        async with Client(streamable_http_client(url, http_client=http)) as client:
            for index in range(WARMUP_CALLS):
                await client.call_tool("candidates_get", {"id": ids[index % len(ids)]})
            ready.append(1)
            await start.wait()
            for index in range(calls):
                result = await client.call_tool("candidates_get", {"id": ids[index % len(ids)]})
                if result.is_error:
                    failures.append(result.content[0].text[:300])
                    return


async def _run(url: str, token: str, ids: list[str], calls: int) -> float:
    """Return calls per second of CLIENTS sessions that each make `calls` sequential calls."""
    start = anyio.Event()
    ready: list[int] = []
    failures: list[str] = []
    started = 0.0
    async with anyio.create_task_group() as tasks:
        for number in range(CLIENTS):
            tasks.start_soon(_client_loop, url, token, ids[number:] + ids[:number], calls, start, ready, failures)
        with anyio.fail_after(STARTUP_TIMEOUT):
            while len(ready) < CLIENTS and not failures:
                await anyio.sleep(0.01)
        started = time.perf_counter()
        start.set()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"a call failed during the HTTP run: {failures[0]}")
    return CLIENTS * calls / elapsed


async def measure(api_url: str, logs: Logs, calls: int, runs: int) -> tuple[list[Row], str]:
    ids = candidate_ids(api_url)
    token = secrets.token_urlsafe(32)
    sides = ("ours", "forwarder", "floor")
    rates = {side: Series("calls/s") for side in sides}
    for run in range(runs):
        order = sides if run % 2 == 0 else tuple(reversed(sides))
        for side in order:
            with http_server(side, api_url, logs, token) as url:
                rates[side].add(await _run(url, token, ids, calls))

    rows = []
    for side, label, has_target in (("forwarder", "floor forwarder", True), ("floor", "floor server", False)):
        ratio = rates["ours"].median / rates[side].median
        rows.append(
            Row(
                7,
                f"streamable HTTP (stateless), {CLIENTS} concurrent clients, `candidates_get`: throughput"
                + ("" if has_target else " (floor server, for context)"),
                rates["ours"],
                label,
                rates[side],
                f"{ratio:.2f}×",
                f"≥ {TARGET}×" if has_target else "—",
                ratio >= TARGET if has_target else None,
            )
        )
    note = (
        f"**7. HTTP throughput.** {plural(runs, 'run')} per side, interleaved. Each run starts the server "
        "(`ashby-mcp serve --transport streamable-http --stateless`, or `bench/floor.py --http --stateless`) on a "
        f"free loopback port and opens {CLIENTS} SDK client sessions in the bench process. Each session makes "
        f"{WARMUP_CALLS} untimed calls, then all sessions at once make {calls} sequential `candidates_get` calls "
        "each, and the clock runs until the last returns. ashby-mcp checks a bearer token on every request and writes an access log line; the "
        "floor servers do neither. Every ashby-mcp call goes upstream, so the target is held against the floor "
        "forwarder, which makes the same upstream request; the floor server, whose handler returns a fixed text, "
        "shows the transport's own ceiling. The clients, the server and the sandbox share the 2 cores."
    )
    return rows, note
