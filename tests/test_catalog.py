"""The catalog against the connector reference, and catalog-wide tool checks."""

from __future__ import annotations

import json
import re

import pytest
from tests.support import REFERENCE_DIR, REPO_ROOT, make_settings

from ashby_mcp.catalog import ENTITIES
from ashby_mcp.config import Settings
from ashby_mcp.tools import TOOL_NAME_PATTERN, build_tool_specs

REFERENCE = REFERENCE_DIR / "ashby-connector-reference.md"
SNAPSHOT = REPO_ROOT / "tests" / "snapshots" / "tools.json"


def _settings(**overrides: object) -> Settings:
    return make_settings(**overrides)


def _parse_reference() -> dict[str, dict]:
    """Read each action's parameter table and each entity's record table from the reference."""
    text = REFERENCE.read_text(encoding="utf-8")
    sections: dict[str, dict] = {}
    for block in re.split(r"^### ", text, flags=re.M)[1:]:
        heading = block.splitlines()[0].strip()
        entity_name = re.search(r'"entity": "([a-z_]+)"', block).group(1)
        action = re.search(r'"action": "([a-z]+)"', block).group(1)
        params_table = block.split("#### Parameters", 1)[1].split("\n\n\n", 1)[0]
        params = []
        for row in re.findall(r"^\| `([^`]+)` \| `([^`]+)` \| (Yes|No) \|", params_table, flags=re.M):
            params.append((row[0], row[1], row[2] == "Yes"))
        fields = []
        if "#### Records" in block:
            records = block.split("#### Records", 1)[1].split("#### Meta", 1)[0]
            for name, kind in re.findall(r"^\| `([^`]+)` \| `([^`]+)` \|", records, flags=re.M):
                fields.append((name, kind.replace("\\|", "|")))
        sections[f"{entity_name}_{action}"] = {"heading": heading, "params": params, "fields": fields}
    return sections


needs_reference = pytest.mark.skipif(not REFERENCE.exists(), reason=f"reference not found at {REFERENCE}")


@needs_reference
def test_catalog_matches_reference_tools() -> None:
    reference = _parse_reference()
    ours = {spec.name for spec in build_tool_specs(_settings())}
    assert ours == set(reference)
    assert len(ours) == 19


@needs_reference
def test_parameters_match_reference() -> None:
    reference = _parse_reference()
    for spec in build_tool_specs(_settings()):
        expected = reference[spec.name]["params"]
        wire = [(p.name, p.type, p.required) for p in spec.entity.parameters(spec.action)]
        assert wire == expected, spec.name


@needs_reference
def test_record_fields_match_reference() -> None:
    reference = _parse_reference()
    type_names = {"string": "string | null", "boolean": "boolean | null", "array": "array | null", "any": "object | any"}
    for entity in ENTITIES:
        expected = reference[f"{entity.name}_list"]["fields"]
        ours = [(f.name, "string" if f.name == "id" else type_names[f.type]) for f in entity.fields]
        assert ours == expected, entity.name


def test_catalog_has_twelve_entities() -> None:
    assert len(ENTITIES) == 12
    assert sum(len(entity.actions) for entity in ENTITIES) == 19


def test_every_tool_is_described_and_annotated() -> None:
    for spec in build_tool_specs(_settings()):
        tool = spec.to_mcp()
        assert re.fullmatch(TOOL_NAME_PATTERN, tool.name), tool.name
        assert tool.description and len(tool.description) < 300, tool.name
        assert tool.annotations.read_only_hint is True
        assert tool.annotations.destructive_hint is False
        assert tool.annotations.idempotent_hint is True
        assert tool.annotations.open_world_hint is True
        assert tool.output_schema is not None


def test_input_schemas_have_only_wire_parameters_and_fields() -> None:
    for spec in build_tool_specs(_settings()):
        wire = [p.name for p in spec.entity.parameters(spec.action)]
        schema = spec.input_schema
        assert list(schema["properties"]) == [*wire, "fields"], spec.name
        assert schema["additionalProperties"] is False
        assert schema.get("required", []) == [p.name for p in spec.entity.parameters(spec.action) if p.required]
        if spec.action == "list":
            assert schema["properties"]["limit"]["minimum"] == 1
            assert schema["properties"]["limit"]["maximum"] == 100
        else:
            assert schema["properties"][spec.entity.get_id_param]["minLength"] == 1


def test_tool_prefix_and_filter() -> None:
    specs = build_tool_specs(_settings(tool_prefix="ashby_", tools="candidates, jobs_get"))
    assert [spec.name for spec in specs] == ["ashby_candidates_list", "ashby_candidates_get", "ashby_jobs_get"]
    assert "ashby_candidates_get" in specs[0].description


def test_unknown_tool_filter_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown entity or tool 'candidate'"):
        _settings(tools="candidate")


def test_model_facing_listing_is_small() -> None:
    tools = [spec.to_mcp() for spec in build_tool_specs(_settings())]
    read = [{"name": t.name, "description": t.description, "inputSchema": t.input_schema} for t in tools]
    assert len(json.dumps(read, separators=(",", ":"))) <= 8192


def test_schemas_match_snapshot() -> None:
    """Pin every tool definition; regenerate with `python -m tests.snapshots` after a deliberate change."""
    tools = [spec.to_mcp().model_dump(by_alias=True, exclude_none=True) for spec in build_tool_specs(_settings())]
    assert tools == json.loads(SNAPSHOT.read_text(encoding="utf-8"))
