"""Measure 3: 100 concurrent `candidates_get` calls in one stdio session, 50 ms upstream latency."""

from __future__ import annotations

import statistics
import time
from typing import Any

import anyio
from mcp import Client

from bench.common import Logs, Series, candidate_ids, check_ok, floor_params, ours_params, stdio_client_for
from bench.report import Row, plural

TARGET = 3.0
BURST = 100
SINGLE_CALLS = 9


async def _single(client: Client, ids: list[str]) -> float:
    """Return the median milliseconds of one call, over a few sequential calls."""
    times = []
    for index in range(SINGLE_CALLS):
        started = time.perf_counter()
        check_ok(await client.call_tool("candidates_get", {"id": ids[index]}), "candidates_get")
        times.append(1000 * (time.perf_counter() - started))
    return statistics.median(times)


async def _burst(client: Client, ids: list[str]) -> float:
    """Return the milliseconds until all of BURST concurrent calls have returned."""
    errors: list[Any] = []

    async def one(record_id: str) -> None:
        result = await client.call_tool("candidates_get", {"id": record_id})
        if result.is_error:
            errors.append(result)

    started = time.perf_counter()
    async with anyio.create_task_group() as tasks:
        for index in range(BURST):
            tasks.start_soon(one, ids[index % len(ids)])
    elapsed = 1000 * (time.perf_counter() - started)
    if errors:
        check_ok(errors[0], "a concurrent candidates_get")
    return elapsed


async def measure(slow_api_url: str, logs: Logs, runs: int, latency_ms: float) -> tuple[list[Row], str]:
    ids = candidate_ids(slow_api_url)
    params = {
        "ours": ours_params(slow_api_url),
        "ours-unlimited": ours_params(slow_api_url, ASHBY_MCP_MAX_CONCURRENCY=str(BURST)),
        "floor": floor_params(slow_api_url, forward=True),
    }
    single = {name: Series("ms") for name in params}
    burst = {name: Series("ms") for name in params}
    for run in range(runs):
        order = list(params) if run % 2 == 0 else list(reversed(params))
        for name in order:
            async with stdio_client_for(params[name], logs) as client:
                await _single(client, ids)  # warm-up: token, connections, code paths
                single[name].add(await _single(client, ids))
                burst[name].add(await _burst(client, ids))

    rows = []
    sides = (
        ("ours", "ashby-mcp", ""),
        ("ours-unlimited", f"ashby-mcp, ASHBY_MCP_MAX_CONCURRENCY={BURST}", f" (ASHBY_MCP_MAX_CONCURRENCY={BURST}, for context)"),
        ("floor", "floor forwarder", " (floor forwarder, for context)"),
    )
    for name, label, suffix in sides:
        ratio = burst[name].median / single[name].median
        has_target = name == "ours"
        rows.append(
            Row(
                3,
                f"{BURST} concurrent `candidates_get`, one stdio session, {latency_ms:g} ms upstream latency{suffix}",
                burst[name],
                f"one such call ({label})",
                single[name],
                f"{ratio:.2f}×",
                f"≤ {TARGET:g}×" if has_target else "—",
                ratio <= TARGET if has_target else None,
            )
        )
    note = (
        f"**3. Concurrency.** {plural(runs, 'run')} per side, interleaved, each in a new stdio session against a second "
        f"sandbox process that waits {latency_ms:g} ms before every execute response. A run makes "
        f"{SINGLE_CALLS} untimed calls, then {SINGLE_CALLS} sequential calls (their median is the single-call "
        f"time), then starts {BURST} `candidates_get` calls at once in one task group and times until the last "
        "returns. ashby-mcp runs with its default of 16 upstream requests in flight, and once more with "
        f"{BURST}, to separate the queueing that limit causes from the CPU time of the calls."
    )
    return rows, note
