"""Measure 4: crawl every sandbox candidate through `candidates_list` at limit 100."""

from __future__ import annotations

import time
from typing import Any

import httpx

from bench.common import CONNECTOR_ID, FLOOR_TOKEN, Series, in_memory_app
from bench.report import Row, plural

TARGET = 0.75
LIMIT = 100
MAX_REQUESTS = 10_000
"""Upper bound on requests of one crawl, so that a paging bug cannot loop for ever."""


async def plain_pager(api_url: str) -> tuple[list[str], int]:
    """Page through the execute API with httpx; return the ids in order and the request count."""
    ids: list[str] = []
    path = f"/api/v1/integrations/connectors/{CONNECTOR_ID}/execute"
    headers = {"Authorization": f"Bearer {FLOOR_TOKEN}"}
    cursor = None
    async with httpx.AsyncClient(base_url=api_url, headers=headers, timeout=30.0) as client:
        for requests in range(1, MAX_REQUESTS + 1):
            params: dict[str, Any] = {"limit": LIMIT}
            if cursor is not None:
                params["cursor"] = cursor
            response = await client.post(path, json={"entity": "candidates", "action": "list", "params": params})
            response.raise_for_status()
            body = response.json()
            ids.extend(record["id"] for record in body["result"])
            metadata = body.get("connector_metadata") or {}
            if not metadata.get("has_more"):
                return ids, requests
            cursor = metadata["cursor"]
    raise RuntimeError(f"the plain pager did not finish within {MAX_REQUESTS} requests")


async def tool_crawl(api_url: str) -> tuple[list[str], int, int]:
    """Page through `candidates_list` in memory; return the ids in order, the calls and the upstream requests."""
    ids: list[str] = []
    arguments: dict[str, Any] = {"limit": LIMIT}
    async with in_memory_app(api_url) as (client, app):
        requests = _count_upstream_lists(app)
        for calls in range(1, MAX_REQUESTS + 1):
            result = await client.call_tool("candidates_list", arguments)
            if result.is_error:
                raise RuntimeError(f"candidates_list failed during the crawl: {result.content[0].text[:300]}")
            page = result.structured_content
            ids.extend(record["id"] for record in page["records"])
            if not page["has_more"]:
                return ids, calls, len(requests)
            arguments = {"limit": LIMIT, "cursor": page["next_cursor"]}
    raise RuntimeError(f"the tool crawl did not finish within {MAX_REQUESTS} calls")


def _count_upstream_lists(app: Any) -> list[None]:
    """Append one item to the returned list for every upstream list request of the app's backend."""
    requests: list[None] = []
    backend = app.runner.backend
    original = backend.list

    async def counting(*args: Any, **kwargs: Any) -> Any:
        requests.append(None)
        return await original(*args, **kwargs)

    backend.list = counting
    return requests


def check_exactly_once(ids: list[str], expected: list[str], who: str) -> None:
    if len(ids) != len(set(ids)):
        raise RuntimeError(f"{who} returned {len(ids) - len(set(ids))} records more than once")
    if set(ids) != set(expected):
        raise RuntimeError(f"{who} missed {len(set(expected) - set(ids))} records")


async def measure(api_url: str, candidates: int, runs: int) -> tuple[list[Row], str]:
    rates = {"ours": Series("records/s"), "plain": Series("records/s")}
    counts: dict[str, int] = {}
    upstream_requests = 0
    expected: list[str] | None = None
    for run in range(runs):
        order = ["ours", "plain"] if run % 2 == 0 else ["plain", "ours"]
        for side in order:
            started = time.perf_counter()
            if side == "plain":
                ids, counts["plain"] = await plain_pager(api_url)
            else:
                ids, counts["ours"], upstream_requests = await tool_crawl(api_url)
            elapsed = time.perf_counter() - started
            if expected is None:
                expected = ids if side == "plain" else (await plain_pager(api_url))[0]
            if len(expected) != candidates:
                raise RuntimeError(f"the sandbox served {len(expected)} candidates, expected {candidates}")
            check_exactly_once(ids, expected, "the plain pager" if side == "plain" else "candidates_list")
            rates[side].add(len(ids) / elapsed)

    ratio = rates["ours"].median / rates["plain"].median
    row = Row(
        4,
        f"crawl of {candidates:,} candidates, `candidates_list` limit 100, in memory, every record exactly once",
        rates["ours"],
        "plain httpx pager",
        rates["plain"],
        f"{ratio:.2f}×",
        f"≥ {TARGET}×",
        ratio >= TARGET,
    )
    note = (
        f"**4. Crawl.** {plural(runs, 'crawl')} per side, interleaved, of the same sandbox process. The plain pager posts "
        f"`candidates list` with limit {LIMIT} and follows `connector_metadata.cursor` ({counts['plain']:,} "
        "requests). ashby-mcp runs in the bench process and is called through the SDK client in memory, with "
        f"default settings (summary view, 40,000-byte result budget), following `next_cursor`. The budget cuts "
        f"each page of 100 summary candidates, so the crawl takes {counts['ours']:,} calls, but a cut page is kept "
        f"for the call that resumes it, and ashby-mcp sent {upstream_requests:,} upstream requests. Every run "
        "checks that each candidate id came back exactly once."
    )
    return [row], note
