"""Measure 1: cold start over stdio, from spawn to a completed `tools/list`."""

from __future__ import annotations

import time

from mcp import StdioServerParameters

from bench.common import Logs, Series, floor_params, ours_params, stdio_client_for
from bench.report import Row, plural

TARGET = 1.15


async def start_once(params: StdioServerParameters, logs: Logs) -> float:
    """Spawn a server, list its tools and return the seconds from spawn to the listing."""
    started = time.perf_counter()
    async with stdio_client_for(params, logs) as client:
        listing = await client.list_tools()
        elapsed = time.perf_counter() - started
    if len(listing.tools) != 19:
        raise RuntimeError(f"expected 19 tools, got {len(listing.tools)}")
    return elapsed


async def measure(api_url: str, logs: Logs, runs: int) -> tuple[list[Row], str]:
    sides = {
        "ours": ours_params(api_url),
        "floor": floor_params(api_url, forward=False),
    }
    # One untimed start of each side writes bytecode caches and warms the page cache.
    for params in sides.values():
        await start_once(params, logs)
    times = {name: Series("ms") for name in sides}
    for run in range(runs):
        order = list(sides) if run % 2 == 0 else list(reversed(sides))
        for name in order:
            times[name].add(1000 * await start_once(sides[name], logs))
    ratio = times["ours"].median / times["floor"].median
    row = Row(
        1,
        "cold start over stdio: spawn to completed `tools/list`",
        times["ours"],
        "floor server",
        times["floor"],
        f"{ratio:.2f}×",
        f"≤ {TARGET}×",
        ratio <= TARGET,
    )
    note = (
        f"**1. Cold start.** {plural(runs, 'run')} per side, interleaved, after one untimed start each. Each run spawns "
        "`python -m ashby_mcp serve` (or `python bench/floor.py`) through the SDK's stdio client and stops the "
        "clock when `tools/list` returns. ashby-mcp has credentials for the sandbox but makes no upstream request "
        "before its first tool call. Both servers run with bytecode caches, as an installed package does: the "
        "untimed start writes them."
    )
    return [row], note
