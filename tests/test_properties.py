"""Property tests: arbitrary arguments and arbitrary upstream records never break a tool call.

Each property runs PROPERTY_EXAMPLES examples (1,000 by default; the environment
variable ASHBY_MCP_PROPERTY_EXAMPLES changes it). Examples are kept cheap: the
argument property drives one in-memory MCP session through a blocking portal,
and the record properties call ToolRunner directly with fake backends.
"""

from __future__ import annotations

import json
import operator
import os
from collections.abc import Iterator
from typing import Any

import anyio
import anyio.from_thread
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase
from jsonschema import Draft202012Validator
from mcp import Client

from ashby_mcp.backends.base import Page
from ashby_mcp.catalog import ENTITIES
from ashby_mcp.cursors import CursorState
from ashby_mcp.server import create_server
from ashby_mcp.tools import ToolRunner, build_tool_specs
from tests.support import REPO_ROOT, make_settings

PROPERTY_EXAMPLES = int(os.environ.get("ASHBY_MCP_PROPERTY_EXAMPLES", "1000"))
PROPERTY_SETTINGS = settings(
    max_examples=PROPERTY_EXAMPLES,
    deadline=None,
    database=DirectoryBasedExampleDatabase(str(REPO_ROOT / ".hypothesis" / "examples")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
MAX_ERROR_BYTES = 8000
"""Upper bound on the text of an error result; a model reads all of it."""

SPECS = build_tool_specs(make_settings())
TOOL_NAMES = [spec.name for spec in SPECS]
FIELD_NAMES = sorted({field.name for entity in ENTITIES for field in entity.fields})
VALIDATORS = {spec.name: Draft202012Validator(spec.output_schema) for spec in SPECS}


# Strategies for JSON values a model or an upstream could send.

# MCP clients cannot send lone surrogates (the SDK's client fails to serialise them),
# but an upstream can, through JSON escapes such as "\ud800".
texts = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", " ", "\u2028", '"', "\\", "…[cut 3 chars]", "a1.x.y", "null", "<script>"]),
)
upstream_texts = st.one_of(texts, st.sampled_from(["\ud800", "a\udfffb", "\udc00\ud800"]))
# Field paths that pass the syntax check, most of them names no record has.
field_paths = st.one_of(
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,30}(\.[A-Za-z_][A-Za-z0-9_]{0,30}){0,3}", fullmatch=True),
    st.builds(operator.mul, st.just("f"), st.integers(100, 5000)),
)
huge_texts = st.builds(
    operator.mul, st.sampled_from(["x", "é", "\U0001f600", "\u2028", '"', "\\", "\n", "ab"]), st.integers(0, 30_000)
)


