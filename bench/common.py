"""Shared parts of the benchmark: statistics, subprocesses, sandboxes and clients."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

REPO_ROOT = Path(__file__).resolve().parent.parent
FLOOR_SCRIPT = REPO_ROOT / "bench" / "floor.py"
# The sandbox's fixed demo credentials (ashby_mcp.sandbox.config); repeated here so
# that importing this module does not import the sandbox.
CLIENT_ID = "demo-client-id"
CLIENT_SECRET = "demo-client-secret"
CONNECTOR_ID = "5a9d2c3e-0000-4000-8000-000000000001"
FLOOR_TOKEN = "bench-floor-token"
"""Static bearer token the sandboxes accept, so the floor forwarder needs no token request."""
STARTUP_TIMEOUT = 60.0


@dataclass
class Series:
    """Repeated samples of one quantity, in `unit`."""

    unit: str
    samples: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.samples.append(value)

    @property
    def min(self) -> float:
        return min(self.samples)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def max(self) -> float:
        return max(self.samples)


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that was free a moment ago; the caller binds it soon after."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def child_env(**extra: str) -> dict[str, str]:
    """Return an environment for a server subprocess: this checkout first on the path, no ashby settings.

    PYTHONDONTWRITEBYTECODE is dropped: without bytecode caches every start would
    compile ashby_mcp from source (about 30 ms here), which an installed package
    never does. The untimed first start of each server writes the caches.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AIRBYTE_", "ASHBY_MCP_", "FLOOR_")) and key != "PYTHONDONTWRITEBYTECODE"
    }
    env["PYTHONPATH"] = str(REPO_ROOT)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def ours_env(api_url: str, **extra: str) -> dict[str, str]:
    """Return the environment that points ashby-mcp at a sandbox."""
    return child_env(
        AIRBYTE_API_URL=api_url,
        AIRBYTE_CLIENT_ID=CLIENT_ID,
        AIRBYTE_CLIENT_SECRET=CLIENT_SECRET,
        AIRBYTE_CONNECTOR_ID=CONNECTOR_ID,
        **extra,
    )


def floor_env(api_url: str) -> dict[str, str]:
    return child_env(FLOOR_API_URL=api_url, FLOOR_TOKEN=FLOOR_TOKEN, FLOOR_CONNECTOR_ID=CONNECTOR_ID)


def ours_params(api_url: str, *args: str, **extra: str) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "ashby_mcp", "serve", *args],
        env=ours_env(api_url, **extra),
        cwd=str(REPO_ROOT),
    )


def floor_params(api_url: str, *, forward: bool) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable,
        args=[str(FLOOR_SCRIPT), *(["--forward"] if forward else [])],
        env=floor_env(api_url),
        cwd=str(REPO_ROOT),
    )


class Logs:
    """One file that collects the stderr of every subprocess, so logs cost what they cost in a host."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = path.open("a", encoding="utf-8")

    def close(self) -> None:
        self.file.close()


def stdio_client_for(params: StdioServerParameters, logs: Logs) -> Client:
    """Return an SDK client that spawns `params` and sends its stderr to the log file."""
    return Client(stdio_client(params, errlog=logs.file))


@contextmanager
def sandbox_process(
    logs: Logs, *, candidates: int, latency_ms: float = 0.0
) -> Iterator[str]:
    """Run `python -m ashby_mcp.sandbox` on a free loopback port and yield its base URL."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "ashby_mcp.sandbox",
        "--port",
        str(port),
        "--candidates",
        str(candidates),
        "--latency-ms",
        str(latency_ms),
        "--static-token",
        FLOOR_TOKEN,
    ]
    process = subprocess.Popen(command, env=child_env(), cwd=REPO_ROOT, stdout=logs.file, stderr=logs.file)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the sandbox at {url} exited with code {process.returncode}; see the bench log")
        try:
            httpx.get(f"{url}/api/v1/integrations/connectors", timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"the sandbox at {url} did not respond within {STARTUP_TIMEOUT:g} s")


def child_pids() -> list[int]:
    """Return the ids of this process's direct children, read from /proc."""
    me = os.getpid()
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command name in brackets may contain spaces; the fields after it are fixed.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == me:
            pids.append(int(entry))
    return pids


def memory_mb(pid: int) -> tuple[float, float]:
    """Return (current RSS, peak RSS) of a process in MB (10^6 bytes), from /proc/PID/status."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) * 1024 / 1_000_000  # the kernel reports KiB as "kB"
    return values["VmRSS"], values["VmHWM"]


@asynccontextmanager
async def in_memory_app(api_url: str, **settings: Any) -> AsyncIterator[tuple[Client, Any]]:
    """Yield an SDK client connected in memory to ashby-mcp over a sandbox on a socket, and the app."""
    from ashby_mcp.backends import create_backend
    from ashby_mcp.config import Settings
    from ashby_mcp.server import create_server

    values: dict[str, Any] = {
        "api_url": api_url,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "connector_id": CONNECTOR_ID,
        "access_token": None,
        "organization_id": None,
        "workspace_name": None,
        "tools": "",
        "tool_prefix": "",
        "demo": False,
    }
    values.update(settings)
    config = Settings(**values)
    app = create_server(config, create_backend(config))
    try:
        async with Client(app.server) as client:
            yield client, app
    finally:
        await app.aclose()


@asynccontextmanager
async def in_memory_ours(api_url: str, **settings: Any) -> AsyncIterator[Client]:
    """Yield an SDK client connected in memory to ashby-mcp over a sandbox on a socket."""
    async with in_memory_app(api_url, **settings) as (client, _):
        yield client


@asynccontextmanager
async def in_memory_floor(api_url: str) -> AsyncIterator[Client]:
    """Yield an SDK client connected in memory to the floor forwarder."""
    from bench.floor import Forwarder, create_floor_server

    forwarder = Forwarder(api_url, FLOOR_TOKEN, CONNECTOR_ID)
    try:
        async with Client(create_floor_server(forwarder)) as client:
            yield client
    finally:
        await forwarder.aclose()


def check_ok(result: Any, what: str) -> None:
    if result.is_error:
        text = " ".join(getattr(block, "text", "") for block in result.content)
        raise RuntimeError(f"{what} returned an error: {text[:300]}")

def raw_execute(api_url: str, entity: str, action: str, params: dict[str, Any]) -> httpx.Response:
    """POST one execute request straight to a sandbox, as the floor forwarder does."""
    response = httpx.post(
        f"{api_url}/api/v1/integrations/connectors/{CONNECTOR_ID}/execute",
        json={"entity": entity, "action": action, "params": params},
        headers={"Authorization": f"Bearer {FLOOR_TOKEN}"},
        timeout=30.0,
    )
    response.raise_for_status()
    return response


def candidate_ids(api_url: str, count: int = 100) -> list[str]:
    """Return the ids of the first `count` (at most 100) sandbox candidates."""
    body = raw_execute(api_url, "candidates", "list", {"limit": count}).json()
    return [record["id"] for record in body["result"]]
