"""Paging through the sandbox: every record exactly once, whatever the byte budget."""

from __future__ import annotations

import json

import pytest
from mcp import Client

from ashby_mcp.sandbox import Dataset, SandboxConfig
from tests.support import sandbox_server

pytestmark = pytest.mark.anyio


async def _page_all(client: Client, tool: str, **arguments: object) -> tuple[list[dict], int]:
    records: list[dict] = []
    calls = 0
    cursor = None
    while True:
        call_arguments = dict(arguments)
        if cursor:
            call_arguments["cursor"] = cursor
        result = await client.call_tool(tool, call_arguments)
        calls += 1
        assert not result.is_error, result.content[0].text
        page = result.structured_content
        records.extend(page["records"])
        assert page["has_more"] == (page["next_cursor"] is not None)
        cursor = page["next_cursor"]
        if cursor is None:
            return records, calls
        assert calls < 10_000, "paging did not end"


async def test_small_budget_pages_every_candidate_once() -> None:
    config = SandboxConfig()
    expected = list(Dataset(config).ids("candidates"))
    app = sandbox_server(config, max_result_bytes=4000)
    try:
        async with Client(app.server) as client:
            records, calls = await _page_all(client, "candidates_list", limit=50)
            ids = [record["id"] for record in records]
            assert ids == expected
            assert calls > len(expected) / 50  # the budget really cut pages short
            for record_id in ids:
                result = await client.call_tool("candidates_get", {"id": record_id})
                assert not result.is_error, result.content[0].text
                assert result.structured_content["id"] == record_id
    finally:
        await app.aclose()


async def test_results_stay_within_budget() -> None:
    app = sandbox_server(max_result_bytes=5000)
    try:
        async with Client(app.server) as client:
            cursor = None
            for _ in range(20):
                arguments = {"limit": 100, **({"cursor": cursor} if cursor else {})}
                result = await client.call_tool("applications_list", arguments)
                assert len(result.content[0].text.encode("utf-8")) <= 5000
                cursor = result.structured_content["next_cursor"]
    finally:
        await app.aclose()


@pytest.mark.parametrize(
    "tool",
    [
        "applications_list",
        "jobs_list",
        "departments_list",
        "locations_list",
        "users_list",
        "job_postings_list",
        "sources_list",
        "archive_reasons_list",
        "candidate_tags_list",
        "custom_fields_list",
        "feedback_form_definitions_list",
    ],
)
async def test_every_entity_pages_completely(tool: str) -> None:
    config = SandboxConfig()
    entity = tool.removesuffix("_list")
    expected = list(Dataset(config).ids(entity))
    app = sandbox_server(config, max_result_bytes=6000)
    try:
        async with Client(app.server) as client:
            records, _ = await _page_all(client, tool, limit=7)
    finally:
        await app.aclose()
    assert [record["id"] for record in records] == expected


async def test_long_text_cut_get_whole() -> None:
    config = SandboxConfig()
    dataset = Dataset(config)
    app = sandbox_server(config, list_view="full")
    try:
        async with Client(app.server) as client:
            records, _ = await _page_all(client, "candidates_list", limit=100)
            cut = [record for record in records if "…[cut " in json.dumps(record, ensure_ascii=False)]
            assert cut, "expected some candidate with text longer than 500 characters"
            marker_text = json.dumps(cut[0], ensure_ascii=False)
            assert "candidates_get returns all" in marker_text
            whole = await client.call_tool("candidates_get", {"id": cut[0]["id"]})
            assert "…[cut " not in whole.content[0].text
            upstream = dataset.find("candidates", cut[0]["id"])
            long_values = [
                field["value"]
                for field in upstream.get("customFields") or []
                if isinstance(field.get("value"), str) and len(field["value"]) > 500
            ]
            whole_values = [field.get("value") for field in whole.structured_content.get("customFields", [])]
            for value in long_values:
                assert value in whole_values
    finally:
        await app.aclose()


