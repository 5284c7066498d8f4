"""The tool set: definitions derived from the catalog, argument checks and call handling."""

from __future__ import annotations

import dataclasses
import difflib
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio
import mcp_types as types

from ashby_mcp.backends.base import Backend, Page
from ashby_mcp.catalog import ENTITIES, Action, Entity
from ashby_mcp.config import Settings
from ashby_mcp.cursors import MAX_CURSOR_CHARS, CursorCodec, CursorState, id_digest
from ashby_mcp.errors import AshbyMCPError, ArgumentError, UpstreamProtocolError
from ashby_mcp.pagecache import PageCache
from ashby_mcp.schemas import FIELD_PATH_PATTERN, input_schema, output_schema
from ashby_mcp.shaping import RecordShaper
from ashby_mcp.trimming import MIN_FIT_BYTES, dumps
from ashby_mcp.validation import compile_validator

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

logger = logging.getLogger("ashby_mcp.tools")

TOOL_NAME_PATTERN = r"^[a-zA-Z0-9_-]{1,64}$"
_FIELD_PATH = re.compile(FIELD_PATH_PATTERN)
# An upstream may return empty pages with has_more set. Following a few of them
# inside one call spares the model from paging through empty results.
MAX_EMPTY_PAGES_PER_CALL = 5
# An error lists at most this many problems or unknown names, so a huge call gets a short error.
MAX_PROBLEMS_LISTED = 10
# No entity has more than about 30 fields. Each path costs work on every record, and
# 50,000 paths kept the event loop busy for 8 s, so longer lists are rejected.
MAX_FIELD_PATHS = 200

ANNOTATIONS = types.ToolAnnotations(
    read_only_hint=True,
    destructive_hint=False,
    idempotent_hint=True,
    open_world_hint=True,
)


def tool_name(entity: Entity, action: Action, prefix: str = "") -> str:
    return f"{prefix}{entity.name}_{action}"


def describe(entity: Entity, action: Action, prefix: str) -> str:
    """Write the tool description a model reads to pick and use the tool."""
    plural = entity.name.replace("_", " ")
    if action == "get":
        return f"Get one whole {entity.singular} by id (ids from {tool_name(entity, 'list', prefix)})."
    text = f"List Ashby {plural}: {entity.summary}. Page with cursor=next_cursor while has_more."
    if entity.get_id_param:
        text += f" Summary view; {tool_name(entity, 'get', prefix)} returns all fields."
    return text


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """One tool: the catalog entry it serves and everything derived from it."""

    name: str
    entity: Entity
    action: Action
    description: str
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]

    def to_mcp(self) -> types.Tool:
        title = f"{self.action.capitalize()} {self.entity.name.replace('_', ' ')}"
        return types.Tool(
            name=self.name,
            title=title,
            description=self.description,
            input_schema=self.input_schema,
            output_schema=self.output_schema,
            annotations=ANNOTATIONS,
        )


def build_tool_specs(settings: Settings) -> list[ToolSpec]:
    """Return the enabled tools in catalog order."""
    enabled = settings.enabled_tool_keys()
    specs = []
    for entity in ENTITIES:
        for action in entity.actions:
            if enabled is not None and (entity.name, action) not in enabled:
                continue
            specs.append(
                ToolSpec(
                    name=tool_name(entity, action, settings.tool_prefix),
                    entity=entity,
                    action=action,
                    description=describe(entity, action, settings.tool_prefix),
                    input_schema=input_schema(entity, action, settings.page_size),
                    output_schema=output_schema(entity, action),
                )
            )
    return specs


