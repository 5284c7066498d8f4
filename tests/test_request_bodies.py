"""Each tool sends the execute body its reference section documents."""

from __future__ import annotations

import json

import pytest
from mcp import Client
from pytest_httpx import HTTPXMock

from ashby_mcp.backends.airbyte import AirbyteExecuteBackend
from ashby_mcp.server import create_server
from ashby_mcp.tools import build_tool_specs
from tests.support import make_settings

API = "https://api.airbyte.test"
CONNECTOR = "11111111-2222-4333-8444-555555555555"
EXECUTE_URL = f"{API}/api/v1/integrations/connectors/{CONNECTOR}/execute"
TOKEN_URL = f"{API}/api/v1/account/applications/token"

pytestmark = pytest.mark.anyio


def _settings(**overrides: object):
    values = {"client_id": "cid", "client_secret": "csecret", "connector_id": CONNECTOR, "api_url": API}
    values.update(overrides)
    return make_settings(**values)


def _execute_bodies(httpx_mock: HTTPXMock) -> list[dict]:
    return [json.loads(request.content) for request in httpx_mock.get_requests(url=EXECUTE_URL)]


async def test_every_tool_sends_documented_body(httpx_mock: HTTPXMock) -> None:
    settings = _settings()
    httpx_mock.add_response(url=TOKEN_URL, json={"access_token": "tok-1", "expires_in": 900}, is_reusable=True)
    record = {"id": "rec-1"}
    for spec in build_tool_specs(settings):
        if spec.action == "list":
            body = {"status": "success", "result": [record], "connector_metadata": {"cursor": None, "has_more": False}}
        else:
            body = {"status": "success", "result": record}
        httpx_mock.add_response(url=EXECUTE_URL, json=body)

    app = create_server(settings, AirbyteExecuteBackend(settings))
    try:
        async with Client(app.server) as client:
            for spec in build_tool_specs(settings):
                arguments = {spec.entity.get_id_param: "rec-1"} if spec.action == "get" else {}
                result = await client.call_tool(spec.name, arguments)
                assert not result.is_error, result.content
    finally:
        await app.aclose()

    bodies = _execute_bodies(httpx_mock)
    expected = []
    for spec in build_tool_specs(settings):
        params = {spec.entity.get_id_param: "rec-1"} if spec.action == "get" else {"limit": 20}
        body = {"entity": spec.entity.name, "action": spec.action, "params": params}
        if spec.action == "list" and spec.entity.list_view:
            # The summary view requests from upstream only for the top-level fields it shows.
            heads = dict.fromkeys(path.split(".")[0] for path in spec.entity.list_view)
            body["select_fields"] = ["id", *[name for name in heads if name != "id"]]
        expected.append(body)
    assert bodies == expected


async def test_list_forwards_cursor_limit_and_fields(httpx_mock: HTTPXMock) -> None:
    settings = _settings()
    httpx_mock.add_response(url=TOKEN_URL, json={"access_token": "tok-1", "expires_in": 900})
    page_one = {
        "status": "success",
        "result": [{"id": "a", "name": "Ann"}],
        "connector_metadata": {"cursor": "up-2", "has_more": True},
    }
    page_two = {"status": "success", "result": [{"id": "b"}], "connector_metadata": {"cursor": None, "has_more": False}}
    httpx_mock.add_response(url=EXECUTE_URL, json=page_one)
    httpx_mock.add_response(url=EXECUTE_URL, json=page_two)

    app = create_server(settings, AirbyteExecuteBackend(settings))
    try:
        async with Client(app.server) as client:
            first = await client.call_tool("candidates_list", {"limit": 1, "fields": ["name"]})
            cursor = first.structured_content["next_cursor"]
            await client.call_tool("candidates_list", {"cursor": cursor, "fields": ["name"]})
    finally:
        await app.aclose()

    assert _execute_bodies(httpx_mock) == [
        {"entity": "candidates", "action": "list", "params": {"limit": 1}, "select_fields": ["id", "name"]},
        {
            "entity": "candidates",
            "action": "list",
            "params": {"limit": 20, "cursor": "up-2"},
            "select_fields": ["id", "name"],
        },
    ]


async def test_headers_carry_token_and_organization(httpx_mock: HTTPXMock) -> None:
    settings = _settings(organization_id="org-9")
    httpx_mock.add_response(url=TOKEN_URL, json={"access_token": "tok-1", "expires_in": 900})
    httpx_mock.add_response(url=EXECUTE_URL, json={"status": "success", "result": {"id": "x"}})
    backend = AirbyteExecuteBackend(settings)
    try:
        await backend.get("jobs", {"id": "x"})
    finally:
        await backend.aclose()

    token_request = httpx_mock.get_requests(url=TOKEN_URL)[0]
    assert json.loads(token_request.content) == {"client_id": "cid", "client_secret": "csecret"}
    request = httpx_mock.get_requests(url=EXECUTE_URL)[0]
    assert request.headers["Authorization"] == "Bearer tok-1"
    assert request.headers["X-Organization-Id"] == "org-9"
    assert request.headers["Content-Type"] == "application/json"
