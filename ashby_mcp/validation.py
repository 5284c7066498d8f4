"""Fast validity checks for the small JSON Schema subset that the tools' input schemas use.

`compile_validator` turns a schema into a plain function that returns whether an
instance is valid under JSON Schema draft 2020-12. It checks the common case, a
valid call, in a few microseconds and without importing jsonschema. Callers still
use jsonschema to explain an invalid instance, so messages stay the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

# Keywords that only annotate and never make an instance invalid.
_ANNOTATIONS = frozenset({"description", "default", "title", "examples"})
_SUPPORTED = _ANNOTATIONS | {
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minimum",
    "maximum",
    "minLength",
}


def _is_integer(value: Any) -> bool:
    # Draft 2020-12 counts a float with no fractional part, such as 1.0, as an integer.
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_TYPE_CHECKS: dict[str, Check] = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "integer": _is_integer,
    "number": _is_number,
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
}


def compile_validator(schema: Any) -> Check | None:
    """Compile `schema` into a function that returns whether an instance is valid; None if unsupported.

    Supported: `type`, `properties`, `required`, `additionalProperties: false`,
    `items` with one schema, `minimum`, `maximum`, `minLength` and annotations.
    Anything else, such as `pattern` or `$ref`, returns None, and the caller
    must validate with jsonschema.
    """
    if not isinstance(schema, dict) or not set(schema) <= _SUPPORTED:
        return None
    checks: list[Check] = []

    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not all(isinstance(name, str) and name in _TYPE_CHECKS for name in names):
            return None
        type_checks = [_TYPE_CHECKS[name] for name in names]
        checks.append(lambda value: any(check(value) for check in type_checks))

    if "minimum" in schema or "maximum" in schema:
        low = schema.get("minimum")
        high = schema.get("maximum")
        if not all(bound is None or _is_number(bound) for bound in (low, high)):
            return None
        checks.append(
            lambda value: not _is_number(value)
            or ((low is None or value >= low) and (high is None or value <= high))
        )

    if "minLength" in schema:
        min_length = schema["minLength"]
        if not _is_integer(min_length):
            return None
        checks.append(lambda value: not isinstance(value, str) or len(value) >= min_length)

    if "items" in schema:
        item_check = compile_validator(schema["items"])
        if item_check is None:
            return None
        checks.append(lambda value: not isinstance(value, list) or all(item_check(item) for item in value))

    object_check = _compile_object(schema)
    if object_check is None:
        return None
    checks.append(object_check)

    return lambda value: all(check(value) for check in checks)


def _compile_object(schema: dict[str, Any]) -> Check | None:
    """Compile `properties`, `required` and `additionalProperties`, which apply to objects only."""
    property_checks: dict[str, Check] = {}
    for name, subschema in schema.get("properties", {}).items():
        check = compile_validator(subschema)
        if check is None:
            return None
        property_checks[name] = check
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(isinstance(name, str) for name in required):
        return None
    additional = schema.get("additionalProperties", True)
    if not isinstance(additional, bool):
        return None  # a schema for extra properties is not supported
    closed = not additional

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for name in required:
            if name not in value:
                return False
        for name, item in value.items():
            property_check = property_checks.get(name)
            if property_check is None:
                if closed:
                    return False
            elif not property_check(item):
                return False
        return True

    return check
