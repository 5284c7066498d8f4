"""Parsing, validation and evaluation of execute request bodies.

Checks happen in two stages. A body that does not fit the request schema gets 422.
A well-formed body naming an unknown entity or action, or carrying invalid
parameters, gets 400 with one error per field. Parameters that are not wire
parameters of the action are dropped before validation, as upstream does. So a
get with `application_id` instead of `applicationId` reports a missing parameter.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ashby_mcp.catalog import ENTITIES_BY_NAME, Entity, Parameter
from ashby_mcp.sandbox.cursors import CursorCodec, CursorError
from ashby_mcp.sandbox.dataset import Dataset
from ashby_mcp.sandbox.projection import project
from ashby_mcp.sandbox.responses import (
    FieldError,
    RequestRejected,
    ashby_failure,
    body_error_response,
    field_errors_response,
)

DEFAULT_LIMIT = 100
MAX_LIMIT = 100
MAX_INTENT_CHARS = 512

_JSON_TYPE_NAMES = {str: "string", int: "integer", float: "number", bool: "boolean",
                    list: "array", dict: "object", type(None): "null"}


@dataclass(frozen=True)
class ExecuteCall:
    """A validated execute request."""

    entity: Entity
    action: str
    params: dict[str, Any]
    """Wire parameters of the action, with nulls and unknown names removed."""
    select_fields: list[str] | None
    exclude_fields: list[str] | None
    skip_truncation: bool
    intent: str | None
    offset: int = 0
    repeat: int = 0
    limit: int = DEFAULT_LIMIT


@dataclass(frozen=True)
class ExecuteOutcome:
    """Result, next cursor and has_more of a successful execute response."""

    result: Any
    cursor: str | None
    has_more: bool


def parse_execute_body(raw: bytes) -> dict:
    """Decode an execute body and check its shape, or raise RequestRejected with a 422."""
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        raise RequestRejected(body_error_response([0], "JSON decode error", "json_invalid")) from None
    if not isinstance(body, dict):
        raise RequestRejected(
            body_error_response([], "Input should be a valid dictionary or object", "model_attributes_type")
        )

    for name in ("entity", "action"):
        if name not in body:
            raise RequestRejected(body_error_response([name], "Field required", "missing"))
        if not isinstance(body[name], str):
            raise RequestRejected(body_error_response([name], "Input should be a valid string", "string_type"))
    if body.get("params") is not None and not isinstance(body["params"], dict):
        raise RequestRejected(body_error_response(["params"], "Input should be a valid dictionary", "dict_type"))
    for name in ("select_fields", "exclude_fields"):
        _check_path_list(body, name)
    if body.get("skip_truncation") is not None and not isinstance(body["skip_truncation"], bool):
        raise RequestRejected(
            body_error_response(["skip_truncation"], "Input should be a valid boolean", "bool_type")
        )
    intent = body.get("intent")
    if intent is not None:
        if not isinstance(intent, str):
            raise RequestRejected(body_error_response(["intent"], "Input should be a valid string", "string_type"))
        if len(intent) > MAX_INTENT_CHARS:
            raise RequestRejected(
                body_error_response(
                    ["intent"], f"String should have at most {MAX_INTENT_CHARS} characters", "string_too_long"
                )
            )
    return body


def _check_path_list(body: dict, name: str) -> None:
    value = body.get(name)
    if value is None:
        return
    if not isinstance(value, list):
        raise RequestRejected(body_error_response([name], "Input should be a valid list", "list_type"))
    for position, path in enumerate(value):
        if not isinstance(path, str) or not path:
            raise RequestRejected(
                body_error_response([name, position], "Input should be a non-empty string", "string_type")
            )


def _check_parameter(parameter: Parameter, value: Any) -> FieldError | None:
    expected = str if parameter.type == "string" else int
    if type(value) is not expected:
        actual = _JSON_TYPE_NAMES.get(type(value), type(value).__name__)
        return FieldError(
            parameter.name,
            f"parameter {parameter.name} must be {'an' if parameter.type == 'integer' else 'a'} "
            f"{parameter.type}, got {actual}",
            "invalid_type",
            {"expected": parameter.type, "received": actual},
        )
    if parameter.name == "limit" and not 1 <= value <= MAX_LIMIT:
        return FieldError(
            "limit",
            f"parameter limit must be between 1 and {MAX_LIMIT}, got {value}",
            "out_of_range",
            {"minimum": 1, "maximum": MAX_LIMIT, "received": value},
        )
    return None


def validate_call(body: dict, dataset: Dataset, codec: CursorCodec) -> ExecuteCall:
    """Check entity, action and parameters of a parsed body, or raise RequestRejected with a 400."""
    entity = ENTITIES_BY_NAME.get(body["entity"])
    if entity is None:
        known = ", ".join(ENTITIES_BY_NAME)
        raise RequestRejected(field_errors_response([
            FieldError("entity", f"unknown entity {body['entity']!r}; known entities: {known}", "invalid_entity"),
        ]))
    action = body["action"]
    if action not in entity.actions:
        supported = ", ".join(entity.actions)
        raise RequestRejected(field_errors_response([
            FieldError(
                "action",
                f"entity {entity.name!r} has no action {action!r}; supported actions: {supported}",
                "invalid_action",
            ),
        ]))

    sent = body.get("params") or {}
    params: dict[str, Any] = {}
    errors: list[FieldError] = []
    for parameter in entity.parameters(action):
        value = sent.get(parameter.name)
        if value is None:
            if parameter.required:
                errors.append(FieldError(parameter.name, f"missing parameter {parameter.name}", "missing_parameter"))
            continue
        error = _check_parameter(parameter, value)
        if error is not None:
            errors.append(error)
        else:
            params[parameter.name] = value

    offset = repeat = 0
    if "cursor" in params:
        try:
            offset, repeat = codec.decode(entity.name, params["cursor"])
        except CursorError as exc:
            errors.append(FieldError("cursor", str(exc), "cursor_invalid"))
        else:
            if offset > dataset.count(entity.name):
                errors.append(FieldError("cursor", "cursor points past the last record", "cursor_invalid"))
    if errors:
        raise RequestRejected(field_errors_response(errors))

    return ExecuteCall(
        entity=entity,
        action=action,
        params=params,
        select_fields=body.get("select_fields"),
        exclude_fields=body.get("exclude_fields"),
        skip_truncation=bool(body.get("skip_truncation")),
        intent=body.get("intent"),
        offset=offset,
        repeat=repeat,
        limit=params.get("limit", DEFAULT_LIMIT),
    )


def run_list(dataset: Dataset, codec: CursorCodec, call: ExecuteCall) -> ExecuteOutcome:
    """Return one page of records starting at the call's offset."""
    count = dataset.count(call.entity.name)
    end = min(call.offset + call.limit, count)
    page = [
        project(dataset.record(call.entity.name, index), call.select_fields, call.exclude_fields)
        for index in range(call.offset, end)
    ]
    has_more = end < count
    cursor = codec.encode(call.entity.name, end) if has_more else None
    return ExecuteOutcome(page, cursor, has_more)


def not_found_envelope(entity: Entity, record_id: str) -> dict:
    """Return Ashby's failure envelope for an unknown id, e.g. code `job_posting_not_found`."""
    code = entity.singular.replace(" ", "_") + "_not_found"
    return ashby_failure(code, f"{entity.singular.capitalize()} not found: {record_id}")


def run_get(dataset: Dataset, call: ExecuteCall, shape: str) -> ExecuteOutcome:
    """Return one record, or Ashby's failure envelope when the id is unknown."""
    assert call.entity.get_id_param is not None
    record_id = call.params[call.entity.get_id_param]
    record = dataset.find(call.entity.name, record_id)
    if record is None:
        return ExecuteOutcome(not_found_envelope(call.entity, record_id), None, False)
    record = project(record, call.select_fields, call.exclude_fields)
    result = {"success": True, "results": record} if shape == "envelope" else record
    return ExecuteOutcome(result, None, False)