def json_values_of(strings: st.SearchStrategy[str]) -> tuple[st.SearchStrategy[Any], st.SearchStrategy[Any]]:
    """Return strategies for JSON scalars and for nested JSON values built on `strings`."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(min_value=-(10**400), max_value=10**400),
        st.floats(allow_nan=False, allow_infinity=False),
        strings,
    )
    values = st.recursive(
        scalars,
        lambda children: st.lists(children, max_size=3) | st.dictionaries(strings, children, max_size=3),
        max_leaves=8,
    )
    return scalars, values


json_scalars, json_values = json_values_of(texts)
upstream_scalars, upstream_json = json_values_of(upstream_texts)


def wrap(value: Any, depth: int) -> Any:
    """Nest a value `depth` levels deep, alternating objects and lists."""
    for level in range(depth):
        value = {"nested": value} if level % 2 else [value]
    return value


deep_values = st.builds(wrap, upstream_scalars, st.integers(0, 120))
upstream_values = st.one_of(upstream_json, huge_texts, deep_values)
record_keys = st.one_of(
    st.sampled_from([*FIELD_NAMES, "_omitted", "_unexpected", "id"]),
    upstream_texts,
    st.builds(operator.mul, st.sampled_from(["k", "\u00e9", '"']), st.integers(100, 3000)),
)
records = st.dictionaries(record_keys, upstream_values, max_size=6)


# Property 1: arbitrary arguments through a live MCP session.


class StaticBackend:
    """Serves three small records per page and echoes the id of a get."""

    async def list(self, entity: str, params: dict[str, Any], select_fields: list[str] | None = None) -> Page:
        offset = int(params.get("cursor") or 0) if str(params.get("cursor") or "0").isdigit() else 0
        rows = [{"id": f"{entity}-{offset + index}", "name": "Ann"} for index in range(3)]
        return Page(rows, str(offset + 3) if offset < 9 else None, offset < 9)

    async def get(self, entity: str, params: dict[str, Any], select_fields: list[str] | None = None) -> dict[str, Any]:
        (record_id,) = params.values()
        return {"id": record_id, "name": "Ann"}

    async def aclose(self) -> None:
        pass


@pytest.fixture(scope="module")
def session() -> Iterator[tuple[anyio.from_thread.BlockingPortal, Client, ToolRunner]]:
    """One MCP session over the in-memory transport, driven from the test thread."""
    app = create_server(make_settings(connector_id="connector", access_token="token"), StaticBackend())
    with (
        anyio.from_thread.start_blocking_portal("asyncio") as portal,
        portal.wrap_async_context_manager(Client(app.server)) as client,
    ):
        yield portal, client, app.runner


def cursors_for(runner: ToolRunner) -> st.SearchStrategy[str]:
    """Cursors the server issued, for any entity, and copies with one character changed."""
    issued = st.builds(
        lambda entity, upstream, size, skip, after: runner.codec.encode(CursorState(entity, upstream, size, skip, after)),
        st.sampled_from([entity.name for entity in ENTITIES]),
        st.none() | st.sampled_from(["3", "6", "x", ""]),
        st.integers(1, 100),
        st.integers(0, 200),
        st.none() | st.text(max_size=12),
    )
    changed = st.builds(
        lambda cursor, index, char: cursor[: index % len(cursor)] + char + cursor[index % len(cursor) + 1 :],
        issued,
        st.integers(0, 400),
        st.characters(),
    )
    return st.one_of(issued, changed)


def arguments_for(runner: ToolRunner) -> st.SearchStrategy[dict[str, Any]]:
    known = sorted({name for spec in SPECS for name in spec.input_schema["properties"]})
    plausible = st.fixed_dictionaries(
        {},
        optional={
            "limit": st.one_of(st.integers(-5, 120), json_values),
            "cursor": st.one_of(cursors_for(runner), texts),
            "fields": st.one_of(st.lists(st.sampled_from(FIELD_NAMES) | field_paths | texts, max_size=4), json_values),
            "id": st.one_of(texts, json_values),
            "userId": texts,
            "applicationId": texts,
        },
    )
    arbitrary = st.dictionaries(st.sampled_from(known) | texts | huge_texts, json_values | huge_texts, max_size=5)
    return st.one_of(plausible, arbitrary)


@st.composite
def tool_calls(draw: st.DrawFn, runner: ToolRunner) -> tuple[str, dict[str, Any]]:
    return draw(st.sampled_from(TOOL_NAMES)), draw(arguments_for(runner))


def test_arbitrary_arguments_never_break_a_call(session: Any) -> None:
    portal, client, runner = session
    budget = runner.settings.max_result_bytes

    @PROPERTY_SETTINGS
    @given(call=tool_calls(runner))
    def check(call: tuple[str, dict[str, Any]]) -> None:
        name, arguments = call
        # A protocol error, or structured content that fails the output schema, raises here.
        result = portal.call(client.call_tool, name, arguments)
        text = result.content[0].text
        if result.is_error:
            assert text.strip()
            assert "internal error" not in text, text
            assert len(text.encode("utf-8")) <= MAX_ERROR_BYTES
        else:
            assert len(text.encode("utf-8")) <= budget
            assert json.loads(text.rsplit("\n", 1)[0]) == result.structured_content

    check()


# Properties 2 and 3: arbitrary upstream records under arbitrary budgets.


class RecordsBackend:
    """Serves a fixed list of records in upstream pages of the requested size.

    `faults` maps a request number (from 1) to an upstream misbehaviour on that request:
    "back_to_start" returns the page with a cursor to its own start, and "empty" returns
    an empty page whose cursor leads to the same page.
    """

    def __init__(self, rows: list[dict[str, Any]], faults: dict[int, str] | None = None) -> None:
        self.rows = rows
        self.faults = faults or {}
        self.requests = 0

    async def list(self, entity: str, params: dict[str, Any], select_fields: list[str] | None = None) -> Page:
        self.requests += 1
        offset = int((params.get("cursor") or "0").split(":")[0])
        end = offset + params["limit"]
        more = end < len(self.rows)
        fault = self.faults.get(self.requests)
        # The suffix makes the cursor differ from the one sent, as a real upstream's would.
        if fault == "back_to_start":
            return Page(self.rows[offset:end], f"{offset}:again{self.requests}", True)
        if fault == "empty":
            return Page([], f"{offset}:empty{self.requests}", True)
        return Page(self.rows[offset:end], str(end) if more else None, more)

    async def get(self, entity: str, params: dict[str, Any], select_fields: list[str] | None = None) -> dict[str, Any]:
        return self.rows[0]

    async def aclose(self) -> None:
        pass


shaping_settings = st.fixed_dictionaries(
    {
        "max_result_bytes": st.integers(2000, 60_000),
        "max_string_chars": st.integers(100, 3000),
        "list_view": st.sampled_from(["summary", "full"]),
    }
)


def runner_for(rows: list[dict[str, Any]], options: dict[str, Any]) -> ToolRunner:
    from ashby_mcp.server import cursor_codec

    settings = make_settings(connector_id="connector", access_token="token", **options)
    return ToolRunner(settings, RecordsBackend(rows), cursor_codec(settings))


def check_result(runner: ToolRunner, name: str, result: Any) -> dict[str, Any]:
    """Assert the result is a success that fits the budget and validates; return its structured content."""
    text = result.content[0].text
    assert not result.is_error, text
    assert len(text.encode("utf-8")) <= runner.settings.max_result_bytes
    structured = result.structured_content
    assert json.loads(text.rsplit("\n", 1)[0]) == structured
    errors = [error.message for error in VALIDATORS[name].iter_errors(structured)]
    assert not errors, errors
    return structured


@PROPERTY_SETTINGS
@given(
    rows=st.lists(records, min_size=1, max_size=6),
    options=shaping_settings,
    tool=st.sampled_from(TOOL_NAMES),
    limit=st.integers(1, 8),
    fields=st.none() | st.lists(st.sampled_from(FIELD_NAMES) | field_paths, min_size=1, max_size=4),
)
def test_arbitrary_records_fit_budget_and_schema(
    rows: list[dict[str, Any]], options: dict[str, Any], tool: str, limit: int, fields: list[str] | None
) -> None:
    runner = runner_for(rows, options)
    spec = runner.by_name[tool]
    arguments: dict[str, Any] = {}
    if fields:
        arguments["fields"] = fields
    if spec.action == "get":
        arguments[spec.entity.get_id_param] = "any-id"
    else:
        arguments["limit"] = limit
    structured = check_result(runner, tool, anyio.run(runner.call, tool, arguments))
    if spec.action == "list":
        shown = len(structured["records"])
        assert shown >= 1  # paging always moves forward
        if shown < min(limit, len(rows)):
            assert structured["has_more"], "a page cut short must say that more records follow"


@PROPERTY_SETTINGS
@given(
    rows=st.lists(records, min_size=1, max_size=8),
    options=shaping_settings,
    limits=st.lists(st.integers(1, 5), min_size=1, max_size=4),
    view=st.sampled_from(["summary", "full"]),
    faults=st.dictionaries(st.integers(1, 8), st.sampled_from(["back_to_start", "empty"]), max_size=2),
)
def test_paging_returns_every_record_once(
    rows: list[dict[str, Any]], options: dict[str, Any], limits: list[int], view: str, faults: dict[int, str]
) -> None:
    unique = [{**row, "id": f"c{index}"} for index, row in enumerate(rows)]
    runner = runner_for(unique, {**options, "list_view": view})
    runner.backend = RecordsBackend(unique, faults)

    async def page_all() -> list[str]:
        ids: list[str] = []
        arguments: dict[str, Any] = {}
        for call in range(4 * len(unique) + 8):
            # The model may change the limit from call to call; the last one repeats.
            arguments["limit"] = limits[min(call, len(limits) - 1)]
            result = await runner.call("candidates_list", arguments)
            if result.is_error:
                # An error asking the model to try again is a valid outcome of an upstream
                # fault. The repeated call gets new request numbers, so the faults spare it.
                assert "Try again" in result.content[0].text, result.content[0].text
                result = await runner.call("candidates_list", arguments)
            structured = check_result(runner, "candidates_list", result)
            ids.extend(record["id"] for record in structured["records"])
            if structured["next_cursor"] is None:
                return ids
            arguments = {"cursor": structured["next_cursor"]}
        raise AssertionError("paging did not end")

    assert anyio.run(page_all) == [row["id"] for row in unique]
