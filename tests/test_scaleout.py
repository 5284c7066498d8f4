"""Scale-out on loopback: stateless replicas behind Debian's nginx, driven by many SDK clients at once."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx2
import pytest

from tests.http_support import TOKEN, CLIServer, cli_env, free_port, sdk_client, structured

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

NGINX = shutil.which("nginx") or next((path for path in ("/usr/sbin/nginx",) if Path(path).exists()), None)
needs_nginx = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed; `bash .ci/install-http-deps.sh` installs Debian's package"
)

REPLICAS = 3
CLIENTS = 50
CALLS_PER_CLIENT = 20

# The proxy settings docs/deployment.md recommends, on loopback ports and a
# private prefix so the test needs neither root nor /etc/nginx.
NGINX_CONF = """\
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;

    upstream ashby_mcp {{
        {balance}
{servers}
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://ashby_mcp;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_buffering off;
            proxy_read_timeout 300s;
        }}
    }}
}}
"""


def start_replicas(tmp_path: Path, extra_args: list[str]) -> list[CLIServer]:
    replicas = [
        CLIServer(
            ["--demo", "--transport", "streamable-http", "--port", "0", *extra_args],
            cli_env(ASHBY_MCP_HTTP_TOKEN=TOKEN),
            tmp_path / f"replica-{index}.log",
        )
        for index in range(REPLICAS)
    ]
    for replica in replicas:
        replica.wait_serving()
    return replicas


def start_nginx(tmp_path: Path, replicas: list[CLIServer], balance: str = "") -> tuple[subprocess.Popen, str]:
    assert NGINX is not None
    port = free_port()
    servers = "\n".join(f"        server {replica.base_url.removeprefix('http://')};" for replica in replicas)
    conf = tmp_path / "nginx.conf"
    conf.write_text(NGINX_CONF.format(prefix=tmp_path, port=port, servers=servers, balance=balance))
    process = subprocess.Popen(
        [NGINX, "-c", str(conf), "-p", str(tmp_path)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"nginx exited with {process.returncode}: {(tmp_path / 'error.log').read_text()}")
        try:
            if httpx2.get(base_url + "/healthz", timeout=1).status_code == 200:
                return process, base_url
        except httpx2.TransportError:
            pass
        time.sleep(0.05)
    raise AssertionError("nginx did not answer /healthz within 10 s")


def stop(nginx: subprocess.Popen, replicas: list[CLIServer]) -> None:
    nginx.terminate()
    try:
        nginx.wait(10)
    except subprocess.TimeoutExpired:
        nginx.kill()
        nginx.wait(5)
    for replica in replicas:
        replica.stop()


@pytest.fixture
def stateless_cluster(tmp_path: Path) -> Iterator[tuple[str, list[CLIServer]]]:
    replicas = start_replicas(tmp_path, ["--stateless"])
    nginx, base_url = start_nginx(tmp_path, replicas)
    try:
        yield base_url + "/mcp", replicas
    finally:
        stop(nginx, replicas)


def served_calls(replica: CLIServer) -> int:
    return len(re.findall(r"POST /mcp 200 ", replica.log))


@needs_nginx
async def test_stateless_replicas_share_load(stateless_cluster: tuple[str, list[CLIServer]]) -> None:
    url, replicas = stateless_cluster
    succeeded = 0
    pages_followed = 0

    async def run_client(index: int) -> None:
        nonlocal succeeded, pages_followed
        cursor: str | None = None
        async with sdk_client(url, "streamable-http") as client:
            for call in range(CALLS_PER_CLIENT):
                if call % 4 == 3:
                    page = structured(await client.call_tool("jobs_list", {"limit": 2}))
                    assert page["records"]
                else:
                    # Each page's cursor is read by whichever replica nginx picks next.
                    arguments = {"cursor": cursor} if cursor else {"limit": 3 + index % 3}
                    page = structured(await client.call_tool("candidates_list", arguments))
                    assert page["records"]
                    pages_followed += cursor is not None
                    cursor = page["next_cursor"] if page["has_more"] else None
                succeeded += 1

    with anyio.fail_after(120):
        async with anyio.create_task_group() as tasks:
            for index in range(CLIENTS):
                tasks.start_soon(run_client, index)

    assert succeeded == CLIENTS * CALLS_PER_CLIENT
    assert pages_followed > 0
    counts = [served_calls(replica) for replica in replicas]
    assert all(count > 0 for count in counts), counts
    assert sum(counts) >= CLIENTS * CALLS_PER_CLIENT


@needs_nginx
async def test_stateful_sessions_need_sticky_routing(tmp_path: Path) -> None:
    replicas = start_replicas(tmp_path, [])
    round_robin_prefix = tmp_path / "round-robin"
    sticky_prefix = tmp_path / "sticky"
    round_robin_prefix.mkdir()
    sticky_prefix.mkdir()

    round_robin, round_robin_url = start_nginx(round_robin_prefix, replicas)
    try:
        # The session lives on the replica that served initialize, and round
        # robin sends a later request of the same session to another replica.
        with pytest.raises(Exception):  # noqa: B017, PT011
            async with sdk_client(round_robin_url + "/mcp", "streamable-http", mode="legacy") as client:
                for _ in range(REPLICAS):
                    await client.list_tools()
        # A 2026-07-28 client sends self-contained requests, so round robin is fine for it.
        async with sdk_client(round_robin_url + "/mcp", "streamable-http", mode="auto") as client:
            for _ in range(REPLICAS):
                structured(await client.call_tool("candidates_list", {"limit": 2}))
    finally:
        round_robin.terminate()
        round_robin.wait(10)
    rejected = [replica.log.count("POST /mcp 404 ") for replica in replicas]

    sticky, sticky_url = start_nginx(sticky_prefix, replicas, balance="ip_hash;")
    try:
        async with sdk_client(sticky_url + "/mcp", "streamable-http", mode="legacy") as client:
            for _ in range(REPLICAS):
                await client.list_tools()
            structured(await client.call_tool("candidates_list", {"limit": 2}))
    finally:
        stop(sticky, replicas)

    assert sum(rejected) > 0
    assert [replica.log.count("POST /mcp 404 ") for replica in replicas] == rejected
