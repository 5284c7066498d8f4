"""The sandbox app over HTTP (httpx with ASGITransport) and its generated dataset."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from ashby_mcp.catalog import ENTITIES, ENTITIES_BY_NAME
from ashby_mcp.sandbox import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_CONNECTOR_ID,
    DEMO_ORGANIZATION_ID,
    Dataset,
    SandboxConfig,
    create_app,
)

TOKEN_PATH = "/api/v1/account/applications/token"
EXECUTE_PATH = f"/api/v1/integrations/connectors/{DEMO_CONNECTOR_ID}/execute"
ASHBY_DEFINITION_ID = "4e8c9fa0-3634-499b-b948-11581b5c3efa"
UUID_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
TIMESTAMP_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
GET_ENTITIES = [entity for entity in ENTITIES if entity.get_id_param]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def make_client(config: SandboxConfig | None = None) -> httpx.AsyncClient:
    app = create_app(config)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox.test")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with make_client() as sandbox_client:
        yield sandbox_client


async def fetch_token(client: httpx.AsyncClient) -> str:
    response = await client.post(TOKEN_PATH, json={"client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


async def execute(client: httpx.AsyncClient, body: dict, token: str | None = None, **headers: str) -> httpx.Response:
    token = token or await fetch_token(client)
    return await client.post(EXECUTE_PATH, json=body, headers={"Authorization": f"Bearer {token}", **headers})


async def list_all_ids(client: httpx.AsyncClient, entity: str, limit: int) -> list[str]:
    token = await fetch_token(client)
    ids: list[str] = []
    params: dict = {"limit": limit}
    for _ in range(10_000):
        response = await execute(client, {"entity": entity, "action": "list", "params": params}, token)
        assert response.status_code == 200, response.text
        body = response.json()
        ids.extend(record["id"] for record in body["result"])
        meta = body["connector_metadata"]
        if not meta["has_more"]:
            assert meta["cursor"] is None
            return ids
        params = {"limit": limit, "cursor": meta["cursor"]}
    raise AssertionError("paging did not end")


# Token endpoint


@pytest.mark.anyio
async def test_token_returns_bearer_for_valid_credentials(client: httpx.AsyncClient) -> None:
    response = await client.post(TOKEN_PATH, json={"client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert body["organization_id"] == DEMO_ORGANIZATION_ID
    assert isinstance(body["access_token"], str)
    assert len(body["access_token"]) >= 32


@pytest.mark.anyio
async def test_token_is_opaque_and_fresh(client: httpx.AsyncClient) -> None:
    first = await fetch_token(client)
    second = await fetch_token(client)
    assert first != second
    assert first.count(".") != 2


@pytest.mark.anyio
async def test_token_ttl_follows_config() -> None:
    async with make_client(SandboxConfig(token_ttl_seconds=42)) as client:
        response = await client.post(
            TOKEN_PATH, json={"client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET}
        )
    assert response.json()["expires_in"] == 42


@pytest.mark.anyio
@pytest.mark.parametrize(
    "credentials",
    [
        {"client_id": DEMO_CLIENT_ID, "client_secret": "wrong"},
        {"client_id": "wrong", "client_secret": DEMO_CLIENT_SECRET},
    ],
)
async def test_token_bad_credentials_return_500(client: httpx.AsyncClient, credentials: dict) -> None:
    response = await client.post(TOKEN_PATH, json=credentials)
    assert response.status_code == 500
    assert isinstance(response.json()["detail"], str)


@pytest.mark.anyio
@pytest.mark.parametrize(
    "content",
    [b"not json", b"[]", b'{"client_id": "demo-client-id"}', b'{"client_id": 1, "client_secret": "x"}'],
)
async def test_token_malformed_body_returns_422(client: httpx.AsyncClient, content: bytes) -> None:
    response = await client.post(TOKEN_PATH, content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert "detail" in response.json()


@pytest.mark.anyio
async def test_token_works_on_execute(client: httpx.AsyncClient) -> None:
    token = await fetch_token(client)
    response = await execute(client, {"entity": "users", "action": "list", "params": {"limit": 1}}, token)
    assert response.status_code == 200
    assert len(response.json()["result"]) == 1


# Authentication and routing


@pytest.mark.anyio
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer "}],
)
async def test_execute_rejects_bad_bearer_with_401(client: httpx.AsyncClient, headers: dict) -> None:
    response = await client.post(EXECUTE_PATH, json={"entity": "users", "action": "list"}, headers=headers)
    assert response.status_code == 401
    assert isinstance(response.json()["detail"], str)


@pytest.mark.anyio
async def test_execute_rejects_expired_token() -> None:
    async with make_client(SandboxConfig(token_ttl_seconds=0)) as client:
        token = await fetch_token(client)
        response = await execute(client, {"entity": "users", "action": "list"}, token)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


@pytest.mark.anyio
async def test_static_token_accepted_without_token_call() -> None:
    async with make_client(SandboxConfig(static_tokens=frozenset({"ready-token"}))) as client:
        accepted = await execute(client, {"entity": "users", "action": "list"}, "ready-token")
        rejected = await execute(client, {"entity": "users", "action": "list"}, "other-token")
    assert accepted.status_code == 200
    assert rejected.status_code == 401


@pytest.mark.anyio
async def test_unknown_connector_returns_404(client: httpx.AsyncClient) -> None:
    token = await fetch_token(client)
    response = await client.post(
        "/api/v1/integrations/connectors/00000000-0000-4000-8000-000000000000/execute",
        json={"entity": "users", "action": "list"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Connector not found or not enabled for agents"}


@pytest.mark.anyio
async def test_organization_header_required_when_configured() -> None:
    body = {"entity": "users", "action": "list", "params": {"limit": 1}}
    async with make_client(SandboxConfig(require_organization_header=True)) as client:
        missing = await execute(client, body)
        present = await execute(client, body, **{"X-Organization-Id": DEMO_ORGANIZATION_ID})
    assert missing.status_code == 400
    assert missing.json() == {"detail": "specify target organization"}
    assert present.status_code == 200


@pytest.mark.anyio
async def test_foreign_organization_header_returns_403(client: httpx.AsyncClient) -> None:
    response = await execute(
        client, {"entity": "users", "action": "list"}, **{"X-Organization-Id": "00000000-0000-4000-8000-000000000000"}
    )
    assert response.status_code == 403


@pytest.mark.anyio
async def test_unknown_path_returns_json_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/unknown")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


@pytest.mark.anyio
async def test_connector_lookup_by_workspace_name(client: httpx.AsyncClient) -> None:
    token = await fetch_token(client)
    headers = {"Authorization": f"Bearer {token}"}
    path = "/api/v1/integrations/connectors"
    found = await client.get(path, params={"workspace_name": "demo", "definition_id": ASHBY_DEFINITION_ID}, headers=headers)
    other = await client.get(path, params={"workspace_name": "other", "definition_id": ASHBY_DEFINITION_ID}, headers=headers)
    unauthenticated = await client.get(path, params={"workspace_name": "demo", "definition_id": ASHBY_DEFINITION_ID})
    assert found.json() == {"data": [{"id": DEMO_CONNECTOR_ID}]}
    assert other.json() == {"data": []}
    assert unauthenticated.status_code == 401


# Listing and paging


@pytest.mark.anyio
@pytest.mark.parametrize("entity", [entity.name for entity in ENTITIES])
async def test_list_paging_returns_every_id_once(client: httpx.AsyncClient, entity: str) -> None:
    dataset = Dataset(SandboxConfig())
    limit = 7 if entity not in ("candidates", "applications") else 97
    ids = await list_all_ids(client, entity, limit)
    assert len(ids) == dataset.count(entity)
    assert len(set(ids)) == len(ids)
    assert ids == list(dataset.ids(entity))


@pytest.mark.anyio
async def test_list_default_limit_is_100(client: httpx.AsyncClient) -> None:
    response = await execute(client, {"entity": "candidates", "action": "list"})
    body = response.json()
    assert len(body["result"]) == 100
    assert body["connector_metadata"]["has_more"] is True
    assert isinstance(body["connector_metadata"]["cursor"], str)


@pytest.mark.anyio
async def test_list_response_has_metadata(client: httpx.AsyncClient) -> None:
    response = await execute(client, {"entity": "sources", "action": "list", "params": {"limit": 100}})
    body = response.json()
    assert body["status"] == "success"
    assert body["connector_metadata"] == {"cursor": None, "has_more": False}
    assert body["execution_metadata"]["connector_instance_id"] == DEMO_CONNECTOR_ID
    assert isinstance(body["execution_metadata"]["execution_time_ms"], int)
    assert response.headers["content-type"].startswith("application/json")


@pytest.mark.anyio
async def test_list_records_equal_dataset_records(client: httpx.AsyncClient) -> None:
    dataset = Dataset(SandboxConfig())
    response = await execute(client, {"entity": "applications", "action": "list", "params": {"limit": 5}})
    assert response.json()["result"] == [dataset.record("applications", index) for index in range(5)]


@pytest.mark.anyio
async def test_list_of_empty_entity_has_no_more() -> None:
    async with make_client(SandboxConfig(sources=0)) as client:
        response = await execute(client, {"entity": "sources", "action": "list"})
    assert response.json()["result"] == []
    assert response.json()["connector_metadata"] == {"cursor": None, "has_more": False}


# Get by id


@pytest.mark.anyio
@pytest.mark.parametrize("entity", GET_ENTITIES, ids=lambda entity: entity.name)
async def test_get_returns_record_by_id(client: httpx.AsyncClient, entity) -> None:
    dataset = Dataset(SandboxConfig())
    token = await fetch_token(client)
    last = dataset.count(entity.name) - 1
    for index in (0, last // 2, last):
        expected = dataset.record(entity.name, index)
        body = {"entity": entity.name, "action": "get", "params": {entity.get_id_param: expected["id"]}}
        response = await execute(client, body, token)
        assert response.status_code == 200
        assert response.json()["result"] == expected
        assert response.json()["connector_metadata"] == {"cursor": None, "has_more": False}


@pytest.mark.anyio
@pytest.mark.parametrize("entity", GET_ENTITIES, ids=lambda entity: entity.name)
async def test_get_unknown_id_returns_failure_envelope(client: httpx.AsyncClient, entity) -> None:
    token = await fetch_token(client)
    unknown = "11111111-2222-4333-8444-555555555555"
    response = await execute(
        client, {"entity": entity.name, "action": "get", "params": {entity.get_id_param: unknown}}, token
    )
    assert response.status_code == 200
    result = response.json()["result"]
    code = entity.singular.replace(" ", "_") + "_not_found"
    assert result["success"] is False
    assert result["errors"] == [code]
    assert result["errorInfo"]["code"] == code
    assert isinstance(result["errorInfo"]["message"], str)
    assert isinstance(result["errorInfo"]["requestId"], str)


@pytest.mark.anyio
async def test_get_id_of_other_entity_is_not_found(client: httpx.AsyncClient) -> None:
    job_id = Dataset(SandboxConfig()).record("jobs", 0)["id"]
    response = await execute(client, {"entity": "candidates", "action": "get", "params": {"id": job_id}})
    assert response.json()["result"]["errors"] == ["candidate_not_found"]


@pytest.mark.anyio
async def test_get_envelope_shape_wraps_record() -> None:
    dataset = Dataset(SandboxConfig())
    expected = dataset.record("users", 3)
    async with make_client(SandboxConfig(get_result_shape="envelope")) as client:
        response = await execute(client, {"entity": "users", "action": "get", "params": {"userId": expected["id"]}})
    assert response.json()["result"] == {"success": True, "results": expected}


# Invalid requests


def assert_field_error(response: httpx.Response, field: str, error_code: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert isinstance(body["message"], str)
    matching = [error for error in body["errors"] if error["field"] == field]
    assert matching, body
    assert matching[0]["error_code"] == error_code
    assert isinstance(matching[0]["message"], str)
    assert isinstance(matching[0]["details"], dict)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("limit", "error_code"),
    [(0, "out_of_range"), (101, "out_of_range"), (-5, "out_of_range"), ("10", "invalid_type"),
     (True, "invalid_type"), (10.0, "invalid_type")],
)
async def test_list_rejects_bad_limit(client: httpx.AsyncClient, limit: object, error_code: str) -> None:
    response = await execute(client, {"entity": "candidates", "action": "list", "params": {"limit": limit}})
    assert_field_error(response, "limit", error_code)


@pytest.mark.anyio
async def test_list_accepts_limit_bounds(client: httpx.AsyncClient) -> None:
    token = await fetch_token(client)
    for limit in (1, 100):
        response = await execute(client, {"entity": "candidates", "action": "list", "params": {"limit": limit}}, token)
        assert response.status_code == 200
        assert len(response.json()["result"]) == limit


@pytest.mark.anyio
async def test_unknown_entity_returns_400(client: httpx.AsyncClient) -> None:
    response = await execute(client, {"entity": "offers", "action": "list"})
    assert_field_error(response, "entity", "invalid_entity")


@pytest.mark.anyio
@pytest.mark.parametrize(("entity", "action"), [("sources", "get"), ("candidates", "delete"), ("users", "search")])
async def test_unknown_action_returns_400(client: httpx.AsyncClient, entity: str, action: str) -> None:
    response = await execute(client, {"entity": entity, "action": action})
    assert_field_error(response, "action", "invalid_action")


@pytest.mark.anyio
@pytest.mark.parametrize("entity", GET_ENTITIES, ids=lambda entity: entity.name)
async def test_get_without_id_returns_missing_parameter(client: httpx.AsyncClient, entity) -> None:
    response = await execute(client, {"entity": entity.name, "action": "get", "params": {}})
    assert_field_error(response, entity.get_id_param, "missing_parameter")
    assert f"missing parameter {entity.get_id_param}" in response.json()["message"]


@pytest.mark.anyio
async def test_snake_case_id_is_dropped(client: httpx.AsyncClient) -> None:
    application_id = Dataset(SandboxConfig()).record("applications", 0)["id"]
    response = await execute(
        client, {"entity": "applications", "action": "get", "params": {"application_id": application_id}}
    )
    assert_field_error(response, "applicationId", "missing_parameter")
    assert "missing parameter applicationId" in response.json()["message"]


@pytest.mark.anyio
async def test_get_with_non_string_id_returns_400(client: httpx.AsyncClient) -> None:
    response = await execute(client, {"entity": "jobs", "action": "get", "params": {"id": 12}})
    assert_field_error(response, "id", "invalid_type")


@pytest.mark.anyio
async def test_unknown_list_params_are_ignored(client: httpx.AsyncClient) -> None:
    response = await execute(client, {"entity": "users", "action": "list", "params": {"limit": 2, "status": "x"}})
    assert response.status_code == 200
    assert len(response.json()["result"]) == 2


def tampered_cursors(cursor: str) -> list[str]:
    padded = cursor + "=" * (-len(cursor) % 4)
    payload = json.loads(base64.urlsafe_b64decode(padded))
    payload["o"] = 0
    moved = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    flipped = cursor[:-3] + ("A" if cursor[-3] != "A" else "B") + cursor[-2:]
    return ["abc", "", "!!!!", moved, flipped, base64.urlsafe_b64encode(b"[1, 2]").decode()]


@pytest.mark.anyio
async def test_forged_cursor_returns_cursor_invalid(client: httpx.AsyncClient) -> None:
    token = await fetch_token(client)
    first = await execute(client, {"entity": "candidates", "action": "list", "params": {"limit": 10}}, token)
    cursor = first.json()["connector_metadata"]["cursor"]
    for forged in tampered_cursors(cursor):
        response = await execute(
            client, {"entity": "candidates", "action": "list", "params": {"cursor": forged}}, token
        )
        assert_field_error(response, "cursor", "cursor_invalid")


@pytest.mark.anyio
async def test_cursor_of_other_entity_is_rejected(client: httpx.AsyncClient) -> None:
    token = await fetch_token(client)
    first = await execute(client, {"entity": "candidates", "action": "list", "params": {"limit": 10}}, token)
    cursor = first.json()["connector_metadata"]["cursor"]
    response = await execute(client, {"entity": "applications", "action": "list", "params": {"cursor": cursor}}, token)
    assert_field_error(response, "cursor", "cursor_invalid")


@pytest.mark.anyio
async def test_cursor_of_other_dataset_is_rejected() -> None:
    async with make_client(SandboxConfig(seed=1)) as other:
        first = await execute(other, {"entity": "users", "action": "list", "params": {"limit": 5}})
    cursor = first.json()["connector_metadata"]["cursor"]
    async with make_client() as client:
        response = await execute(client, {"entity": "users", "action": "list", "params": {"cursor": cursor}})
    assert_field_error(response, "cursor", "cursor_invalid")


@pytest.mark.anyio
@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"[]",
        b'{"action": "list"}',
        b'{"entity": 5, "action": "list"}',
        b'{"entity": "users", "action": "list", "params": []}',
        b'{"entity": "users", "action": "list", "select_fields": "name"}',
        b'{"entity": "users", "action": "list", "skip_truncation": "yes"}',
        ('{"entity": "users", "action": "list", "intent": "' + "x" * 513 + '"}').encode(),
    ],
)
async def test_malformed_execute_body_returns_422(client: httpx.AsyncClient, content: bytes) -> None:
    token = await fetch_token(client)
    response = await client.post(
        EXECUTE_PATH, content=content, headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)


@pytest.mark.anyio
async def test_optional_body_fields_are_accepted(client: httpx.AsyncClient) -> None:
    body = {"entity": "users", "action": "list", "params": {"limit": 1}, "skip_truncation": True,
            "intent": "x" * 512}
    response = await execute(client, body)
    assert response.status_code == 200


# Field selection


@pytest.mark.anyio
async def test_select_fields_keeps_only_paths(client: httpx.AsyncClient) -> None:
    body = {"entity": "candidates", "action": "list", "params": {"limit": 20},
            "select_fields": ["name", "emailAddresses.value"]}
    response = await execute(client, body)
    records = response.json()["result"]
    assert len(records) == 20
    for record in records:
        assert set(record) == {"name", "emailAddresses"}
        for email in record["emailAddresses"]:
            assert set(email) == {"value"}


@pytest.mark.anyio
async def test_exclude_fields_drops_paths(client: httpx.AsyncClient) -> None:
    dataset = Dataset(SandboxConfig())
    body = {"entity": "candidates", "action": "list", "params": {"limit": 20},
            "exclude_fields": ["customFields", "fileHandles.handle"]}
    records = (await execute(client, body)).json()["result"]
    for index, record in enumerate(records):
        expected = dataset.record("candidates", index)
        assert "customFields" not in record
        assert record["name"] == expected["name"]
        assert len(record["fileHandles"]) == len(expected["fileHandles"])
        for handle in record["fileHandles"]:
            assert set(handle) == {"id", "name"}


@pytest.mark.anyio
async def test_select_fields_wins_over_exclude(client: httpx.AsyncClient) -> None:
    body = {"entity": "users", "action": "list", "params": {"limit": 3},
            "select_fields": ["id", "email"], "exclude_fields": ["email"]}
    records = (await execute(client, body)).json()["result"]
    for record in records:
        assert set(record) == {"id", "email"}


@pytest.mark.anyio
async def test_select_fields_applies_to_get(client: httpx.AsyncClient) -> None:
    job = Dataset(SandboxConfig()).record("jobs", 1)
    body = {"entity": "jobs", "action": "get", "params": {"id": job["id"]}, "select_fields": ["title", "hiringTeam.userId"]}
    result = (await execute(client, body)).json()["result"]
    assert result == {"title": job["title"], "hiringTeam": [{"userId": m["userId"]} for m in job["hiringTeam"]]}


# Scale and timing


@pytest.mark.anyio
async def test_hundred_thousand_candidates_reach_last_page_quickly() -> None:
    config = SandboxConfig(candidates=100_000)
    started = time.perf_counter()
    dataset = Dataset(config)
    assert dataset.count("candidates") == 100_000
    assert dataset.count("applications") == 200_000
    last = dataset.record("candidates", 99_999)
    assert dataset.find("candidates", last["id"]) == last

    app = create_app(config)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox.test") as client:
        got = await execute(client, {"entity": "candidates", "action": "get", "params": {"id": last["id"]}})
        assert got.json()["result"] == last
        near_end = app.state.sandbox.cursors.encode("candidates", 99_950)
        page = await execute(
            client, {"entity": "candidates", "action": "list", "params": {"cursor": near_end, "limit": 100}}
        )
    body = page.json()
    assert [record["id"] for record in body["result"]] == [
        dataset.record("candidates", index)["id"] for index in range(99_950, 100_000)
    ]
    assert body["connector_metadata"] == {"cursor": None, "has_more": False}
    assert time.perf_counter() - started < 5


@pytest.mark.anyio
async def test_latency_config_delays_execute() -> None:
    async with make_client(SandboxConfig(latency_ms=200)) as client:
        token = await fetch_token(client)
        started = time.perf_counter()
        response = await execute(client, {"entity": "users", "action": "list", "params": {"limit": 1}}, token)
        elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert elapsed >= 0.2


# Dataset content


@pytest.fixture(scope="module")
def default_records() -> dict[str, list[dict]]:
    dataset = Dataset(SandboxConfig())
    return {
        entity.name: [dataset.record(entity.name, index) for index in range(dataset.count(entity.name))]
        for entity in ENTITIES
    }


def test_default_counts() -> None:
    dataset = Dataset(SandboxConfig())
    expected = {"candidates": 500, "applications": 1000, "jobs": 40, "job_postings": 40, "departments": 10,
                "locations": 8, "users": 30, "sources": 12, "archive_reasons": 8, "candidate_tags": 20,
                "custom_fields": 15, "feedback_form_definitions": 6}
    for name, count in expected.items():
        assert dataset.count(name) == count, name


def test_dataset_is_deterministic() -> None:
    first = Dataset(SandboxConfig(seed=7))
    second = Dataset(SandboxConfig(seed=7))
    other = Dataset(SandboxConfig(seed=8))
    for entity in ENTITIES:
        for index in range(min(5, first.count(entity.name))):
            assert first.record(entity.name, index) == second.record(entity.name, index)
    assert first.record("candidates", 0) != other.record("candidates", 0)
    assert list(first.ids("users")) != list(other.ids("users"))


def test_record_index_out_of_range_raises() -> None:
    dataset = Dataset(SandboxConfig())
    with pytest.raises(IndexError):
        dataset.record("users", 30)
    with pytest.raises(IndexError):
        dataset.record("users", -1)
    with pytest.raises(KeyError):
        dataset.count("offers")


def test_find_rejects_ids_it_did_not_make() -> None:
    dataset = Dataset(SandboxConfig())
    user_id = dataset.record("users", 5)["id"]
    assert dataset.find("users", user_id)["id"] == user_id
    assert dataset.find("users", user_id.upper()) is None
    assert dataset.find("users", user_id[:-1] + ("0" if user_id[-1] != "0" else "1")) is None
    assert dataset.find("jobs", user_id) is None
    assert dataset.find("users", "not-a-uuid") is None
    assert Dataset(SandboxConfig(seed=1)).find("users", user_id) is None
    assert Dataset(SandboxConfig(users=5)).find("users", user_id) is None


def test_ids_are_uuid_v4_shaped(default_records: dict[str, list[dict]]) -> None:
    for entity, records in default_records.items():
        for record in records:
            assert UUID_PATTERN.match(record["id"]), (entity, record["id"])


def test_records_have_every_reference_field(default_records: dict[str, list[dict]]) -> None:
    for entity, records in default_records.items():
        for record in records:
            missing = set(ENTITIES_BY_NAME[entity].field_names) - set(record)
            if entity == "applications" and record["status"] != "Archived":
                assert missing == {"archivedAt"}, record["id"]
            else:
                assert not missing, (entity, missing)


def test_archived_at_only_on_archived_applications(default_records: dict[str, list[dict]]) -> None:
    statuses = {record["status"] for record in default_records["applications"]}
    assert statuses == {"Active", "Hired", "Archived", "Lead"}
    for record in default_records["applications"]:
        assert ("archivedAt" in record) == (record["status"] == "Archived")
        assert (record["archiveReason"] is not None) == (record["status"] == "Archived")


def test_candidates_carry_unlisted_real_fields(default_records: dict[str, list[dict]]) -> None:
    for record in default_records["candidates"]:
        for name in ("primaryEmailAddress", "position", "company", "school", "location"):
            assert name in record


def test_timestamps_have_milliseconds_and_z(default_records: dict[str, list[dict]]) -> None:
    for entity, records in default_records.items():
        for record in records:
            for name in ("createdAt", "updatedAt", "archivedAt", "openedAt", "closedAt"):
                value = record.get(name)
                if value is not None:
                    assert TIMESTAMP_PATTERN.match(value), (entity, name, value)
    for posting in default_records["job_postings"]:
        assert re.match(r"^\d{4}-\d{2}-\d{2}$", posting["publishedDate"])


def walk_strings(value: object):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from walk_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk_strings(item)


def test_emails_use_example_domains(default_records: dict[str, list[dict]]) -> None:
    email = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
    seen = 0
    for records in default_records.values():
        for record in records:
            for text in walk_strings(record):
                for match in email.finditer(text):
                    seen += 1
                    assert match.group(1) in ("example.com", "example.org"), match.group(0)
    assert seen > 1000


def test_phone_numbers_are_fictional(default_records: dict[str, list[dict]]) -> None:
    phones = [phone["value"] for record in default_records["candidates"] for phone in record["phoneNumbers"]]
    assert phones
    for phone in phones:
        assert re.match(r"^\+1 \d{3} 555 01\d{2}$", phone), phone


def test_names_use_several_scripts(default_records: dict[str, list[dict]]) -> None:
    names = " ".join(record["name"] for record in default_records["candidates"])
    assert re.search(r"[À-ɏ]", names), "Latin letters with diacritics"
    assert re.search(r"[Ѐ-ӿ]", names), "Cyrillic"
    assert re.search(r"[一-鿿]", names), "CJK"
    assert "Nguyễn" in names or "Trần" in names


def test_long_custom_field_text_on_some_candidates(default_records: dict[str, list[dict]]) -> None:
    candidates = default_records["candidates"]
    with_long_text = [
        record for record in candidates
        if any(isinstance(item["value"], str) and 2000 <= len(item["value"]) <= 6000 for item in record["customFields"])
    ]
    share = len(with_long_text) / len(candidates)
    assert 0.05 <= share <= 0.15, share


def test_custom_field_values_cover_every_kind(default_records: dict[str, list[dict]]) -> None:
    kinds = set()
    for record in default_records["candidates"]:
        for item in record["customFields"]:
            value = item["value"]
            if isinstance(value, bool):
                kinds.add("boolean")
            elif isinstance(value, (int, float)):
                kinds.add("number")
            elif isinstance(value, str) and TIMESTAMP_PATTERN.match(value):
                kinds.add("date")
            elif isinstance(value, str):
                kinds.add("string")
            elif isinstance(value, list):
                assert all(isinstance(entry, str) for entry in value)
                kinds.add("string array")
            elif isinstance(value, dict) and "currencyCode" in value and "value" in value:
                kinds.add("currency")
            elif isinstance(value, dict) and "minValue" in value and "maxValue" in value:
                kinds.add("range")
    assert kinds == {"boolean", "number", "date", "string", "string array", "currency", "range"}


def test_file_handles_are_long_base64(default_records: dict[str, list[dict]]) -> None:
    handles = [item["handle"] for record in default_records["candidates"] for item in record["fileHandles"]]
    assert handles
    for handle in handles:
        assert len(handle) > 200
        assert re.match(r"^[A-Za-z0-9_-]+$", handle)


def test_some_fields_are_often_null(default_records: dict[str, list[dict]]) -> None:
    candidates = default_records["candidates"]
    for name in ("creditedToUser", "timezone", "source"):
        nulls = sum(record[name] is None for record in candidates)
        assert 0 < nulls < len(candidates), name
    user_agents = [record["submitterUserAgent"] for record in default_records["applications"]]
    assert max(len(agent or "") for agent in user_agents) > 500


def test_enumerated_values_are_documented(default_records: dict[str, list[dict]]) -> None:
    assert {job["status"] for job in default_records["jobs"]} <= {"Draft", "Open", "Closed", "Archived"}
    assert {job["employmentType"] for job in default_records["jobs"]} <= {
        "FullTime", "PartTime", "Intern", "Contract", "Temporary"}
    assert {user["globalRole"] for user in default_records["users"]} <= {
        "Organization Admin", "Elevated Access", "Limited Access", "External Recruiter"}
    assert {reason["reasonType"] for reason in default_records["archive_reasons"]} == {
        "RejectedByCandidate", "RejectedByOrg", "Other"}
    for location in default_records["locations"]:
        assert location["type"] in ("Location", "LocationHierarchy")
        assert location["workplaceType"] in ("OnSite", "Hybrid", "Remote", None)
        if location["address"] is not None:
            assert set(location["address"]["postalAddress"]) == {
                "addressCountry", "addressRegion", "addressLocality", "postalCode", "streetAddress"}
    assert {location["workplaceType"] for location in default_records["locations"]} >= {"Remote"}


def test_custom_field_definitions_have_selectable_values(default_records: dict[str, list[dict]]) -> None:
    for definition in default_records["custom_fields"]:
        if definition["fieldType"] in ("ValueSelect", "MultiValueSelect"):
            assert definition["selectableValues"]
            for option in definition["selectableValues"]:
                assert set(option) == {"label", "value", "isArchived"}


def test_feedback_forms_use_every_field_type(default_records: dict[str, list[dict]]) -> None:
    types = set()
    for form in default_records["feedback_form_definitions"]:
        for section in form["formDefinition"]["sections"]:
            for entry in section["fields"]:
                assert isinstance(entry["isRequired"], bool)
                field = entry["field"]
                assert {"id", "type", "path", "title", "isNullable"} <= set(field)
                types.add(field["type"])
                if field["type"] in ("ValueSelect", "MultiValueSelect"):
                    assert field["selectableValues"]
    assert types == {"Boolean", "Date", "Email", "Number", "RichText", "Score", "Phone", "String",
                     "ValueSelect", "MultiValueSelect"}
    assert sum(form["isDefaultForm"] for form in default_records["feedback_form_definitions"]) == 1


# Cross references


def by_id(records: list[dict]) -> dict[str, dict]:
    return {record["id"]: record for record in records}


def test_candidates_and_applications_link_both_ways(default_records: dict[str, list[dict]]) -> None:
    candidates = by_id(default_records["candidates"])
    applications = by_id(default_records["applications"])
    listed = [app_id for record in candidates.values() for app_id in record["applicationIds"]]
    assert sorted(listed) == sorted(applications)
    for candidate in candidates.values():
        for application_id in candidate["applicationIds"]:
            assert applications[application_id]["candidate"]["id"] == candidate["id"]
    for application in applications.values():
        candidate = candidates[application["candidate"]["id"]]
        assert application["id"] in candidate["applicationIds"]
        assert application["candidate"]["name"] == candidate["name"]
        assert application["candidate"]["primaryEmailAddress"] == candidate["primaryEmailAddress"]


def test_application_references_exist(default_records: dict[str, list[dict]]) -> None:
    jobs = by_id(default_records["jobs"])
    users = by_id(default_records["users"])
    sources = by_id(default_records["sources"])
    reasons = by_id(default_records["archive_reasons"])
    postings = by_id(default_records["job_postings"])
    for application in default_records["applications"]:
        job = jobs[application["job"]["id"]]
        assert application["job"] == {"id": job["id"], "title": job["title"], "locationId": job["locationId"],
                                      "departmentId": job["departmentId"]}
        assert application["hiringTeam"] == job["hiringTeam"]
        assert application["currentInterviewStage"]["interviewPlanId"] == job["defaultInterviewPlanId"]
        for member in application["hiringTeam"]:
            assert member["userId"] in users
        if application["creditedToUser"] is not None:
            assert users[application["creditedToUser"]["id"]] == application["creditedToUser"]
        if application["source"] is not None:
            assert sources[application["source"]["id"]] == application["source"]
        if application["archiveReason"] is not None:
            assert reasons[application["archiveReason"]["id"]] == application["archiveReason"]
        if application["appliedViaJobPostingId"] is not None:
            assert postings[application["appliedViaJobPostingId"]]["jobId"] == job["id"]


def test_job_references_exist(default_records: dict[str, list[dict]]) -> None:
    locations = by_id(default_records["locations"])
    departments = by_id(default_records["departments"])
    users = by_id(default_records["users"])
    postings = by_id(default_records["job_postings"])
    for job in default_records["jobs"]:
        assert job["locationId"] in locations
        assert locations[job["locationId"]]["type"] == "Location"
        assert job["departmentId"] in departments
        assert users[job["author"]["id"]] == job["author"]
        for member in job["hiringTeam"]:
            assert member["userId"] in users
            assert member["email"] == users[member["userId"]]["email"]
        for posting_id in job["jobPostingIds"]:
            assert postings[posting_id]["jobId"] == job["id"]
    listed = sorted(posting_id for job in default_records["jobs"] for posting_id in job["jobPostingIds"])
    assert listed == sorted(postings)


def test_job_posting_references_exist(default_records: dict[str, list[dict]]) -> None:
    jobs = by_id(default_records["jobs"])
    locations = by_id(default_records["locations"])
    departments = by_id(default_records["departments"])
    for posting in default_records["job_postings"]:
        job = jobs[posting["jobId"]]
        assert posting["id"] in job["jobPostingIds"]
        assert posting["locationIds"]["primaryLocationId"] == job["locationId"]
        assert posting["locationName"] == locations[job["locationId"]]["name"]
        assert posting["teamName"] == departments[job["departmentId"]]["name"]
        assert posting["employmentType"] == job["employmentType"]
        for secondary in posting["locationIds"]["secondaryLocationIds"]:
            assert secondary in locations


def test_parents_exist_and_form_no_cycle(default_records: dict[str, list[dict]]) -> None:
    departments = by_id(default_records["departments"])
    for department in departments.values():
        seen = {department["id"]}
        parent = department["parentId"]
        while parent is not None:
            assert parent in departments
            assert parent not in seen
            seen.add(parent)
            parent = departments[parent]["parentId"]
    assert any(department["parentId"] for department in departments.values())
    locations = by_id(default_records["locations"])
    for location in locations.values():
        if location["parentLocationId"] is not None:
            assert locations[location["parentLocationId"]]["type"] == "LocationHierarchy"
    assert any(location["parentLocationId"] for location in locations.values())


def test_candidate_references_exist(default_records: dict[str, list[dict]]) -> None:
    tags = by_id(default_records["candidate_tags"])
    sources = by_id(default_records["sources"])
    users = by_id(default_records["users"])
    for candidate in default_records["candidates"]:
        for tag in candidate["tags"]:
            assert tags[tag["id"]] == tag
        if candidate["source"] is not None:
            assert sources[candidate["source"]["id"]] == candidate["source"]
        if candidate["creditedToUser"] is not None:
            assert users[candidate["creditedToUser"]["id"]] == candidate["creditedToUser"]
        emails = candidate["emailAddresses"]
        assert candidate["primaryEmailAddress"] == (emails[0] if emails else None)


def test_custom_field_values_match_definitions(default_records: dict[str, list[dict]]) -> None:
    definitions = by_id(default_records["custom_fields"])
    owners = {"candidates": "Candidate", "applications": "Application", "jobs": "Job"}
    for entity, object_type in owners.items():
        used = 0
        for record in default_records[entity]:
            for item in record["customFields"]:
                definition = definitions[item["id"]]
                assert definition["objectType"] == object_type
                assert definition["title"] == item["title"]
                assert definition["isPrivate"] == item["isPrivate"]
                used += 1
        assert used > 0, entity
