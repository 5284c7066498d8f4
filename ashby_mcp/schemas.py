"""JSON Schemas (draft 2020-12) derived from the catalog.

Input schemas carry the action's wire parameters plus `fields`; output schemas
follow the entity's response table. Both are kept small on purpose: a model
reads every input schema before its first call, so each byte here costs
context on every conversation.
"""

from __future__ import annotations

from typing import Any

from ashby_mcp.catalog import Action, Entity, FieldType, Parameter

MAX_LIMIT = 100
"""Largest page the connector serves (Ashby's own list endpoints cap `limit` at 100)."""

FIELD_PATH_PATTERN = r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*"

_JSON_TYPES: dict[FieldType, str] = {
    "string": "string",
    "boolean": "boolean",
    "integer": "integer",
    "array": "array",
    "object": "object",
}


def parameter_schema(parameter: Parameter, page_size: int) -> dict[str, Any]:
    """Return the schema of one wire parameter; `page_size` is the default `limit`."""
    if parameter.name == "limit":
        return {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": page_size}
    if parameter.name == "cursor":
        return {"type": "string"}  # emptiness is checked in code, with a clearer message
    # No description: the get tool's own description already reads "by id (ids from ..._list)".
    return {"type": parameter.type, "minLength": 1}


def fields_schema() -> dict[str, Any]:
    """Return the schema of the `fields` argument, which selects what each record returns."""
    # Emptiness and path syntax are checked in code: the schema stays short for the model.
    return {"type": "array", "items": {"type": "string"}, "description": "dot paths to return"}


def input_schema(entity: Entity, action: Action, page_size: int) -> dict[str, Any]:
    """Return the input schema of one tool: wire parameters, then `fields`."""
    parameters = entity.parameters(action)
    properties = {parameter.name: parameter_schema(parameter, page_size) for parameter in parameters}
    properties["fields"] = fields_schema()
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    required = [parameter.name for parameter in parameters if parameter.required]
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    return schema


def record_schema(entity: Entity) -> dict[str, Any]:
    """Return the schema of one record: the response table's fields, and any others."""
    properties: dict[str, Any] = {}
    for field in entity.fields:
        if field.type == "any":
            properties[field.name] = {}
            continue
        json_type = _JSON_TYPES[field.type]
        properties[field.name] = {"type": [json_type, "null"] if field.nullable else json_type}
    # Real payloads carry fields the reference omits, so extra properties stay allowed.
    return {"type": "object", "properties": properties, "required": ["id"]}


def output_schema(entity: Entity, action: Action) -> dict[str, Any]:
    """Return the output schema: a page of records for list, the record itself for get."""
    record = record_schema(entity)
    if action == "get":
        return record
    return {
        "type": "object",
        "properties": {
            "records": {"type": "array", "items": record},
            "next_cursor": {"type": ["string", "null"]},
            "has_more": {"type": "boolean"},
        },
        "required": ["records", "next_cursor", "has_more"],
    }
