"""Hostile upstream records through the real tool path: schema-valid, within budget, nothing silently lost."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from mcp import Client

from ashby_mcp.backends.base import Page
from ashby_mcp.server import create_server
from ashby_mcp.trimming import DEPTH_MARKER, MAX_DEPTH, MIN_FIT_BYTES, OMITTED_KEY, Trimmer, byte_size
from tests.support import make_settings

pytestmark = pytest.mark.anyio


class PagesBackend:
    """A backend that serves fixed pages by upstream cursor and one fixed record for get."""

    def __init__(self, pages: dict[str | None, Page], record: dict[str, Any] | None = None) -> None:
        self.pages = pages
        self.record = record
        self.list_params: list[dict[str, Any]] = []

    async def list(self, entity: str, params: dict[str, Any], select_fields: list[str] | None = None) -> Page:
        self.list_params.append(params)
        return self.pages[params.get("cursor")]

    async def get(self, entity: str, params: dict[str, Any], select_fields: list[str] | None = None) -> dict[str, Any]:
        assert self.record is not None
        return self.record

    async def aclose(self) -> None:
        pass


def one_page(*records: dict[str, Any]) -> PagesBackend:
    return PagesBackend({None: Page(list(records), None, False)})


async def call(backend: PagesBackend, tool: str, arguments: dict[str, Any], **settings: Any) -> Any:
    """Call one tool through the SDK client, which validates results against the output schema."""
    app = create_server(make_settings(connector_id="connector", access_token="token", **settings), backend)
    async with Client(app.server) as client:
        return await client.call_tool(tool, arguments)


def text_bytes(result: Any) -> int:
    return len(result.content[0].text.encode("utf-8"))


@pytest.mark.parametrize(
    ("record", "shown_id"),
    [
        ({"firstName": "no id"}, ""),
        ({"id": None, "firstName": "null id"}, ""),
        ({"id": "", "firstName": "empty id"}, ""),
        ({"id": {"nested": 1}}, ""),
        ({"id": 42}, "42"),
    ],
)
async def test_record_without_string_id_validates(record: dict[str, Any], shown_id: str) -> None:
    result = await call(one_page(record), "users_list", {}, list_view="full")
    assert not result.is_error, result.content[0].text
    assert result.structured_content["records"][0]["id"] == shown_id


async def test_mistyped_id_is_kept_under_unexpected() -> None:
    result = await call(one_page({"id": {"nested": 1}}), "users_list", {}, list_view="full")
    assert result.structured_content["records"][0]["_unexpected"] == {"id": {"nested": 1}}


async def test_reserved_upstream_keys_are_not_overwritten() -> None:
    record = {"id": "u1", "_omitted": "upstream note", "_unexpected": "upstream value", "email": 5}
    result = await call(one_page(record), "users_list", {}, list_view="full")
    shown = result.structured_content["records"][0]
    assert shown["_unexpected"] == {"_omitted": "upstream note", "_unexpected": "upstream value", "email": 5}
    assert OMITTED_KEY not in shown


async def test_huge_id_stays_within_budget() -> None:
    result = await call(one_page({"id": "x" * 10_000, "firstName": "Ann"}), "users_list", {}, max_result_bytes=2000)
    assert not result.is_error
    assert text_bytes(result) <= 2000
    assert result.structured_content["records"][0]["id"].endswith("…[cut: id too long]")


async def test_many_long_keys_stay_within_budget() -> None:
    record = {"id": "u1", **{f"field{index}_" + "k" * 200: "v" for index in range(300)}}
    result = await call(one_page(record), "users_list", {}, max_result_bytes=2000, list_view="full")
    assert not result.is_error
    assert text_bytes(result) <= 2000
    note = result.structured_content["records"][0][OMITTED_KEY]
    assert "more" in note


async def test_get_of_huge_record_stays_within_budget() -> None:
    record = {"id": "u1", **{f"f{index}": "v" * 30 for index in range(5000)}}
    result = await call(PagesBackend({}, record), "users_get", {"userId": "u1"}, max_result_bytes=3000)
    assert not result.is_error
    assert text_bytes(result) <= 3000
    assert "request them with fields" in result.structured_content[OMITTED_KEY]


def test_fit_is_fast_for_many_fields() -> None:
    # Dropping one field at a time and measuring the whole record again took
    # 66 s for this record, blocking the event loop and every other call.
    trimmer = Trimmer(max_string_chars=500, get_tool="users_get")
    record = {"id": "u1", **{f"f{index}": "v" * 10 for index in range(20_000)}}
    started = time.perf_counter()
    fitted = trimmer.fit(trimmer.trim(record), 40_000)
    assert time.perf_counter() - started < 2
    assert byte_size(fitted) <= 40_000


@pytest.mark.parametrize("budget", [MIN_FIT_BYTES, 600, 1000, 5000])
def test_fit_meets_small_budgets(budget: int) -> None:
    trimmer = Trimmer(max_string_chars=None, get_tool="candidates_get")
    hostile = {"id": "é" * 3000, **{"\"quoted\\key" * 20 + str(index): ["\u2028"] * 50 for index in range(50)}}
    assert byte_size(trimmer.fit(hostile, budget)) <= budget


async def test_deep_nesting_is_cut_with_a_marker() -> None:
    deep: Any = "leaf"
    for _ in range(400):
        deep = {"a": [deep]}
    result = await call(one_page({"id": "u1", "email": "a@example.com", "extra": deep}), "users_list", {}, list_view="full")
    assert not result.is_error, result.content[0].text
    assert DEPTH_MARKER in result.content[0].text
    depth = 0
    node = result.structured_content["records"][0]["extra"]
    while isinstance(node, dict | list):
        node = node["a"] if isinstance(node, dict) else node[0]
        depth += 1
    assert depth < MAX_DEPTH


@pytest.mark.parametrize(
    "value",
    [json.loads('"a\\ud800b"'), json.loads('"\\udfff"'), "emoji \U0001f600 and \u2028 line separator"],
)
async def test_lone_surrogates_and_unicode_are_served(value: str) -> None:
    record = {"id": value, "email": value, value: value}
    result = await call(one_page(record), "users_list", {}, list_view="full")
    assert not result.is_error, result.content[0].text
    result.content[0].text.encode("utf-8")  # raises if a lone surrogate got through


async def test_non_finite_float_becomes_text() -> None:
    result = await call(one_page({"id": "u1", "isEnabled": float("nan")}), "users_list", {}, list_view="full")
    assert not result.is_error
    json_text = result.content[0].text.rsplit("\n", 1)[0]
    assert "NaN" not in json_text
    assert json.loads(json_text) == result.structured_content


def test_fit_with_short_string_limit() -> None:
    # With max_string_chars at or below 40 every cut step was skipped, and fit
    # raised UnboundLocalError on the variable those steps assign.
    trimmer = Trimmer(max_string_chars=20, get_tool="candidates_get")
    record = trimmer.trim({"id": "c1", "k" * 300: "x" * 21, "name": "é" * 400})
    assert byte_size(trimmer.fit(record, 500)) <= 500