class ArgumentChecker:
    """Validates a tool's arguments and words every problem for a model."""

    def __init__(self, spec: ToolSpec) -> None:
        self.spec = spec
        # Valid calls need only the compiled check. jsonschema, about 25 ms to import,
        # is loaded to explain the first invalid call, or for a schema the check cannot compile.
        self._is_valid = compile_validator(spec.input_schema)
        self._validator: Draft202012Validator | None = None
        self._known = list(spec.input_schema["properties"])

    def check(self, arguments: dict[str, Any]) -> None:
        problems = []
        if self._is_valid is None or not self._is_valid(arguments):
            problems = [self._explain(error) for error in self._schema_validator().iter_errors(arguments)]
        problems.extend(self._check_fields(arguments.get("fields")))
        cursor = arguments.get("cursor")
        if isinstance(cursor, str) and not cursor.strip():
            problems.append("'cursor' must not be empty: pass next_cursor from the previous page, or omit it")
        if problems:
            problems = sorted(set(problems))
            if len(problems) > MAX_PROBLEMS_LISTED:
                more = len(problems) - MAX_PROBLEMS_LISTED
                problems = [*problems[:MAX_PROBLEMS_LISTED], f"... and {more} more problems of the same kinds"]
            raise ArgumentError(self.spec.name, problems)

    def _schema_validator(self) -> Draft202012Validator:
        if self._validator is None:
            from jsonschema import Draft202012Validator

            self._validator = Draft202012Validator(self.spec.input_schema)
        return self._validator

    def _explain(self, error: ValidationError) -> str:
        location = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path)
        name = location.lstrip(".") or "arguments"
        keyword = error.validator
        if keyword == "required":
            missing = error.message.split("'")[1] if "'" in error.message else str(error.validator_value)
            return (
                f"missing required argument '{missing}': pass the {self.spec.entity.singular}'s id, "
                f"e.g. from {tool_name(self.spec.entity, 'list', self._prefix)}"
            )
        if keyword == "additionalProperties":
            extras = sorted(set(error.instance) - set(self._known))
            hints = []
            for extra in extras[:MAX_PROBLEMS_LISTED]:
                match = difflib.get_close_matches(extra[:100], self._known, n=1, cutoff=0.5)
                hints.append(_quote_name(extra) + (f" (did you mean '{match[0]}'?)" if match else ""))
            if len(extras) > MAX_PROBLEMS_LISTED:
                hints.append(f"and {len(extras) - MAX_PROBLEMS_LISTED} more")
            return f"unknown argument {', '.join(hints)}: valid arguments are {', '.join(self._known)}"
        if keyword == "type":
            expected = error.validator_value
            return f"'{name}' must be of type {expected}, got {_json_type(error.instance)} {_preview(error.instance)}"
        if keyword in ("minimum", "maximum"):
            return f"'{name}' must be between 1 and 100, got {_preview(error.instance)}"
        if keyword == "minLength":
            return f"'{name}' must not be empty"
        return f"'{name}': {error.message}"

    @property
    def _prefix(self) -> str:
        return self.spec.name[: -len(f"{self.spec.entity.name}_{self.spec.action}")]

    def _check_fields(self, fields: Any) -> list[str]:
        if not isinstance(fields, list):
            return []
        if not fields:
            return ["'fields' must list at least one field; omit it to get every field"]
        if len(fields) > MAX_FIELD_PATHS:
            return [f"'fields' lists {len(fields)} paths; name at most {MAX_FIELD_PATHS}, or omit it to get every field"]
        problems = []
        for index, path in enumerate(fields):
            if not isinstance(path, str):
                continue  # the schema check already reports the wrong type
            if not _FIELD_PATH.fullmatch(path):
                problems.append(
                    f"'fields[{index}]' {_preview(path)} is not a field name or dot path "
                    "such as 'name' or 'emailAddresses.value'"
                )
                continue
        # Unknown field names are allowed, because real records carry fields the
        # catalog does not list; a name that matches nothing is reported in the result.
        return problems


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _quote_name(name: str) -> str:
    return f"'{name}'" if len(name) <= 40 else f"'{name[:39]}…'"


def _preview(value: Any) -> str:
    text = dumps(value)
    return text if len(text) <= 40 else text[:39] + "…"


