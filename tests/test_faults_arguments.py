"""Hostile arguments from a model: huge names and many problems get a short, clear error."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from ashby_mcp.server import create_server
from tests.support import make_settings
from tests.test_faults_records import one_page

pytestmark = pytest.mark.anyio


async def call(arguments: dict[str, Any]) -> Any:
    app = create_server(make_settings(connector_id="connector", access_token="token"), one_page({"id": "c1"}))
    async with Client(app.server) as client:
        return await client.call_tool("candidates_list", arguments)


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        ({"x" * 50_000: 1}, "unknown argument 'xxxxxxxxx"),
        ({f"extra{index}": index for index in range(500)}, "and 490 more"),
        ({"fields": [f"bad field {index}" for index in range(1000)]}, "more problems of the same kinds"),
    ],
)
async def test_huge_bad_arguments_get_a_short_error(arguments: dict[str, Any], words: str) -> None:
    # These errors used to repeat every name in full, up to the size of the call itself.
    result = await call(arguments)
    assert result.is_error
    text = result.content[0].text
    assert words in text
    assert len(text.encode("utf-8")) < 3000
