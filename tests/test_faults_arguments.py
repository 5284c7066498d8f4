"""Hostile arguments from a model: huge names and many problems get a short, clear error."""

from __future__ import annotations

import time
from typing import Any

import pytest
from mcp import Client

from ashby_mcp.server import create_server
from tests.support import make_settings
from tests.test_faults_records import one_page

pytestmark = pytest.mark.anyio


async def call(arguments: dict[str, Any], tool: str = "candidates_list", **settings: Any) -> Any:
    backend = one_page({"id": "c1", "name": "Ann"})
    backend.record = {"id": "c1", "name": "Ann"}
    app = create_server(make_settings(connector_id="connector", access_token="token", **settings), backend)
    async with Client(app.server) as client:
        return await client.call_tool(tool, arguments)


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        ({"x" * 50_000: 1}, "unknown argument 'xxxxxxxxx"),
        ({f"extra{index}": index for index in range(500)}, "and 490 more"),
        ({"fields": [f"bad field {index}" for index in range(150)]}, "more problems of the same kinds"),
    ],
)
async def test_huge_bad_arguments_get_a_short_error(arguments: dict[str, Any], words: str) -> None:
    # These errors used to repeat every name in full, up to the size of the call itself.
    result = await call(arguments)
    assert result.is_error
    text = result.content[0].text
    assert words in text
    assert len(text.encode("utf-8")) < 3000


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        (["n" * 50_000], "No record here has fields 'nnnnnnn"),
        ([f"unknown_{index}_" + "x" * 60 for index in range(150)], "and 140 more"),
    ],
)
@pytest.mark.parametrize("tool", ["candidates_list", "candidates_get"])
async def test_unmatched_fields_note_fits_budget(fields: list[str], words: str, tool: str) -> None:
    # The note naming fields that no record has was added after the records were
    # fitted to the budget, so long or many names pushed the result over it.
    arguments: dict[str, Any] = {"fields": fields}
    if tool == "candidates_get":
        arguments["id"] = "c1"
    result = await call(arguments, tool, max_result_bytes=2000)
    assert not result.is_error, result.content[0].text
    text = result.content[0].text
    assert words in text
    assert len(text.encode("utf-8")) <= 2000


async def test_too_many_field_paths_are_rejected() -> None:
    # 50,000 paths took 8 s of CPU in one call, during which the server served no other call.
    started = time.perf_counter()
    result = await call({"fields": [f"field_{index}.sub" for index in range(50_000)]})
    assert time.perf_counter() - started < 2
    assert result.is_error
    assert "'fields' lists 50000 paths; name at most 200" in result.content[0].text


async def test_many_field_paths_within_the_cap_work() -> None:
    result = await call({"fields": [f"field_{index}" for index in range(200)]})
    assert not result.is_error, result.content[0].text
