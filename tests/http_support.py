"""Helpers for the HTTP transport tests: tokens, in-process servers, CLI servers and SDK clients."""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
import uvicorn
from mcp import Client
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client
from starlette.types import ASGIApp

from tests.support import REPO_ROOT

TOKEN = secrets.token_hex(32)
"""Bearer token of the servers the tests start; a fresh value each run, so a leak check cannot pass by luck."""

SERVING_LINE = re.compile(r"serving MCP over \S+(?: \(stateless\))? at (http://\S+)")
DEMO_CONNECTOR_ID = "5a9d2c3e-0000-4000-8000-000000000001"


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@asynccontextmanager
async def serving_app(app: ASGIApp) -> AsyncIterator[str]:
    """Serve `app` with uvicorn on a free loopback port in this event loop and yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="on", ws="none", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(server.serve, [sock])
        while not server.started:
            await anyio.sleep(0.01)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
    sock.close()


def sdk_client(url: str, transport: str, *, token: str | None = TOKEN, mode: str = "auto") -> Client:
    """Return an MCP SDK client for `url` over `transport` (sse or streamable-http), sending `token`."""
    headers = bearer(token) if token else {}
    if transport == "sse":
        return Client(sse_client(url, headers=headers, timeout=10), mode=mode)
    http_client = httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30.0))
    return Client(streamable_http_client(url, http_client=http_client), mode=mode)


def cli_env(**extra: str) -> dict[str, str]:
    """Environment for a CLI subprocess: this checkout on PYTHONPATH, no inherited Airbyte or ashby-mcp settings."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AIRBYTE_", "ASHBY_MCP_")) and name != "PYTHONPATH"
    }
    env["PYTHONPATH"] = str(REPO_ROOT)
    env.update(extra)
    return env


class CLIServer:
    """`ashby-mcp serve` in a subprocess, with stderr in a file."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ashby_mcp", "serve", *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )
        self.url = ""

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_serving(self, timeout: float = 20.0) -> str:
        """Wait for the startup line and return the MCP endpoint URL from it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = SERVING_LINE.search(self.log)
            if match:
                self.url = match.group(1)
                return self.url
            if self.process.poll() is not None:
                raise AssertionError(f"server exited with {self.process.returncode}:\n{self.log}")
            time.sleep(0.05)
        raise AssertionError(f"server did not start within {timeout} s:\n{self.log}")

    @property
    def base_url(self) -> str:
        return self.url.rsplit("/", 1)[0]

    def terminate(self) -> None:
        self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float) -> int:
        try:
            return self.process.wait(timeout)
        finally:
            self._log.close()

    def stop(self) -> None:
        """Stop the process if it still runs: SIGTERM, then SIGKILL after 10 s."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._log.close()


def structured(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content
