"""Measure 6: peak resident memory after start and after 10,000 calls over stdio."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

from bench.common import (
    Logs,
    Series,
    candidate_ids,
    child_pids,
    floor_params,
    memory_mb,
    ours_params,
    stdio_client_for,
)
from bench.report import Row, plural

HEADROOM_MB = 30.0
FLAT_MB = 2.0
"""Largest RSS growth from the end of warm-up to the last call that still counts as flat."""
WORKERS = 8
"""Calls in flight at once, so that 10,000 calls take seconds, not minutes."""
LIST_EVERY = 10
"""Every LIST_EVERY-th call is `candidates_list` (limit 20, following the cursor); the rest are gets."""


def _next_cursor_ours(result: Any) -> str | None:
    return result.structured_content["next_cursor"]


def _next_cursor_floor(result: Any) -> str | None:
    body = json.loads(result.content[0].text)
    return (body.get("connector_metadata") or {}).get("cursor")


async def _run_calls(
    client: Client,
    pid: int,
    ids: list[str],
    total: int,
    sample_every: int,
    next_cursor: Callable[[Any], str | None],
) -> list[float]:
    """Make `total` calls from WORKERS tasks; return the RSS in MB after each `sample_every` calls."""
    samples: list[float] = []
    state = {"made": 0, "cursor": None}
    failures: list[str] = []

    async def worker() -> None:
        while state["made"] < total and not failures:
            number = state["made"]
            state["made"] += 1
            if number % LIST_EVERY == 0:
                arguments: dict[str, Any] = {"limit": 20}
                if state["cursor"]:
                    arguments["cursor"] = state["cursor"]
                result = await client.call_tool("candidates_list", arguments)
                if not result.is_error:
                    state["cursor"] = next_cursor(result)
            else:
                result = await client.call_tool("candidates_get", {"id": ids[number % len(ids)]})
            if result.is_error:
                failures.append(result.content[0].text[:300])
            if (number + 1) % sample_every == 0:
                samples.append(memory_mb(pid)[0])

    async with anyio.create_task_group() as tasks:
        for _ in range(WORKERS):
            tasks.start_soon(worker)
    if failures:
        raise RuntimeError(f"a call failed during the memory run: {failures[0]}")
    return samples


async def _one_run(
    params: StdioServerParameters, logs: Logs, ids: list[str], calls: int, next_cursor: Callable[[Any], str | None]
) -> tuple[float, float, float]:
    """Return (peak RSS after start, peak RSS after all calls, RSS growth after warm-up), in MB."""
    before = set(child_pids())
    async with stdio_client_for(params, logs) as client:
        await client.list_tools()
        spawned = [pid for pid in child_pids() if pid not in before]
        if len(spawned) != 1:
            raise RuntimeError(f"expected one new server process, found {spawned}")
        pid = spawned[0]
        started_peak = memory_mb(pid)[1]
        samples = await _run_calls(client, pid, ids, calls, calls // 5, next_cursor)
        final_peak = memory_mb(pid)[1]
    # The first fifth of the calls is the warm-up: connections, caches and allocator pools fill up.
    growth = samples[-1] - samples[0]
    return started_peak, final_peak, growth


async def measure(api_url: str, logs: Logs, calls: int, runs: int) -> tuple[list[Row], str]:
    ids = candidate_ids(api_url)
    sides = {
        "ours": (ours_params(api_url), _next_cursor_ours),
        "floor": (floor_params(api_url, forward=True), _next_cursor_floor),
    }
    started = {name: Series("MB") for name in sides}
    peak = {name: Series("MB") for name in sides}
    growth = {name: Series("MB") for name in sides}
    for run in range(runs):
        order = list(sides) if run % 2 == 0 else list(reversed(sides))
        for name in order:
            params, next_cursor = sides[name]
            start_mb, peak_mb, growth_mb = await _one_run(params, logs, ids, calls, next_cursor)
            started[name].add(start_mb)
            peak[name].add(peak_mb)
            growth[name].add(growth_mb)

    start_diff = started["ours"].median - started["floor"].median
    peak_diff = peak["ours"].median - peak["floor"].median
    warm = calls // 5
    rows = [
        Row(6, "peak RSS after start (`tools/list`)", started["ours"], "floor forwarder", started["floor"],
            f"{start_diff:+.1f} MB", "—", None),
        Row(6, f"peak RSS after {calls:,} calls", peak["ours"], "floor forwarder", peak["floor"],
            f"{peak_diff:+.1f} MB", f"≤ floor + {HEADROOM_MB:g} MB", peak_diff <= HEADROOM_MB),
        Row(6, f"RSS growth from call {warm:,} to {calls:,}", growth["ours"], "floor forwarder", growth["floor"],
            f"{growth['ours'].median - growth['floor'].median:+.1f} MB", f"flat: ≤ {FLAT_MB:g} MB",
            growth["ours"].max <= FLAT_MB),
    ]
    note = (
        f"**6. Memory.** {plural(runs, 'run')} per side over stdio against the main sandbox. RSS and peak RSS are VmRSS "
        f"and VmHWM from /proc/PID/status of the server process. A run lists the tools, then makes {calls:,} "
        f"calls from {WORKERS} concurrent tasks: every {LIST_EVERY}th is `candidates_list` (limit 20) following "
        f"the cursor, the rest are `candidates_get` over 100 ids. The first {warm:,} calls are the warm-up; "
        "growth is VmRSS after the last call minus VmRSS after the warm-up, and the flat check uses the largest "
        "growth of any run."
    )
    return rows, note
