"""Random-looking UUIDs that encode a record's index, so an id maps back to its record.

The first 20 hex digits are a hash of (seed, kind, index), with the UUID version 4
and variant bits set. The last 12 digits are the index XOR a mask derived from the
first 20. Decoding recovers the index from the mask and then recomputes the hash,
which rejects ids made for another kind or seed, and ids the sandbox never made.
"""

from __future__ import annotations

import hashlib
import re

MAX_INDEX = (1 << 48) - 1

_UUID_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _prefix(seed: int, kind: str, index: int) -> str:
    digest = hashlib.blake2b(f"{seed}:{kind}:{index}".encode(), digest_size=10).hexdigest()
    variant = "89ab"[int(digest[16], 16) & 3]
    return digest[:12] + "4" + digest[13:16] + variant + digest[17:20]


def _mask(prefix: str, kind: str) -> int:
    digest = hashlib.blake2b(f"{prefix}:{kind}".encode(), digest_size=6).digest()
    return int.from_bytes(digest, "big")


def make_id(seed: int, kind: str, index: int) -> str:
    """Return the UUID of record `index` of `kind`, where kind is an entity or sub-object name."""
    if not 0 <= index <= MAX_INDEX:
        raise ValueError(f"index must be in 0..{MAX_INDEX}, got {index}")
    prefix = _prefix(seed, kind, index)
    tail = f"{index ^ _mask(prefix, kind):012x}"
    return f"{prefix[:8]}-{prefix[8:12]}-{prefix[12:16]}-{prefix[16:20]}-{tail}"


def parse_id(seed: int, kind: str, record_id: str) -> int | None:
    """Return the index encoded in `record_id`, or None when make_id did not make it for kind."""
    if not isinstance(record_id, str) or not _UUID_PATTERN.match(record_id):
        return None
    prefix = record_id[:23].replace("-", "")
    index = int(record_id[24:], 16) ^ _mask(prefix, kind)
    if _prefix(seed, kind, index) != prefix:
        return None
    return index
