"""Pages cut by the byte budget resume from the stored upstream page, or refetch it when it is gone."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from ashby_mcp.pagecache import PageCache
from ashby_mcp.sandbox import Dataset, SandboxConfig
from tests.support import sandbox_server

pytestmark = pytest.mark.anyio


def _count_upstream_lists(app: Any) -> list[dict[str, Any]]:
    """Record the params of every upstream list request the app's backend sends."""
    requests: list[dict[str, Any]] = []
    backend = app.runner.backend
    original = backend.list

    async def counting(entity: str, params: dict[str, Any], select_fields: list[str] | None = None) -> Any:
        requests.append(dict(params))
        return await original(entity, params, select_fields)

    backend.list = counting
    return requests


async def _crawl(client: Client, **arguments: Any) -> tuple[list[str], int]:
    ids: list[str] = []
    calls = 0
    call_arguments = dict(arguments)
    while calls < 1000:
        result = await client.call_tool("candidates_list", call_arguments)
        calls += 1
        assert not result.is_error, result.content[0].text
        page = result.structured_content
        ids.extend(record["id"] for record in page["records"])
        if not page["has_more"]:
            return ids, calls
        call_arguments = {**arguments, "cursor": page["next_cursor"]}
    raise AssertionError("paging did not end")


def test_page_cache_takes_each_page_once() -> None:
    cache = PageCache(max_pages=2, ttl_seconds=60)
    cache.put("a", 1)
    assert cache.take("a") == 1
    assert cache.take("a") is None


def test_page_cache_drops_oldest_beyond_limit() -> None:
    cache = PageCache(max_pages=2, ttl_seconds=60)
    for key in ("a", "b", "c"):
        cache.put(key, key)
    assert len(cache) == 2
    assert cache.take("a") is None
    assert cache.take("c") == "c"


def test_page_cache_expires_pages() -> None:
    cache = PageCache(max_pages=2, ttl_seconds=0)
    cache.put("a", 1)
    assert cache.take("a") is None


async def test_cut_pages_fetch_each_upstream_page_once() -> None:
    config = SandboxConfig(candidates=300)
    app = sandbox_server(config, max_result_bytes=6000)
    requests = _count_upstream_lists(app)
    try:
        async with Client(app.server) as client:
            ids, calls = await _crawl(client, limit=100)
    finally:
        await app.aclose()
    assert ids == list(Dataset(config).ids("candidates"))
    assert calls > 3  # the budget cut pages short
    assert len(requests) == 3


async def test_cut_page_cursor_refetches_without_stored_page() -> None:
    config = SandboxConfig(candidates=300)
    first = sandbox_server(config, max_result_bytes=6000)
    try:
        async with Client(first.server) as client:
            result = await client.call_tool("candidates_list", {"limit": 100})
            page = result.structured_content
            assert page["has_more"]
            cursor = page["next_cursor"]
            resumed = await client.call_tool("candidates_list", {"limit": 100, "cursor": cursor})
    finally:
        await first.aclose()

    # A second server, as another replica would be, has no stored page and fetches it again.
    second = sandbox_server(config, max_result_bytes=6000)
    requests = _count_upstream_lists(second)
    try:
        async with Client(second.server) as client:
            refetched = await client.call_tool("candidates_list", {"limit": 100, "cursor": cursor})
    finally:
        await second.aclose()
    assert len(requests) == 1
    assert refetched.structured_content["records"] == resumed.structured_content["records"]
    assert refetched.structured_content["next_cursor"] == resumed.structured_content["next_cursor"]
