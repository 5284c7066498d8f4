"""Turning upstream records into what a tool returns: select, conform, trim, fit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ashby_mcp.trimming import OMITTED_KEY, Trimmer, path_tree, prune, sanitize, select_tree

if TYPE_CHECKING:
    from ashby_mcp.tools import ToolSpec

UNEXPECTED_KEY = "_unexpected"
RESERVED_KEYS = frozenset({UNEXPECTED_KEY, OMITTED_KEY})

_TYPE_CHECKS = {
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "array": lambda value: isinstance(value, list),
    "object": lambda value: isinstance(value, dict),
    "any": lambda value: True,
}


def conform(record: dict[str, Any], field_types: dict[str, str]) -> dict[str, Any]:
    """Make a record match its output schema without dropping anything.

    A response-table field whose value has another type than the table gives
    moves under `_unexpected`, so the model still sees it and the result
    still validates. So do upstream fields named `_unexpected` or `_omitted`.
    A missing or non-string `id` becomes a string.
    """
    unexpected = {}
    conformed = {}
    for key, value in record.items():
        kind = field_types.get(key)
        # An upstream field named like a note this server adds would be overwritten by it.
        if key in RESERVED_KEYS or (kind is not None and not _TYPE_CHECKS[kind](value)):
            unexpected[key] = value
        else:
            conformed[key] = value
    record_id = record.get("id")
    if not isinstance(record_id, str):
        conformed["id"] = "" if record_id is None or isinstance(record_id, dict | list) else str(record_id)
    if unexpected:
        conformed[UNEXPECTED_KEY] = unexpected
    return conformed


class RecordShaper:
    """Shapes the records of one tool within a byte budget."""

    def __init__(self, spec: ToolSpec, prefix: str, max_string_chars: int, *, summary: bool = True) -> None:
        entity = spec.entity
        self.field_types = {field.name: field.type for field in entity.fields}
        self.view = entity.list_view if summary and spec.action == "list" else None
        self._view_tree = path_tree(list(self.view)) if self.view else None
        get_tool = f"{prefix}{entity.name}_get" if entity.get_id_param else None
        self.list_trimmer = Trimmer(max_string_chars=max_string_chars, get_tool=get_tool)
        self.whole_trimmer = Trimmer(max_string_chars=None)

    def _selection(self, fields: list[str] | None) -> dict[str, Any] | None:
        """Return the selection tree for one call: the fields asked for, else the summary view, else None."""
        if fields:
            return path_tree(fields)
        return self._view_tree

    def _prepare(self, record: dict[str, Any], tree: dict[str, Any] | None) -> dict[str, Any]:
        """Select, prune and conform one record; the result is pruned, so trimmers only cut."""
        # Selecting first keeps sanitize's walk to the fields kept. Selection is safe on
        # unsanitised input because it only descends as deep as the paths it keeps.
        # NOTE: sanitize and prune each walk the whole record. Together with the SDK
        # client's output validation, they hold a 100,000-record crawl to about 0.7x the
        # rate of a plain pager (docs/benchmarks.md), so folding them into one walk is next.
        if tree is not None:
            record = select_tree(record, tree)
        return conform(prune(sanitize(record)), self.field_types)

    def shape_page(self, records: list[dict[str, Any]], fields: list[str] | None, budget: int) -> list[dict[str, Any]]:
        """Return the leading records that fit `budget` bytes together, trimmed.

        At least one record is returned when any is given, shrunk if needed,
        so that paging always moves forward.
        """
        keep_whole = frozenset(fields or ())
        tree = self._selection(fields)
        shaped: list[dict[str, Any]] = []
        used = 0
        for record in records:
            trimmed, size = self.list_trimmer.cut_and_size(self._prepare(record, tree), keep_whole)
            size += 1  # the separating comma
            if used + size > budget:
                if not shaped:
                    shaped.append(self.list_trimmer.fit(trimmed, budget))
                break
            shaped.append(trimmed)
            used += size
        return shaped

    def shape_whole(self, record: dict[str, Any], fields: list[str] | None, budget: int) -> dict[str, Any]:
        """Return one record with every value whole, shrunk only if it exceeds `budget` bytes."""
        return self.whole_trimmer.fit(self._prepare(record, self._selection(fields)), budget)
