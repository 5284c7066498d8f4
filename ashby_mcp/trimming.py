"""Trimming of upstream records so that results fit a model's context.

Trimming never loses information silently. Null and empty values carry none.
Every cut string ends in a marker with the number of characters cut and the
way to get them, and a field dropped to fit the byte budget is named in the
record's `_omitted` note.
"""

from __future__ import annotations

import json
from typing import Any

OMITTED_KEY = "_omitted"


def dumps(value: Any) -> str:
    """Serialise compactly; UTF-8 text stays as is because budgets count bytes, not escapes."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def byte_size(value: Any) -> int:
    return len(dumps(value).encode("utf-8"))


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
        """Prune a record and cut its long strings, except those under paths in `keep_whole`."""
        return self.cut(prune(record), keep_whole)

    def cut(self, record: dict[str, Any], keep_whole: frozenset[str] = frozenset()) -> dict[str, Any]:
        """Cut the long strings of an already pruned record, except those under paths in `keep_whole`."""
        if self.max_string_chars is None:
            return record
        return self._cut(record, "", self.max_string_chars, keep_whole)

    def cut_and_size(self, record: dict[str, Any], keep_whole: frozenset[str] = frozenset()) -> tuple[dict[str, Any], int]:
        """Return `cut(record, keep_whole)` and its size in bytes of compact JSON.

        A record whose whole JSON text is no longer than the string limit holds no
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

        Strings are cut shorter and shorter first; if that is not enough, the
        largest fields are dropped and named under `_omitted`, so a model
        can request them with `fields`. `id` is always kept.
        """
        if byte_size(record) <= budget:
            return record
        # The shortest step still keeps a 36-character UUID whole.
        for limit in (2000, 500, 100, 40):
            if self.max_string_chars is not None and limit >= self.max_string_chars:
                continue
            shrunk = self._cut(record, "", limit, frozenset())
            if byte_size(shrunk) <= budget:
                return shrunk
        # shrunk is now the record with every string cut to 40 characters.
        sizes = sorted(
            ((byte_size(item), key) for key, item in shrunk.items() if key != "id"),
            reverse=True,
        )
        kept = dict(shrunk)
        omitted: list[str] = []
        for _, key in sizes:
            del kept[key]
            omitted.append(key)
            note = self._omitted_note(omitted)
            if byte_size({**kept, OMITTED_KEY: note}) <= budget:
                return {**kept, OMITTED_KEY: note}
        return {"id": record["id"], OMITTED_KEY: self._omitted_note(omitted)}

    def _how_to_get(self, path: str) -> str:
        ways = [f'fields=["{path}"]'] if path else []
        if self.get_tool:
            ways.append(self.get_tool)
        return " or ".join(ways) + " returns all" if ways else "value too long"

    def _omitted_note(self, omitted: list[str]) -> str:
        names = ",".join(f'"{name}"' for name in omitted)
        return f"fields left out to fit the result size limit; request them with fields=[{names}]"
