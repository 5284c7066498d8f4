"""Opaque, signed page cursors handed to the model.

A cursor names a position inside the upstream's paging: the upstream cursor
of a page, the page size that page was fetched with, and how many of its
records were already returned. A page cut short by the byte budget therefore
resumes at the first record left out, by fetching the same upstream page
again and skipping what was sent. The server may keep that page for a few
seconds to skip the second fetch, but the cursor never depends on it, so any
replica can continue any cursor.

A cursor also carries a digest of the last record's id. When the next page
contains that record again, because the upstream repeated a page or its data
shifted, paging resumes after it instead of returning records twice.

Cursors carry an HMAC so that a corrupted, truncated or invented cursor is
rejected with a clear error instead of silently restarting at page one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from ashby_mcp.errors import CursorError

_VERSION = "a1"
_MAC_BYTES = 12
MAX_CURSOR_CHARS = 4096


@dataclass(frozen=True, slots=True)
class CursorState:
    """A position in an entity's listing."""

    entity: str
    upstream_cursor: str | None
    """Upstream cursor of the page to fetch; None for the first page."""
    page_size: int
    """Limit the upstream page was fetched with; refetching must use the same."""
    skip: int = 0
    """Records of that upstream page already returned to the model."""
    after: str | None = None
    """`id_digest` of the last record returned, to skip records an upstream sends again."""


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    """Encodes and verifies cursors with one HMAC key."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, payload: str) -> str:
        digest = hmac.new(self._key, payload.encode("ascii"), hashlib.sha256).digest()
        return _b64encode(digest[:_MAC_BYTES])

    def encode(self, state: CursorState) -> str:
        body = json.dumps(
            [state.entity, state.upstream_cursor, state.page_size, state.skip, state.after],
            separators=(",", ":"),
            ensure_ascii=True,
        )
        payload = f"{_VERSION}.{_b64encode(body.encode('ascii'))}"
        return f"{payload}.{self._mac(payload)}"

    def decode(self, cursor: str, entity: str, tool: str) -> CursorState:
        """Verify a cursor and return its state, or raise CursorError saying what to do."""
        restart = f"Call {tool} without a cursor to start from the first page."
        if len(cursor) > MAX_CURSOR_CHARS:
            raise CursorError(f"Invalid cursor for {tool}: longer than {MAX_CURSOR_CHARS} characters. {restart}")

        version, _, rest = cursor.strip().partition(".")
        body, _, mac = rest.rpartition(".")
        if version != _VERSION or not body or not mac or not cursor.isascii():
            raise CursorError(
                f"Invalid cursor for {tool}: it is not a cursor this server issued. "
                f"Pass next_cursor exactly as the previous page returned it. {restart}"
            )
        if not hmac.compare_digest(self._mac(f"{version}.{body}"), mac):
            raise CursorError(
                f"Invalid cursor for {tool}: the signature does not match, so the cursor was changed, cut "
                f"short, or issued by a server with another cursor key. {restart}"
            )

        try:
            # Cursors issued before `after` existed have four items.
            entity_name, upstream_cursor, page_size, skip, after = [*json.loads(_b64decode(body)), None][:5]
        except (ValueError, binascii.Error, TypeError) as exc:
            raise CursorError(f"Invalid cursor for {tool}: its content is unreadable. {restart}") from exc
        valid_types = (
            isinstance(entity_name, str)
            and (upstream_cursor is None or isinstance(upstream_cursor, str))
            and isinstance(page_size, int)
            and isinstance(skip, int)
            and page_size > 0
            and skip >= 0
            and (after is None or isinstance(after, str))
        )
        if not valid_types:
            raise CursorError(f"Invalid cursor for {tool}: its content is unreadable. {restart}")
        if entity_name != entity:
            raise CursorError(
                f"Invalid cursor for {tool}: it belongs to the {entity_name} listing. "
                f"Pass it to that entity's list tool, or call {tool} without a cursor."
            )
        return CursorState(entity_name, upstream_cursor, page_size, skip, after)


def id_digest(record: dict[str, Any]) -> str | None:
    """Return a short digest of a record's string or integer id, or None when it has none."""
    record_id = record.get("id")
    if isinstance(record_id, int) and not isinstance(record_id, bool):
        record_id = str(record_id)
    if not isinstance(record_id, str) or not record_id:
        return None
    digest = hashlib.sha256(record_id.encode("utf-8", "surrogatepass")).digest()
    return _b64encode(digest[:9])


def derive_cursor_key(*parts: str | None) -> bytes:
    """Derive a stable HMAC key from settings every replica shares.

    Replicas behind a load balancer must accept each other's cursors, so the
    key cannot be random per process. The parts are hashed, never stored.
    """
    hasher = hashlib.sha256(b"ashby-mcp cursor key v1")
    for part in parts:
        hasher.update(b"\x00")
        hasher.update((part or "").encode("utf-8"))
    return hasher.digest()
