"""Container health probe: `python -m ashby_mcp.http.healthcheck`, the Dockerfile's HEALTHCHECK.

It finds the TCP ports that listen in the container's network namespace
(from /proc/net/tcp and /proc/net/tcp6) and passes when one of them returns
200 for GET /healthz. With no listening port the server runs over stdio,
which has nothing to probe, so the check passes. ASHBY_MCP_HEALTHCHECK_URL
names the URL to probe instead. Exit status 0 is healthy, 1 unhealthy, as
Docker expects. Only the standard library is imported, to keep the probe fast.
"""

from __future__ import annotations

import ipaddress
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path

TCP_LISTEN = "0A"
PROC_TABLES = ("/proc/net/tcp", "/proc/net/tcp6")
TIMEOUT_SECONDS = 3.0


def _decode_address(hex_address: str) -> str:
    """Decode a /proc/net/tcp address: 32-bit words in host (little-endian) byte order."""
    raw = bytes.fromhex(hex_address)
    words = [raw[i : i + 4][::-1] for i in range(0, len(raw), 4)]
    return str(ipaddress.ip_address(b"".join(words)))


def listening_sockets(tables: Iterable[str]) -> list[tuple[str, int]]:
    """Return (address, port) of each listening socket in the given /proc/net/tcp* texts."""
    sockets: list[tuple[str, int]] = []
    for table in tables:
        for line in table.splitlines()[1:]:
            fields = line.split()
            if len(fields) < 4 or fields[3] != TCP_LISTEN:
                continue
            address, _, port = fields[1].partition(":")
            sockets.append((_decode_address(address), int(port, 16)))
    return sockets


def probe_url(address: str, port: int) -> str:
    """Return the /healthz URL that reaches a socket bound to `address` from inside the container."""
    ip = ipaddress.ip_address(address)
    if ip.is_unspecified:
        host = "127.0.0.1" if ip.version == 4 else "[::1]"
    else:
        host = f"[{ip}]" if ip.version == 6 else str(ip)
    return f"http://{host}:{port}/healthz"


def is_healthy(url: str, timeout: float = TIMEOUT_SECONDS) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback URL we built
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _read_tables() -> list[str]:
    tables = []
    for path in PROC_TABLES:
        try:
            tables.append(Path(path).read_text())
        except OSError:
            continue
    return tables


def main() -> int:
    url = os.environ.get("ASHBY_MCP_HEALTHCHECK_URL")
    if url:
        urls = [url]
    else:
        urls = list(dict.fromkeys(probe_url(address, port) for address, port in listening_sockets(_read_tables())))
        if not urls:
            print("healthy: no listening TCP port, so the server runs over stdio")
            return 0
    for candidate in urls:
        if is_healthy(candidate):
            print(f"healthy: {candidate} returned 200")
            return 0
    print(f"unhealthy: no 200 from {', '.join(urls)}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
