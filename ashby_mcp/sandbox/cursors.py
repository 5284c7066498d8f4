"""Opaque, signed pagination cursors tied to one entity.

A cursor is the unpadded base64url encoding of a small JSON object with four
keys. `e` is the entity and `o` the offset of the page. `r` is a counter that makes
otherwise equal cursors differ. `s` is an HMAC-SHA256 of the other three under a
key derived from the dataset, cut to 16 hex digits. Changing any byte, or sending
a cursor of another entity or another dataset, makes decoding fail.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json


class CursorError(ValueError):
    """A cursor that is malformed, forged, or issued for another entity."""


class CursorCodec:
    """Encodes and checks the cursors of one dataset."""

    def __init__(self, key_material: str) -> None:
        self._key = hashlib.sha256(f"ashby-sandbox-cursor:{key_material}".encode()).digest()

    def _signature(self, entity: str, offset: int, repeat: int) -> str:
        message = f"{entity}:{offset}:{repeat}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:16]

    def encode(self, entity: str, offset: int, repeat: int = 0) -> str:
        """Return the cursor of the page that starts at `offset`.

        Cursors with a different `repeat` point at the same page but are different strings.
        """
        payload = {"e": entity, "o": offset, "r": repeat, "s": self._signature(entity, offset, repeat)}
        raw = json.dumps(payload, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, entity: str, cursor: str) -> tuple[int, int]:
        """Return (offset, repeat) of a cursor for `entity`, or raise CursorError."""
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        except (UnicodeEncodeError, binascii.Error, ValueError):
            raise CursorError("cursor is malformed; send the cursor from the previous page unchanged") from None
        if not isinstance(payload, dict):
            raise CursorError("cursor is malformed; send the cursor from the previous page unchanged")

        cursor_entity = payload.get("e")
        offset = payload.get("o")
        repeat = payload.get("r")
        signature = payload.get("s")
        if (
            not isinstance(cursor_entity, str)
            or type(offset) is not int
            or type(repeat) is not int
            or not isinstance(signature, str)
            or offset < 0
            or not hmac.compare_digest(signature, self._signature(cursor_entity, offset, repeat))
        ):
            raise CursorError("cursor was not issued by this server or was modified")
        if cursor_entity != entity:
            raise CursorError(f"cursor belongs to entity {cursor_entity!r}, not {entity!r}")
        return offset, repeat
