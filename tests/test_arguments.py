"""Bad arguments come back as is_error results that name the field; the session stays usable."""

from __future__ import annotations

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from tests.support import sandbox_server

pytestmark = pytest.mark.anyio

CASES = [
    ("candidates_get", {}, ["missing required argument 'id'"]),
    ("candidates_get", {"id": ""}, ["'id' must not be empty"]),
    ("candidates_get", {"id": 42}, ["'id' must be of type string"]),
    ("applications_get", {"application_id": "x"}, ["missing required argument 'applicationId'", "did you mean 'applicationId'"]),
    ("candidates_list", {"limit": 0}, ["'limit' must be between 1 and 100, got 0"]),
    ("candidates_list", {"limit": 1000}, ["'limit' must be between 1 and 100, got 1000"]),
    ("candidates_list", {"limit": "10"}, ["'limit' must be of type integer, got string \"10\""]),
    ("candidates_list", {"limit": 2.5}, ["'limit' must be of type integer"]),
    ("candidates_list", {"limit": True}, ["'limit' must be of type integer, got boolean"]),
    ("candidates_list", {"page": 2}, ["unknown argument 'page'"]),
    ("candidates_list", {"cursor": ""}, ["'cursor' must not be empty"]),
    ("candidates_list", {"cursor": "   "}, ["'cursor' must not be empty"]),
    ("candidates_list", {"cursor": "abc"}, ["Invalid cursor for candidates_list"]),
    ("candidates_list", {"cursor": "a1.e30.AAAAAAAAAAAAAAAA"}, ["signature does not match"]),
    ("candidates_list", {"cursor": 12}, ["'cursor' must be of type string"]),
    ("candidates_list", {"fields": []}, ["'fields' must list at least one field"]),
    ("candidates_list", {"fields": "name"}, ["'fields' must be of type array"]),
    ("candidates_list", {"fields": ["a..b"]}, ["is not a field name or dot path"]),
    ("candidates_list", {"limit": 0, "page": 1}, ["'limit' must be between", "unknown argument 'page'"]),
]


@pytest.mark.parametrize(("tool", "arguments", "expected"), CASES)
async def test_bad_arguments_are_tool_errors(tool: str, arguments: dict, expected: list[str]) -> None:
    app = sandbox_server()
    try:
        async with Client(app.server) as client:
            result = await client.call_tool(tool, arguments)
            assert result.is_error
            text = result.content[0].text
            for fragment in expected:
                assert fragment in text
            # The session keeps working after the error.
            follow_up = await client.call_tool("users_list", {"limit": 1})
            assert not follow_up.is_error
    finally:
        await app.aclose()


async def test_unknown_tool_is_a_protocol_error() -> None:
    app = sandbox_server()
    try:
        async with Client(app.server) as client:
            with pytest.raises(MCPError, match="Unknown tool 'candidate_list'"):
                await client.call_tool("candidate_list", {})
            assert not (await client.call_tool("users_list", {"limit": 1})).is_error
    finally:
        await app.aclose()