async def test_summary_view_names_hidden_fields() -> None:
    app = sandbox_server()
    try:
        async with Client(app.server) as client:
            result = await client.call_tool("candidates_list", {"limit": 5})
    finally:
        await app.aclose()
    allowed = {"id", "name", "emailAddresses", "phoneNumbers", "tags", "source", "applicationIds", "createdAt", "updatedAt"}
    for record in result.structured_content["records"]:
        assert set(record) <= allowed
    hint = result.content[0].text.rsplit("\n", 1)[1]
    assert "not shown: socialLinks, fileHandles, customFields" in hint
    assert "candidates_get" in hint


async def test_nulls_and_empty_values_are_dropped() -> None:
    app = sandbox_server(list_view="full")
    try:
        async with Client(app.server) as client:
            result = await client.call_tool("candidates_list", {"limit": 100})
    finally:
        await app.aclose()
    text = result.content[0].text
    assert ":null" not in text
    assert ':""' not in text
    assert ":[]" not in text


async def test_fields_select_paths() -> None:
    app = sandbox_server()
    try:
        async with Client(app.server) as client:
            result = await client.call_tool("candidates_list", {"limit": 5, "fields": ["name", "emailAddresses.value"]})
    finally:
        await app.aclose()
    for record in result.structured_content["records"]:
        assert set(record) <= {"id", "name", "emailAddresses"}
        for email in record.get("emailAddresses", []):
            assert set(email) == {"value"}


async def test_unmatched_fields_are_reported() -> None:
    app = sandbox_server()
    try:
        async with Client(app.server) as client:
            result = await client.call_tool("candidates_list", {"limit": 3, "fields": ["nmae", "emailAddresses.bogus"]})
            extra = await client.call_tool("candidates_list", {"limit": 3, "fields": ["position"]})
    finally:
        await app.aclose()
    assert not result.is_error
    hint = result.content[0].text.rsplit("\n", 1)[1]
    assert "'nmae' (did you mean 'name'?)" in hint
    assert "'emailAddresses.bogus'" in hint
    # A field the catalog does not list but real records carry is returned.
    assert any("position" in record for record in extra.structured_content["records"])
    assert "No record here" not in extra.content[0].text


async def test_new_limit_applies_at_page_start() -> None:
    app = sandbox_server()
    try:
        async with Client(app.server) as client:
            first = await client.call_tool("users_list", {"limit": 2})
            second = await client.call_tool("users_list", {"limit": 5, "cursor": first.structured_content["next_cursor"]})
            third = await client.call_tool("users_list", {"cursor": second.structured_content["next_cursor"]})
    finally:
        await app.aclose()
    assert len(second.structured_content["records"]) == 5
    assert len(third.structured_content["records"]) == 20
    ids = [r["id"] for page in (first, second, third) for r in page.structured_content["records"]]
    assert len(ids) == len(set(ids))


async def test_cursor_of_other_entity_is_rejected() -> None:
    app = sandbox_server()
    try:
        async with Client(app.server) as client:
            first = await client.call_tool("jobs_list", {"limit": 2})
            result = await client.call_tool("candidates_list", {"cursor": first.structured_content["next_cursor"]})
            assert result.is_error
            assert "belongs to the jobs listing" in result.content[0].text
            forged = first.structured_content["next_cursor"][:-3] + "AAA"
            result = await client.call_tool("jobs_list", {"cursor": forged})
            assert result.is_error
            assert "signature does not match" in result.content[0].text
            again = await client.call_tool("jobs_list", {"limit": 2})
            assert not again.is_error
    finally:
        await app.aclose()


async def test_unknown_id_is_a_not_found_error() -> None:
    app = sandbox_server()
    try:
        async with Client(app.server) as client:
            result = await client.call_tool("applications_get", {"applicationId": "00000000-0000-0000-0000-000000000000"})
    finally:
        await app.aclose()
    assert result.is_error
    assert "no applications record with that id" in result.content[0].text
