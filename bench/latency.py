"""Measure 2: sequential call latency over stdio and in memory, against the floor forwarder."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from mcp import Client

from bench.common import (
    Logs,
    Series,
    candidate_ids,
    check_ok,
    floor_params,
    in_memory_floor,
    in_memory_ours,
    ours_params,
    stdio_client_for,
)
from bench.report import Row, plural

TARGET = 1.25
WARMUP_CALLS = 30
TOOLS = ("candidates_list", "candidates_get")


def _arguments(tool: str, ids: list[str]) -> Callable[[int], dict[str, Any]]:
    if tool == "candidates_list":
        return lambda index: {"limit": 20}
    return lambda index: {"id": ids[index % len(ids)]}


async def _time_calls(client: Client, tool: str, arguments: Callable[[int], dict[str, Any]], calls: int) -> float:
    """Return the mean milliseconds per call over `calls` sequential calls."""
    started = time.perf_counter()
    for index in range(calls):
        result = await client.call_tool(tool, arguments(index))
        if result.is_error:
            check_ok(result, tool)
    return 1000 * (time.perf_counter() - started) / calls


async def measure(api_url: str, logs: Logs, calls: int, rounds: int) -> tuple[list[Row], str]:
    ids = candidate_ids(api_url)
    sessions: dict[tuple[str, str], Callable[[], AbstractAsyncContextManager[Client]]] = {
        ("stdio", "ours"): lambda: stdio_client_for(ours_params(api_url), logs),
        ("stdio", "floor"): lambda: stdio_client_for(floor_params(api_url, forward=True), logs),
        ("in memory", "ours"): lambda: in_memory_ours(api_url),
        ("in memory", "floor"): lambda: in_memory_floor(api_url),
    }
    results = {(transport, side, tool): Series("ms") for transport, side in sessions for tool in TOOLS}
    for round_number in range(rounds):
        for transport in ("stdio", "in memory"):
            sides = ["ours", "floor"] if round_number % 2 == 0 else ["floor", "ours"]
            for side in sides:
                async with sessions[transport, side]() as client:
                    for tool in TOOLS:
                        await _time_calls(client, tool, _arguments(tool, ids), WARMUP_CALLS)
                    for tool in TOOLS:
                        mean = await _time_calls(client, tool, _arguments(tool, ids), calls)
                        results[transport, side, tool].add(mean)

    rows = []
    for transport in ("stdio", "in memory"):
        for tool in TOOLS:
            ours = results[transport, "ours", tool]
            floor = results[transport, "floor", tool]
            ratio = ours.median / floor.median
            what = "`candidates_list` limit 20" if tool == "candidates_list" else "`candidates_get`"
            rows.append(
                Row(
                    2,
                    f"sequential {what}, {transport}: mean latency per call",
                    ours,
                    "floor forwarder",
                    floor,
                    f"{ratio:.2f}×",
                    f"≤ {TARGET}×",
                    ratio <= TARGET,
                )
            )
    note = (
        f"**2. Sequential latency.** {plural(rounds, 'round')}; each round opens one session per side and transport, makes "
        f"{WARMUP_CALLS} untimed calls of each tool, then {calls} timed calls of `candidates_list` "
        f"(limit 20) and {calls} of `candidates_get` (cycling over 100 ids). A sample is the mean of one round. "
        "Both sides call the same sandbox process (uvicorn, 100,000 candidates, no added latency) over loopback. "
        "The floor forwarder returns the raw upstream body (about 81 KB for 20 candidates). ashby-mcp checks "
        "arguments, asks upstream only for the summary view's fields (about 15 KB), shapes and trims the "
        "records, returns them as structured content and as text, and logs each upstream request at INFO. "
        "The stdio servers send stderr to the bench log file; in memory, the bench process logs to the same "
        "file at INFO."
    )
    return rows, note
