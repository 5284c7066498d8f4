"""Trimming, field selection, record conforming and cursors, as units."""

from __future__ import annotations

import pytest

from ashby_mcp.catalog import entity
from ashby_mcp.cursors import CursorCodec, CursorState, derive_cursor_key
from ashby_mcp.errors import CursorError
from ashby_mcp.schemas import record_schema
from ashby_mcp.shaping import UNEXPECTED_KEY, conform
from ashby_mcp.trimming import OMITTED_KEY, Trimmer, byte_size, prune, select_paths

from jsonschema import Draft202012Validator


def test_prune_drops_null_and_empty_at_any_depth() -> None:
    record = {"id": "1", "a": None, "b": "", "c": [], "d": {}, "e": [{"x": None}, {"y": 0}], "f": False}
    assert prune(record) == {"id": "1", "e": [{"y": 0}], "f": False}


def test_select_paths_runs_through_lists() -> None:
    record = {"id": "1", "name": "Ann", "emailAddresses": [{"value": "a@example.com", "type": "Work"}], "tags": []}
    assert select_paths(record, ["emailAddresses.value"]) == {"id": "1", "emailAddresses": [{"value": "a@example.com"}]}
    assert select_paths(record, ["emailAddresses", "emailAddresses.value"]) == {
        "id": "1",
        "emailAddresses": [{"value": "a@example.com", "type": "Work"}],
    }
    assert select_paths(record, ["name.first"]) == {"id": "1", "name": None}


def test_cut_marks_the_cut_and_names_the_path() -> None:
    trimmer = Trimmer(max_string_chars=10, get_tool="candidates_get")
    trimmed = trimmer.trim({"id": "x" * 40, "notes": [{"text": "y" * 25}]})
    assert trimmed["id"] == "x" * 40
    assert trimmed["notes"][0]["text"] == 'y' * 10 + '…[cut 15 chars; fields=["notes.text"] or candidates_get returns all]'


def test_selected_paths_are_not_cut() -> None:
    trimmer = Trimmer(max_string_chars=10, get_tool=None)
    trimmed = trimmer.trim({"id": "1", "bio": "z" * 50}, keep_whole=frozenset({"bio"}))
    assert trimmed["bio"] == "z" * 50


def test_fit_shrinks_to_budget_and_names_omitted_fields() -> None:
    trimmer = Trimmer(max_string_chars=None)
    record = {"id": "abc", "big": ["w" * 30] * 500, "name": "Ann"}
    fitted = trimmer.fit(record, 400)
    assert byte_size(fitted) <= 400
    assert fitted["id"] == "abc"
    assert "big" in fitted[OMITTED_KEY]


def test_fit_cuts_long_strings_before_dropping_fields() -> None:
    trimmer = Trimmer(max_string_chars=None)
    fitted = trimmer.fit({"id": "1", "text": "q" * 10_000}, 3000)
    assert byte_size(fitted) <= 3000
    assert fitted["text"].startswith("q" * 2000 + "…[cut 8000 chars")


def test_conform_moves_mistyped_fields_aside() -> None:
    schema = record_schema(entity("candidates"))
    types = {field.name: field.type for field in entity("candidates").fields}
    conformed = conform({"id": 7, "name": ["not", "a", "string"], "tags": "x", "extra": 1}, types)
    assert conformed["id"] == "7"
    assert conformed[UNEXPECTED_KEY] == {"id": 7, "name": ["not", "a", "string"], "tags": "x"}
    assert conformed["extra"] == 1
    assert not list(Draft202012Validator(schema).iter_errors(conformed))


def test_cursor_round_trip() -> None:
    codec = CursorCodec(derive_cursor_key("k"))
    state = CursorState("candidates", "upstream==", 50, 7)
    assert codec.decode(codec.encode(state), "candidates", "candidates_list") == state


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda cursor: cursor[:-1], "signature does not match"),
        (lambda cursor: cursor[:10], "not a cursor this server issued"),
        (lambda cursor: "x" + cursor, "not a cursor this server issued"),
        (lambda cursor: cursor + "A" * 5000, "longer than"),
    ],
)
def test_cursor_tampering_is_detected(mutate, message: str) -> None:
    codec = CursorCodec(derive_cursor_key("k"))
    cursor = codec.encode(CursorState("jobs", None, 20, 0))
    with pytest.raises(CursorError, match=message):
        codec.decode(mutate(cursor), "jobs", "jobs_list")


def test_cursor_from_another_key_is_rejected() -> None:
    cursor = CursorCodec(derive_cursor_key("a")).encode(CursorState("jobs", None, 20, 0))
    with pytest.raises(CursorError, match="another cursor key"):
        CursorCodec(derive_cursor_key("b")).decode(cursor, "jobs", "jobs_list")


def test_cursor_key_is_stable_across_processes() -> None:
    assert derive_cursor_key("url", "conn", None) == derive_cursor_key("url", "conn", None)
    assert derive_cursor_key("url", "conn", "secret") != derive_cursor_key("url", "conn", None)