class ToolRunner:
    """Runs tool calls: checks arguments, calls the backend, shapes the result."""

    def __init__(self, settings: Settings, backend: Backend, codec: CursorCodec) -> None:
        self.settings = settings
        self.backend = backend
        self.codec = codec
        self.specs = build_tool_specs(settings)
        self.by_name = {spec.name: spec for spec in self.specs}
        self._checkers = {spec.name: ArgumentChecker(spec) for spec in self.specs}
        self._shapers = {
            spec.name: RecordShaper(
                spec, settings.tool_prefix, settings.max_string_chars, summary=settings.list_view == "summary"
            )
            for spec in self.specs
        }
        self._listing = types.ListToolsResult(tools=[spec.to_mcp() for spec in self.specs])
        self._cut_pages = PageCache()
        # Per-tool parts of the summary view that every list call would otherwise rebuild.
        self._view_selects = {name: _view_fields(shaper.view) for name, shaper in self._shapers.items()}
        self._view_notes = {
            spec.name: self._view_note(spec) if self._shapers[spec.name].view else "" for spec in self.specs
        }

    def list_tools(self) -> types.ListToolsResult:
        return self._listing

    async def call(self, name: str, arguments: dict[str, Any] | None) -> types.CallToolResult:
        """Run one call; every failure a model can act on becomes an `is_error` result."""
        spec = self.by_name[name]
        deadline = self.settings.call_deadline
        try:
            args = dict(arguments or {})
            self._checkers[name].check(args)
            # One deadline for the whole call: it may follow empty pages or renew a token.
            with anyio.fail_after(deadline):
                if spec.action == "list":
                    structured, body, hint = await self._list(spec, args)
                else:
                    structured, body, hint = await self._get(spec, args)
        except TimeoutError:
            logger.info("tool %s timed out after %g s", name, deadline)
            return error_result(
                f"{name} timed out: the upstream did not finish within {deadline:g} s "
                "(ASHBY_MCP_CALL_DEADLINE). Try again later, or with a smaller limit."
            )
        except AshbyMCPError as exc:
            logger.info("tool %s failed: %s: %s", name, type(exc).__name__, str(exc).splitlines()[0])
            return error_result(str(exc))
        text = f"{body}\n{hint}"
        return types.CallToolResult(
            content=[types.TextContent(text=text)],
            structured_content=structured,
        )

    async def _get(self, spec: ToolSpec, args: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
        """Return the shaped record, its JSON text and the hint line."""
        id_param = spec.entity.get_id_param
        assert id_param is not None
        fields = args.get("fields")
        record = await self.backend.get(spec.entity.name, {id_param: args[id_param]}, _upstream_fields(fields))
        shaper = self._shapers[spec.name]
        # Leave room inside the budget for the hint line and its note on unmatched fields.
        room = 200 + _unmatched_fields_room(spec.entity, fields)
        shaped = shaper.shape_whole(record, fields, self.settings.max_result_bytes - room)
        body = dumps(shaped)
        hint = f"One {spec.entity.singular} record."
        if "_omitted" in shaped or "…[cut " in body:
            hint += " Some values were cut to fit the result size limit: request them with fields."
        hint += _unmatched_fields_note(spec.entity, fields, [shaped])
        return shaped, body, hint

    async def _list(self, spec: ToolSpec, args: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
        """Return one page of shaped records with its next cursor, its JSON text and the hint line."""
        entity = spec.entity
        limit = int(args["limit"]) if args.get("limit") is not None else self.settings.page_size
        cursor = args.get("cursor")
        recheck_size = None
        if cursor is None:
            state = CursorState(entity.name, None, limit, 0)
        else:
            state = self.codec.decode(cursor, entity.name, spec.name)
            if state.skip == 0:
                # The cursor points at the start of an upstream page, so that page can be
                # fetched with this call's limit. Mid-page, the page must be fetched again
                # with the size it had, and at most its rest returns. The old size is kept
                # so that _fetch_nonempty can check the upstream did not send that page again.
                recheck_size = state.page_size
                state = CursorState(entity.name, state.upstream_cursor, limit, 0, state.after)
        fields = args.get("fields")

        shaper = self._shapers[spec.name]
        select = _upstream_fields(fields) if fields else self._view_selects[spec.name]
        page, state = await self._fetch_nonempty(spec, state, limit, select, recheck_size)
        remaining = page.records[state.skip :]
        view_note = "" if fields else self._view_notes[spec.name]
        # Room for the envelope, the hint line and the next cursor, which embeds an upstream cursor.
        cursor_room = self._cursor_room(spec, state, page, limit)
        notes = len(view_note.encode("utf-8")) + _unmatched_fields_room(entity, fields)
        budget = self.settings.max_result_bytes - 400 - notes - cursor_room
        if budget < MIN_FIT_BYTES:
            raise UpstreamProtocolError(
                f"The next {entity.name} cursor ({cursor_room} characters, from the upstream's paging cursor) "
                f"and this result's notes ({notes} bytes) leave no room for records within the "
                f"{self.settings.max_result_bytes}-byte result limit. Raise ASHBY_MCP_MAX_RESULT_BYTES, "
                "or name fewer fields."
            )
        parts = shaper.shape_page(remaining[:limit], fields, budget)

        taken = len(parts)
        after = id_digest(remaining[taken - 1]) if taken else state.after
        next_state: CursorState | None
        if taken == len(remaining):
            next_state = CursorState(entity.name, page.cursor, state.page_size, 0, after) if page.has_more else None
        else:
            next_state = CursorState(entity.name, state.upstream_cursor, state.page_size, state.skip + taken, after)
            self._cut_pages.put(_page_key(next_state, select), page)
        next_cursor = self.codec.encode(next_state) if next_state else None

        structured = {
            "records": parts,
            "next_cursor": next_cursor,
            "has_more": next_cursor is not None,
        }
        plural = entity.name.replace("_", " ")
        if next_cursor is None:
            hint = f"Last page of {plural}." if taken else f"No {plural} on this page, and no more pages."
        elif taken < min(limit, len(remaining)):
            hint = (
                f"Page cut to {taken} {plural} to fit the result size limit. "
                f"Call {spec.name} with cursor=next_cursor for the rest."
            )
        else:
            hint = f"More {plural}: call {spec.name} with cursor=next_cursor."
        if taken and view_note:
            hint += view_note
        hint += _unmatched_fields_note(entity, fields, parts)
        return structured, dumps(structured), hint

    def _view_note(self, spec: ToolSpec) -> str:
        shown = {path.split(".")[0] for path in spec.entity.list_view or ()}
        hidden = [name for name in spec.entity.field_names if name not in shown]
        get_tool = tool_name(spec.entity, "get", self.settings.tool_prefix)
        return (
            f" Summary fields only; not shown: {', '.join(hidden)}. "
            f"Request them with fields, or call {get_tool} for one whole record."
        )

    def _cursor_room(self, spec: ToolSpec, state: CursorState, page: Page, limit: int) -> int:
        """Return the length of the longest next cursor this page can yield; raise if it is too long."""
        entity = spec.entity.name
        # An upper bound: the largest page size and skip, and a digest as long as id_digest's.
        page_size = max(limit, state.page_size)
        skip = state.skip + len(page.records)
        longest = max(
            len(self.codec.encode(CursorState(entity, upstream, page_size, skip, "#" * 12)))
            for upstream in (state.upstream_cursor, page.cursor)
        )
        if longest > MAX_CURSOR_CHARS:
            raise UpstreamProtocolError(
                f"The upstream returned a {entity} paging cursor so long that the next cursor would take "
                f"{longest} characters, more than the {MAX_CURSOR_CHARS} this server accepts, so paging cannot "
                "go on. Report it to your Airbyte administrator."
            )
        return longest

    async def _fetch_nonempty(
        self, spec: ToolSpec, state: CursorState, limit: int, select: list[str] | None, recheck_size: int | None
    ) -> tuple[Page, CursorState]:
        """Fetch the cursor's upstream page, skipping empty pages that have has_more set.

        The returned state's `skip` is the index of the first record not yet returned.
        `recheck_size` is the size of the page the last record returned came from. When
        the page fetched is smaller and lacks that record, it is fetched again at that
        size, because a page the upstream sent again is only recognised by that record.
        """
        entity = spec.entity.name
        for _ in range(MAX_EMPTY_PAGES_PER_CALL):
            page = await self._fetch_page(spec, state, select)
            if (
                recheck_size is not None
                and recheck_size > state.page_size
                and len(page.records) == state.page_size
                and not _contains_digest(page.records, state.after)
            ):
                larger = dataclasses.replace(state, page_size=recheck_size)
                larger_page = await self._fetch_page(spec, larger, select)
                if _contains_digest(larger_page.records, state.after):
                    page, state = larger_page, larger
                elif _digests(larger_page.records[: len(page.records)]) != _digests(page.records):
                    raise UpstreamProtocolError(
                        f"The upstream returned different {entity} records for the same page, so paging "
                        "cannot tell which were already returned. Try again; if it repeats, report it to "
                        "your Airbyte administrator."
                    )
            state = dataclasses.replace(state, skip=_resume_index(entity, page.records, state))
            if page.records[state.skip :] or not page.has_more:
                return page, state
            recheck_size = max(recheck_size or 0, state.page_size)
            state = CursorState(entity, page.cursor, limit, 0, state.after)
        return page, state

    async def _fetch_page(self, spec: ToolSpec, state: CursorState, select: list[str] | None) -> Page:
        """Fetch the upstream page a state points at; raise if it sends back the cursor it was given.

        `select` is the upstream `select_fields`, and None requests whole records. A page
        that a cut result left unfinished comes from the page cache when it is still there.
        """
        entity = spec.entity.name
        params: dict[str, Any] = {"limit": state.page_size}
        if state.upstream_cursor is not None:
            params["cursor"] = state.upstream_cursor
        page = self._cut_pages.take(_page_key(state, select)) if state.skip else None
        if page is None:
            page = await self.backend.list(entity, params, select)
        if page.has_more and page.cursor is not None and page.cursor == state.upstream_cursor:
            raise UpstreamProtocolError(
                f"The upstream returned the same {entity} cursor it was given, so paging would never end. "
                "Try again later; if it repeats, report it to your Airbyte administrator."
            )
        return page

def _page_key(state: CursorState, select: list[str] | None) -> tuple[Any, ...]:
    """Key of a stored upstream page: what the upstream request for it would carry."""
    return (state.entity, state.upstream_cursor, state.page_size, tuple(select) if select else None)


def _view_fields(view: tuple[str, ...] | None) -> list[str] | None:
    """Return the top-level fields that a summary view shows, for `select_fields`.

    Only top-level names go upstream, so the result does not depend on how the
    upstream selects dot paths. The view's own selection then picks the paths.
    """
    if not view:
        return None
    heads = dict.fromkeys(path.split(".", 1)[0] for path in view)
    return _upstream_fields(list(heads))


def _unmatched_fields_note(entity: Entity, fields: list[str] | None, records: list[dict[str, Any]]) -> str:
    """Name the requested paths that no record contains, with a guess at the intended field."""
    if not fields or not records:
        return ""
    missing = []
    for path in fields:
        if any(_has_path(record, path.split(".")) for record in records):
            continue
        head = path.split(".", 1)[0]
        match = difflib.get_close_matches(head, entity.field_names, n=1, cutoff=0.6)
        guess = f" (did you mean '{match[0]}'?)" if match and head not in entity.field_names else ""
        missing.append(f"{_quote_name(path)}{guess}")
    if not missing:
        return ""
    if len(missing) > MAX_PROBLEMS_LISTED:
        missing = [*missing[:MAX_PROBLEMS_LISTED], f"and {len(missing) - MAX_PROBLEMS_LISTED} more"]
    return f" No record here has fields {', '.join(missing)}; {entity.singular} fields are {', '.join(entity.field_names)}."


def _unmatched_fields_room(entity: Entity, fields: list[str] | None) -> int:
    """Return the bytes the unmatched-fields note can take at most, when no record has any field."""
    return len(_unmatched_fields_note(entity, fields, [{}]).encode("utf-8"))


def _has_path(value: Any, parts: list[str]) -> bool:
    if not parts:
        return True
    if isinstance(value, list):
        return any(_has_path(item, parts) for item in value)
    if isinstance(value, dict) and parts[0] in value:
        return _has_path(value[parts[0]], parts[1:])
    return False


def _contains_digest(records: list[dict[str, Any]], digest: str | None) -> bool:
    return digest is not None and digest in _digests(records)


def _digests(records: list[dict[str, Any]]) -> list[str | None]:
    return [id_digest(record) for record in records]


def _resume_index(entity: str, records: list[dict[str, Any]], state: CursorState) -> int:
    """Return the index of the first record on a fetched page that was not returned yet.

    That is `state.skip`, unless the last record returned sits elsewhere on the page.
    It does when the upstream sent a page again, through a cursor back to the start or
    an empty page whose cursor leads to the same page, or when records were added or
    removed before it. Paging then resumes right after that record, so none is
    returned twice or skipped.
    """
    if state.after is None:
        return state.skip
    matches = [index for index, record in enumerate(records) if id_digest(record) == state.after]
    if len(matches) != 1 or matches[0] == state.skip - 1:
        return state.skip
    logger.warning(
        "upstream %s page contains the last record already returned at index %d, not %d; resuming after it",
        entity,
        matches[0],
        state.skip - 1,
    )
    return matches[0] + 1


def _upstream_fields(fields: list[str] | None) -> list[str] | None:
    if not fields:
        return None
    return ["id", *[path for path in fields if path != "id"]]


def error_result(message: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=message)], is_error=True)
