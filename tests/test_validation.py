"""The compiled input checks agree with jsonschema on every tool's input schema."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from ashby_mcp.tools import build_tool_specs
from ashby_mcp.validation import compile_validator
from tests.support import make_settings

SPECS = build_tool_specs(make_settings())
SCHEMAS = [spec.input_schema for spec in SPECS]
KEYS = sorted({name for schema in SCHEMAS for name in schema["properties"]} | {"page", "application_id"})

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=205),
    st.sampled_from([0.0, 1.0, 2.5, 100.0, 100.5, 101.0, float("nan")]),
    st.sampled_from(["", " ", "x", "name", "emailAddresses.value"]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=6)
arguments = st.dictionaries(st.sampled_from(KEYS), values, max_size=4)

EDGE_CASES: list[Any] = [
    {},
    {"limit": 1},
    {"limit": 100},
    {"limit": 1.0},
    {"limit": 0},
    {"limit": 101},
    {"limit": True},
    {"limit": "10"},
    {"id": ""},
    {"id": "abc"},
    {"id": 7},
    {"fields": []},
    {"fields": ["name", 3]},
    {"fields": "name"},
    {"cursor": None},
    {"unknown": 1},
    [],
    "text",
    None,
]


@pytest.mark.parametrize("schema", SCHEMAS, ids=[spec.name for spec in SPECS])
def test_every_input_schema_compiles(schema: dict[str, Any]) -> None:
    assert compile_validator(schema) is not None


@pytest.mark.parametrize("instance", EDGE_CASES, ids=repr)
def test_edge_cases_match_jsonschema(instance: Any) -> None:
    for spec in SPECS:
        check = compile_validator(spec.input_schema)
        assert check is not None
        expected = Draft202012Validator(spec.input_schema).is_valid(instance)
        assert check(instance) is expected, spec.name


@settings(max_examples=300, deadline=None)
@given(instance=arguments)
def test_random_arguments_match_jsonschema(instance: dict[str, Any]) -> None:
    for schema in SCHEMAS:
        check = compile_validator(schema)
        assert check is not None
        assert check(instance) is Draft202012Validator(schema).is_valid(instance)


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string", "pattern": "^a"},
        {"$ref": "#/$defs/x"},
        {"type": "object", "additionalProperties": {"type": "string"}},
        {"type": "uuid"},
        {"type": "object", "properties": {"a": {"enum": [1]}}},
    ],
)
def test_unsupported_schemas_do_not_compile(schema: dict[str, Any]) -> None:
    assert compile_validator(schema) is None
