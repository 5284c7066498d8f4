"""Measure 5: what a model reads, in bytes: `tools/list` and trimmed results against raw upstream records."""

from __future__ import annotations

import json
from typing import Any

import mcp_types as types
from mcp import Client

from bench.common import Series, in_memory_ours, raw_execute
from bench.floor import create_floor_server
from bench.report import Row

MODEL_READ_TARGET_KB = 8.0
TRIM_TARGET = 0.50
ENTITIES = ("candidates", "applications", "jobs")
LIMIT = 100


def _compact(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def listing_sizes(listing: types.ListToolsResult) -> tuple[int, int]:
    """Return (whole `tools/list` result, the part a model reads) in bytes of compact JSON.

    The part a model reads is each tool's name, description and input schema: the
    fields of a tool definition in the Anthropic and OpenAI model APIs, which hosts
    fill from `tools/list`.
    """
    whole = listing.model_dump(mode="json", by_alias=True, exclude_none=True)
    read = [
        {"name": tool["name"], "description": tool.get("description", ""), "inputSchema": tool["inputSchema"]}
        for tool in whole["tools"]
    ]
    return len(_compact(whole)), len(_compact(read))


async def _floor_listing() -> types.ListToolsResult:
    async with Client(create_floor_server()) as client:
        return await client.list_tools()


async def _trimmed_per_record(api_url: str, view: str) -> dict[str, tuple[float, float, int]]:
    """Return, per entity, (trimmed bytes per record, raw bytes per record, records compared)."""
    sizes = {}
    async with in_memory_ours(api_url, list_view=view) as client:
        for entity in ENTITIES:
            result = await client.call_tool(f"{entity}_list", {"limit": LIMIT})
            if result.is_error:
                raise RuntimeError(f"{entity}_list failed: {result.content[0].text[:300]}")
            text = result.content[0].text
            returned = [record["id"] for record in result.structured_content["records"]]
            raw_records = raw_execute(api_url, entity, "list", {"limit": LIMIT}).json()["result"]
            same = raw_records[: len(returned)]
            if [record["id"] for record in same] != returned:
                raise RuntimeError(f"{entity}_list returned other records than the upstream's first page")
            trimmed = len(text.encode("utf-8")) / len(returned)
            raw = len(_compact(same)) / len(returned)
            sizes[entity] = (trimmed, raw, len(returned))
    return sizes


async def measure(api_url: str) -> tuple[list[Row], str]:
    async with in_memory_ours(api_url) as client:
        ours_whole, ours_read = listing_sizes(await client.list_tools())
    floor_whole, floor_read = listing_sizes(await _floor_listing())

    rows = [
        Row(
            5,
            "`tools/list` result, whole",
            Series("KB", [ours_whole / 1000]),
            "floor server",
            Series("KB", [floor_whole / 1000]),
            f"{ours_whole / floor_whole:.2f}×",
            "—",
            None,
        ),
        Row(
            5,
            "`tools/list`, the part a model reads (names, descriptions, input schemas)",
            Series("KB", [ours_read / 1000]),
            "floor server",
            Series("KB", [floor_read / 1000]),
            f"{ours_read / floor_read:.2f}×",
            f"≤ {MODEL_READ_TARGET_KB:g} KB",
            ours_read / 1000 <= MODEL_READ_TARGET_KB,
        ),
    ]
    counts = {}
    for view in ("summary", "full"):
        sizes = await _trimmed_per_record(api_url, view)
        for entity, (trimmed, raw, count) in sizes.items():
            counts[view, entity] = count
            share = trimmed / raw
            is_default = view == "summary"
            rows.append(
                Row(
                    5,
                    f"`{entity}_list` result per record, {view} view" + (" (default)" if is_default else " (for context)"),
                    Series("bytes/record", [trimmed]),
                    "raw upstream records",
                    Series("bytes/record", [raw]),
                    f"{share:.0%}",
                    f"≤ {TRIM_TARGET:.0%}" if is_default else "—",
                    share <= TRIM_TARGET if is_default else None,
                )
            )
    described = ", ".join(
        f"{entity} {counts['summary', entity]} (summary) and {counts['full', entity]} (full)" for entity in ENTITIES
    )
    note = (
        "**5. Payload.** Sizes are bytes of compact UTF-8 JSON and do not vary between runs. The whole `tools/list` "
        "is the result as the SDK serialises it; the part a model reads keeps each tool's name, description and "
        f"input schema. Trimmed results: one `{{entity}}_list` call with limit {LIMIT}; the bytes are the text "
        "content a model reads (JSON with cursor and the hint line), divided by the records returned. The raw "
        "side is the compact JSON of the same records from the upstream's first page. The byte budget cuts "
        f"pages, so the records compared were: {described}."
    )
    return rows, note
