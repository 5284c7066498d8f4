"""Paging over an upstream that repeats pages, shifts records or sends odd cursors."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from mcp import Client

from ashby_mcp.backends.base import Page
from ashby_mcp.cursors import CursorCodec, derive_cursor_key
from ashby_mcp.server import create_server
from tests.support import make_settings
from tests.test_faults_records import PagesBackend

pytestmark = pytest.mark.anyio


def users(*numbers: int) -> list[dict[str, Any]]:
    return [{"id": f"u{number}", "firstName": f"User {number}"} for number in numbers]


async def page_all(backend: PagesBackend, limit: int, **settings: Any) -> tuple[list[str], list[Any]]:
    """Follow next_cursor to the end; return the ids returned and every result."""
    app = create_server(make_settings(connector_id="connector", access_token="token", **settings), backend)
    ids: list[str] = []
    results = []
    async with Client(app.server) as client:
        arguments: dict[str, Any] = {"limit": limit}
        for _ in range(50):
            result = await client.call_tool("users_list", arguments)
            results.append(result)
            assert not result.is_error, result.content[0].text
            ids.extend(record["id"] for record in result.structured_content["records"])
            cursor = result.structured_content["next_cursor"]
            if cursor is None:
                return ids, results
            arguments = {"cursor": cursor}
    raise AssertionError("paging did not end")


async def test_cursor_back_to_first_page_repeats_nothing() -> None:
    # The first page's cursor leads to the first page again, then paging goes on normally.
    backend = PagesBackend(
        {
            None: Page(users(1, 2, 3), "again", True),
            "again": Page(users(1, 2, 3), "second", True),
            "second": Page(users(4, 5), None, False),
        }
    )
    ids, _ = await page_all(backend, limit=3)
    assert ids == ["u1", "u2", "u3", "u4", "u5"]


async def test_empty_page_during_resume_repeats_nothing() -> None:
    # The budget cuts the first page. Resuming it meets an empty page whose cursor
    # leads to the same page again, and that used to restart the page at its first record.
    long_name = "n" * 900
    records = [{"id": f"u{number}", "firstName": long_name} for number in range(1, 7)]
    pages = {
        None: Page(records, "second", True),
        "second": Page([{"id": "u7"}], None, False),
    }
    backend = PagesBackend(pages)
    calls = 0

    async def list_with_one_empty_page(entity: str, params: dict[str, Any], select_fields: Any = None) -> Page:
        nonlocal calls
        calls += 1
        if calls == 2:
            return Page([], "first again", True)
        if params.get("cursor") == "first again":
            return pages[None]
        return pages[params.get("cursor")]

    backend.list = list_with_one_empty_page  # type: ignore[method-assign]
    ids, results = await page_all(backend, limit=6, max_result_bytes=2500, max_string_chars=1000)
    assert len(results[0].structured_content["records"]) < 6  # the budget cut the first page
    assert ids == [f"u{number}" for number in range(1, 8)]


async def test_records_removed_before_position_are_not_skipped() -> None:
    records = users(1, 2, 3, 4, 5, 6)
    backend = PagesBackend({None: Page(records, None, False)})
    app = create_server(make_settings(connector_id="connector", access_token="token"), backend)
    async with Client(app.server) as client:
        first = await client.call_tool("users_list", {"limit": 3})
        assert [record["id"] for record in first.structured_content["records"]] == ["u1", "u2", "u3"]
        del records[0]  # u1 is deleted upstream, so u4 moves to index 2
        rest = await client.call_tool("users_list", {"cursor": first.structured_content["next_cursor"]})
    assert [record["id"] for record in rest.structured_content["records"]] == ["u4", "u5", "u6"]


@pytest.mark.parametrize("cursor", ["a1.é.x", "a1.\ud800.x", "a1.AAAAAAAAAA.é", "a1." + "A" * 20 + ".\u2028"])
async def test_non_ascii_cursor_is_rejected(cursor: str) -> None:
    backend = PagesBackend({None: Page(users(1), None, False)})
    app = create_server(make_settings(connector_id="connector", access_token="token"), backend)
    async with Client(app.server) as client:
        result = await client.call_tool("users_list", {"cursor": cursor})
    assert result.is_error
    assert "Invalid cursor for users_list" in result.content[0].text
    assert "internal error" not in result.content[0].text


async def test_long_upstream_cursor_pages_on() -> None:
    long_cursor = "c" * 1500
    backend = PagesBackend({None: Page(users(1, 2), long_cursor, True), long_cursor: Page(users(3), None, False)})
    ids, results = await page_all(backend, limit=2, max_result_bytes=6000)
    assert ids == ["u1", "u2", "u3"]
    assert all(len(result.content[0].text.encode()) <= 6000 for result in results)


@pytest.mark.parametrize(
    ("upstream_cursor", "budget", "words"),
    [
        ("é" * 600, 40_000, "more than the 4096 this server accepts"),
        ("c" * 1400, 2000, "Raise ASHBY_MCP_MAX_RESULT_BYTES"),
    ],
)
async def test_too_long_upstream_cursor_is_an_error(upstream_cursor: str, budget: int, words: str) -> None:
    # Such a cursor used to yield a next_cursor this server then rejected, or a result over budget.
    backend = PagesBackend({None: Page(users(1, 2), upstream_cursor, True)})
    app = create_server(make_settings(connector_id="connector", access_token="token", max_result_bytes=budget), backend)
    async with Client(app.server) as client:
        result = await client.call_tool("users_list", {"limit": 2})
    assert result.is_error
    assert words in result.content[0].text


def test_four_item_cursor_still_decodes() -> None:
    codec = CursorCodec(derive_cursor_key("test"))
    body = base64.urlsafe_b64encode(json.dumps(["users", "up", 20, 3]).encode()).rstrip(b"=").decode()
    payload = f"a1.{body}"
    state = codec.decode(f"{payload}.{codec._mac(payload)}", "users", "users_list")
    assert (state.upstream_cursor, state.page_size, state.skip, state.after) == ("up", 20, 3, None)


class OffsetBackend:
    """Serves users by offset, with faults by request number (from 1).

    "back_to_start" returns the page with a cursor to its own start, and "empty"
    returns an empty page whose cursor leads to the same page.
    """

    def __init__(self, count: int, faults: dict[int, str] | None = None) -> None:
        self.rows = users(*range(1, count + 1))
        self.faults = faults or {}
        self.requests: list[dict[str, Any]] = []

    async def list(self, entity: str, params: dict[str, Any], select_fields: Any = None) -> Page:
        self.requests.append(params)
        cursor = params.get("cursor")
        offset = int(cursor.split(":")[0]) if cursor else 0
        end = offset + params["limit"]
        more = end < len(self.rows)
        fault = self.faults.get(len(self.requests))
        if fault == "back_to_start":
            return Page(self.rows[offset:end], f"{offset}:again{len(self.requests)}", True)
        if fault == "empty":
            return Page([], f"{offset}:empty{len(self.requests)}", True)
        return Page(self.rows[offset:end], str(end) if more else None, more)

    async def get(self, entity: str, params: dict[str, Any], select_fields: Any = None) -> dict[str, Any]:
        raise AssertionError("not used")

    async def aclose(self) -> None:
        pass


async def page_with_limits(backend: OffsetBackend, limits: list[int]) -> tuple[list[str], int]:
    """Page with a different limit on each call, the last one repeating; return the ids and the calls made."""
    app = create_server(make_settings(connector_id="connector", access_token="token"), backend)
    ids: list[str] = []
    arguments: dict[str, Any] = {}
    async with Client(app.server) as client:
        for call in range(50):
            arguments["limit"] = limits[min(call, len(limits) - 1)]
            result = await client.call_tool("users_list", arguments)
            assert not result.is_error, result.content[0].text
            ids.extend(record["id"] for record in result.structured_content["records"])
            if result.structured_content["next_cursor"] is None:
                return ids, call + 1
            arguments = {"cursor": result.structured_content["next_cursor"]}
    raise AssertionError("paging did not end")


@pytest.mark.parametrize("limits", [[5, 2], [5, 3, 1], [10, 4], [3, 8]])
async def test_page_sent_again_with_new_limit_repeats_nothing(limits: list[int]) -> None:
    # The soak run found this: a cursor back to the first page, fetched with a smaller
    # limit, lacked the last record returned, so the first records came back again.
    ids, _ = await page_with_limits(OffsetBackend(12, {1: "back_to_start"}), limits)
    assert ids == [f"u{number}" for number in range(1, 13)]


@pytest.mark.parametrize("limits", [[5, 2], [10, 1, 4], [2, 7]])
async def test_changed_limit_pages_every_record_once(limits: list[int]) -> None:
    backend = OffsetBackend(23)
    ids, calls = await page_with_limits(backend, limits)
    assert ids == [f"u{number}" for number in range(1, 24)]
    # Each smaller limit costs one extra request, to check that no page was sent again.
    decreases = sum(1 for before, after in zip(limits, limits[1:]) if after < before)
    assert len(backend.requests) == calls + decreases


async def test_inconsistent_recheck_is_an_error_then_resumes() -> None:
    # Found by the paging property: the page fetched to check for a page sent again
    # came back empty, and the smaller page then returned a record a second time.
    backend = OffsetBackend(3, {2: "back_to_start", 4: "empty"})
    app = create_server(make_settings(connector_id="connector", access_token="token"), backend)
    async with Client(app.server) as client:
        first = await client.call_tool("users_list", {"limit": 1})
        second = await client.call_tool("users_list", {"cursor": first.structured_content["next_cursor"], "limit": 2})
        arguments = {"cursor": second.structured_content["next_cursor"], "limit": 1}
        checked = await client.call_tool("users_list", arguments)
        retried = await client.call_tool("users_list", arguments)
    assert checked.is_error
    assert "different users records for the same page" in checked.content[0].text
    assert "Try again" in checked.content[0].text
    pages = (first, second, retried)
    assert [record["id"] for page in pages for record in page.structured_content["records"]] == ["u1", "u2", "u3"]
    assert retried.structured_content["next_cursor"] is None
