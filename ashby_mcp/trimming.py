"""Trimming of upstream records so that results fit a model's context.

Trimming never loses information silently. Null and empty values carry none.
Every cut string ends in a marker with the number of characters cut and the
way to get them, and a field dropped to fit the byte budget is named in the
record's `_omitted` note.
"""

from __future__ import annotations

import json
import math
from typing import Any

OMITTED_KEY = "_omitted"

MAX_DEPTH = 32
"""Levels of objects and lists kept in a record; deeper values become DEPTH_MARKER.

Ashby records nest about five levels. The cap keeps the recursive steps here
far from Python's recursion limit and the MCP SDK's serialisation depth limit.
"""
DEPTH_MARKER = f"…[cut: nested deeper than {MAX_DEPTH} levels]"


def dumps(value: Any) -> str:
    """Serialise compactly; UTF-8 text stays as is because budgets count bytes, not escapes."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def byte_size(value: Any) -> int:
    return len(dumps(value).encode("utf-8"))


def sanitize(value: Any, depth: int = 0) -> Any:
    """Return a copy of an upstream value that every later step can serialise.

    Objects and lists nested deeper than MAX_DEPTH levels become DEPTH_MARKER.
    Lone UTF-16 surrogates, which JSON escapes such as "\\ud800" can produce and
    UTF-8 cannot encode, become U+FFFD. Non-finite floats become strings, because
    JSON has no NaN or Infinity.
    """
    if isinstance(value, dict):
        if depth >= MAX_DEPTH:
            return DEPTH_MARKER
        return {_valid_text(str(key)): sanitize(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        if depth >= MAX_DEPTH:
            return DEPTH_MARKER
        return [sanitize(item, depth + 1) for item in value]
    if isinstance(value, str):
        return _valid_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _valid_text(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # Pairs surrogates that form a character, and replaces the lone ones.
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def prune(value: Any) -> Any:
    """Drop null values, empty strings, empty lists and empty objects, at any depth."""
    if isinstance(value, dict):
        pruned = {}
        for key, item in value.items():
            item = prune(item)
            if item is None or item == "" or item == [] or item == {}:
                continue
            pruned[key] = item
        return pruned
    if isinstance(value, list):
        items = (prune(item) for item in value)
        return [item for item in items if not (item is None or item == "" or item == [] or item == {})]
    return value


def select_paths(record: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """Keep only the dot paths in `paths` (and `id`); a path runs through lists item by item."""
    return select_tree(record, path_tree(paths))


def path_tree(paths: list[str]) -> dict[str, Any]:
    """Build the selection tree of `paths` plus `id` once, for `select_tree` to apply to many records."""
    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        parts = path.split(".")
        for index, part in enumerate(parts):
            if node.get(part) is True:
                break  # a shorter path already keeps this whole subtree
            if index == len(parts) - 1:
                node[part] = True
            else:
                node = node.setdefault(part, {})
    tree["id"] = True
    return tree


def select_tree(record: dict[str, Any], tree: dict[str, Any]) -> dict[str, Any]:
    """Keep only the parts of `record` that a tree from `path_tree` names."""
    return _select(record, tree)


def _select(value: Any, tree: dict[str, Any] | bool) -> Any:
    if tree is True:
        return value
    if isinstance(value, list):
        return [_select(item, tree) for item in value]
    if isinstance(value, dict):
        return {key: _select(value[key], subtree) for key, subtree in tree.items() if key in value}
    return None  # a path into a scalar selects nothing


class Trimmer:
    """Cuts long strings and shrinks oversized records for one tool."""

    def __init__(self, *, max_string_chars: int | None, get_tool: str | None = None) -> None:
        """`max_string_chars` None keeps strings whole; `get_tool` is named in cut markers."""
        self.max_string_chars = max_string_chars
        self.get_tool = get_tool

    def trim(self, record: dict[str, Any], keep_whole: frozenset[str] = frozenset()) -> dict[str, Any]:
        """Prune a record and cut its long strings, except those under paths in `keep_whole`.

        `id` stays even when empty, because output schemas require it.
        """
        pruned = prune(record)
        if "id" in record and "id" not in pruned:
            pruned = {"id": record["id"], **pruned}
        return self.cut(pruned, keep_whole)

    def cut(self, record: dict[str, Any], keep_whole: frozenset[str] = frozenset()) -> dict[str, Any]:
        """Cut the long strings of an already pruned record, except those under paths in `keep_whole`."""
        if self.max_string_chars is None:
            return record
        return self._cut(record, "", self.max_string_chars, keep_whole)

    def cut_and_size(self, record: dict[str, Any], keep_whole: frozenset[str] = frozenset()) -> tuple[dict[str, Any], int]:
        """Return `cut(record, keep_whole)` and its size in bytes of compact JSON.

        A record whose whole JSON text is no longer than the string limit contains no
        string to cut, so it skips the walk that would rebuild it unchanged.
        """
        text = dumps(record)
        if self.max_string_chars is None or len(text) <= self.max_string_chars:
            return record, len(text.encode("utf-8"))
        cut = self.cut(record, keep_whole)
        return cut, byte_size(cut)

    def _cut(self, value: Any, path: str, limit: int, keep_whole: frozenset[str]) -> Any:
        if path == "id" or (path and path in keep_whole):
            return value
        if isinstance(value, str):
            if len(value) <= limit:
                return value
            return f"{value[:limit]}…[cut {len(value) - limit} chars; {self._how_to_get(path)}]"
        if isinstance(value, dict):
            return {
                key: self._cut(item, f"{path}.{key}" if path else key, limit, keep_whole)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self._cut(item, path, limit, keep_whole) for item in value]
        return value

    def fit(self, record: dict[str, Any], budget: int) -> dict[str, Any]:
        """Shrink one record until its JSON takes at most `budget` bytes.

        Strings are cut shorter and shorter first. If that is not enough, the
        largest fields are dropped and named under `_omitted`, so a model
        can request them with `fields`. `id` is kept, and cut only when it
        alone exceeds the budget. The result fits any budget of at least
        MIN_FIT_BYTES, and the work is O(n log n) in the number of fields.
        """
        if byte_size(record) <= budget:
            return record
        # The shortest step still keeps a 36-character UUID whole.
        shrunk = record
        for limit in (2000, 500, 100, 40):
            if self.max_string_chars is not None and limit >= self.max_string_chars:
                continue
            shrunk = self._cut(record, "", limit, frozenset())
            if byte_size(shrunk) <= budget:
                return shrunk
        # shrunk now has every string cut to 40 characters, or to max_string_chars if that is shorter.
        return self._omit_largest(shrunk, budget)

    def _omit_largest(self, record: dict[str, Any], budget: int) -> dict[str, Any]:
        # A compact JSON object takes 2 bytes for its braces, each entry `"key":value`,
        # and one comma between entries, so dropping an entry frees its size plus a comma.
        note_room = max(budget // 4, NOTE_MIN_ROOM)
        entries = sorted(
            ((byte_size(key) + 1 + byte_size(value), key) for key, value in record.items() if key != "id"),
            reverse=True,
        )
        size = byte_size(record)
        omitted: list[str] = []
        for entry_size, key in entries:
            if size + note_room <= budget:
                break
            size -= entry_size + 1
            omitted.append(key)
        dropped = set(omitted)
        kept = {key: value for key, value in record.items() if key not in dropped}
        note = self._omitted_note(omitted, note_room)
        fitted = {**kept, OMITTED_KEY: note}
        if byte_size(fitted) <= budget:
            return fitted
        # Only an id longer than the rest of the budget is left to cut.
        marker = "…[cut: id too long]"
        room = budget - byte_size({"id": marker, OMITTED_KEY: note})
        return {"id": _cut_to_bytes(str(record.get("id", "")), room) + marker, OMITTED_KEY: note}

    def _how_to_get(self, path: str) -> str:
        ways = [f'fields=["{path}"]'] if path else []
        if self.get_tool:
            ways.append(self.get_tool)
        return " or ".join(ways) + " returns all" if ways else "value too long"

    def _omitted_note(self, omitted: list[str], room: int) -> str:
        """Name the omitted fields in a note whose `"_omitted":"..."` entry fits `room` bytes.

        Names that do not fit are counted instead of named.
        """
        base = "fields left out to fit the result size limit; request them with fields="
        # Escaping in a JSON string is per character, so sizes of the note's parts add up.
        reserved = len(',"_omitted":""') + _escaped_size(base) + NOTE_TAIL_ROOM
        listed: list[str] = []
        used = 2  # the list's brackets
        for name in omitted:
            name_size = _escaped_size(dumps(name)) + (1 if listed else 0)
            if reserved + used + name_size > room:
                break
            listed.append(name)
            used += name_size
        note = base + dumps(listed)
        if len(listed) < len(omitted):
            note += f" and {len(omitted) - len(listed)} more"
            if self.get_tool:
                note += f"; {self.get_tool} returns all"
        return note


NOTE_MIN_ROOM = 200
"""Bytes an `_omitted` note may always take, whatever the budget."""
NOTE_TAIL_ROOM = 80
"""Bytes kept free in a note for " and N more; <get tool> returns all"."""
MIN_FIT_BYTES = 500
"""Smallest budget that `Trimmer.fit` always meets: an id cut short and a short `_omitted` note."""


def _escaped_size(text: str) -> int:
    """Return the bytes `text` takes inside a JSON string, without the quotes."""
    return byte_size(text) - 2


def _cut_to_bytes(text: str, limit: int) -> str:
    """Return a prefix of `text` whose JSON string form takes at most `limit` bytes."""
    cut = text[: max(0, limit)]
    while cut and byte_size(cut) > limit:
        cut = cut[: len(cut) * 3 // 4]
    return cut
