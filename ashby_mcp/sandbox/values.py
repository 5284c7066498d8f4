"""Small value generators shared by the record builders: timestamps, text and tokens."""

from __future__ import annotations

import base64
import json
import random
from datetime import datetime, timezone

from ashby_mcp.sandbox.vocab import NOTE_WORDS

# The generated organization's history runs between these instants (UTC). They are
# fixed rather than taken from the clock, so a seed always yields the same records.
HISTORY_START_MS = int(datetime(2020, 1, 1, tzinfo=timezone.utc).timestamp() * 1000)
HISTORY_END_MS = int(datetime(2025, 6, 30, tzinfo=timezone.utc).timestamp() * 1000)

DAY_MS = 86_400_000


def iso_timestamp(epoch_ms: int) -> str:
    """Format milliseconds since the epoch as ISO 8601 with milliseconds and `Z`, like Ashby."""
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"


def iso_date(epoch_ms: int) -> str:
    """Format milliseconds since the epoch as a `YYYY-MM-DD` date."""
    return datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d")


def random_instant(rng: random.Random, start_ms: int = HISTORY_START_MS, end_ms: int = HISTORY_END_MS) -> int:
    """Return a random instant in milliseconds between start_ms and end_ms, both included."""
    return rng.randint(start_ms, max(start_ms, end_ms))


def later_instant(rng: random.Random, after_ms: int, max_days: int = 120) -> int:
    """Return an instant at most max_days after after_ms, capped at the end of history."""
    return min(HISTORY_END_MS, after_ms + rng.randint(0, max_days * DAY_MS))


def note_text(rng: random.Random, min_chars: int, max_chars: int) -> str:
    """Return free text of sentences between min_chars and max_chars characters long."""
    target = rng.randint(min_chars, max_chars)
    sentences: list[str] = []
    length = 0
    while length < target:
        words = [rng.choice(NOTE_WORDS) for _ in range(rng.randint(6, 18))]
        sentence = " ".join(words).capitalize() + "."
        sentences.append(sentence)
        length += len(sentence) + 1
    return " ".join(sentences)[:target].rstrip()


def file_handle(rng: random.Random, file_id: str, owner_id: str) -> str:
    """Return a long base64url token for a file handle: a JSON payload with a random signature."""
    payload = {
        "handle": {"type": "CandidateFile", "fileId": file_id, "ownerId": owner_id},
        "signature": base64.b64encode(rng.randbytes(rng.randint(96, 256))).decode(),
    }
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def documentation_ip(rng: random.Random) -> str:
    """Return an IPv4 or IPv6 address from the ranges reserved for documentation."""
    choice = rng.randrange(4)
    if choice == 0:
        return f"2001:db8:{rng.randrange(65536):x}::{rng.randrange(65536):x}"
    network = ("192.0.2", "198.51.100", "203.0.113")[choice - 1]
    return f"{network}.{rng.randint(1, 254)}"


def fictional_phone(rng: random.Random, area_codes: tuple[str, ...]) -> str:
    """Return a North American number in the 555-0100..555-0199 range reserved for fiction."""
    return f"+1 {rng.choice(area_codes)} 555 01{rng.randint(0, 99):02d}"
