"""Fault definitions and the queue that decides which request gets which fault.

Faults come from two places: `SandboxConfig.faults`, active for the whole run, and
the control endpoint, which queues faults for the next matching requests. Queued
faults are checked first, in the order they were queued. A request gets at most
one fault. Execute requests are matched only after they pass authentication and
validation, so a fault never hides a 400 or 401 that the request would get anyway.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

from ashby_mcp.catalog import ENTITIES_BY_NAME

Endpoint = Literal["execute", "token"]

# What an httpx client sees for each fault. "In process" means httpx's ASGITransport,
# "socket" a server started with serve() or serving().
#   latency              the normal response, `ms` later (default 1,000)
#   429                  429 {"detail"}, with Retry-After when retry_after is set
#   500, 502, 503, 504   that status with {"detail"}
#   reset                httpx.ReadError (TCP reset) on a socket, and raised in process
#   timeout              no response for `ms` (default 60,000), then 504; a shorter read
#                        timeout raises httpx.ReadTimeout on a socket (ASGITransport has no timeouts)
#   truncated            200 headers with the full Content-Length, half the body, then
#                        httpx.RemoteProtocolError, on a socket and in process
#   malformed_json       a complete 200 application/json body that is not valid JSON
#   wrong_content_type   200 text/html maintenance page
#   huge_body            a valid page whose records carry `megabytes` (default 8) of padding
#   empty_page_has_more  result [] with has_more true and a new cursor to the same page
#   repeat_cursor        the normal page with the cursor that was sent (or one back to the
#                        first page) and has_more true
#   success_false        200 whose result is Ashby's failure envelope with `code`
#   token_500            the token endpoint responds 500 {"detail"}
FAULT_NAMES: tuple[str, ...] = (
    "latency",
    "429",
    "500",
    "502",
    "503",
    "504",
    "reset",
    "timeout",
    "truncated",
    "malformed_json",
    "wrong_content_type",
    "huge_body",
    "empty_page_has_more",
    "repeat_cursor",
    "success_false",
    "token_500",
)
LIST_ONLY_FAULTS = frozenset({"empty_page_has_more", "repeat_cursor"})
TOKEN_FAULTS = frozenset({"token_500"})

DEFAULT_LATENCY_MS = 1_000
DEFAULT_TIMEOUT_MS = 60_000
"""Longer than the 30 s read timeout that peer clients use."""
DEFAULT_MEGABYTES = 8.0
DEFAULT_FAILURE_CODE = "missing_endpoint_permission"


@dataclass(frozen=True)
class Fault:
    """One fault and the requests it applies to.

    `count` is how many requests get the fault (None for no limit) and `every` makes
    only every n-th matching request get it. `entity` and `action` restrict it to
    execute requests for that entity or action. The other fields tune single faults:
    `ms` for latency and timeout, `retry_after` (seconds) for 429, `code` for
    success_false and `megabytes` for huge_body.
    """

    name: str
    count: int | None = None
    every: int = 1
    entity: str | None = None
    action: str | None = None
    ms: float | None = None
    retry_after: int | None = None
    code: str | None = None
    megabytes: float | None = None

    def __post_init__(self) -> None:
        if self.name not in FAULT_NAMES:
            raise ValueError(f"unknown fault {self.name!r}; known faults: {', '.join(FAULT_NAMES)}")
        if self.count is not None and self.count < 1:
            raise ValueError(f"fault count must be >= 1 or null for no limit, got {self.count}")
        if self.every < 1:
            raise ValueError(f"fault every must be >= 1, got {self.every}")
        if self.entity is not None and self.entity not in ENTITIES_BY_NAME:
            raise ValueError(f"unknown entity {self.entity!r}; known entities: {', '.join(ENTITIES_BY_NAME)}")
        if self.action is not None and self.action not in ("list", "get"):
            raise ValueError(f"action must be 'list' or 'get', got {self.action!r}")
        if self.name in TOKEN_FAULTS and (self.entity or self.action):
            raise ValueError(f"fault {self.name!r} applies to the token endpoint and takes no entity or action")
        for name in ("ms", "retry_after", "megabytes"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"fault {name} must be >= 0, got {value}")

    @property
    def endpoint(self) -> Endpoint:
        return "token" if self.name in TOKEN_FAULTS else "execute"

    def matches(self, endpoint: Endpoint, entity: str | None, action: str | None) -> bool:
        """Return whether a request to `endpoint` for entity and action is subject to this fault."""
        if endpoint != self.endpoint:
            return False
        if self.entity is not None and self.entity != entity:
            return False
        if self.action is not None and self.action != action:
            return False
        return not (self.name in LIST_ONLY_FAULTS and action != "list")

    def to_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}

    @classmethod
    def from_json(cls, payload: object, default_count: int | None = 1) -> Fault:
        """Build a fault from the control endpoint's body; raise ValueError naming the bad field."""
        if not isinstance(payload, dict):
            raise ValueError("body must be a JSON object such as {\"fault\": \"429\", \"count\": 2}")
        known = {field.name for field in fields(cls)} - {"name"}
        unknown = set(payload) - known - {"fault"}
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        if not isinstance(payload.get("fault"), str):
            raise ValueError("missing or invalid 'fault': send the fault name as a string")

        arguments: dict[str, Any] = {"count": default_count}
        for key, value in payload.items():
            if key == "fault":
                continue
            _check_field_type(key, value)
            arguments[key] = value
        return cls(name=payload["fault"], **arguments)

    @classmethod
    def parse(cls, text: str) -> Fault:
        """Parse the command-line form `NAME[:key=value,...]`, for example `429:retry_after=2,every=3`."""
        name, _, options = text.partition(":")
        arguments: dict[str, Any] = {}
        for option in filter(None, options.split(",")):
            key, separator, raw = option.partition("=")
            if not separator:
                raise ValueError(f"fault option {option!r} is not key=value")
            arguments[key.strip()] = _parse_option(key.strip(), raw.strip())
        return cls(name=name.strip(), **arguments)


_INTEGER_FIELDS = frozenset({"count", "every", "retry_after"})
_NUMBER_FIELDS = frozenset({"ms", "megabytes"})
_STRING_FIELDS = frozenset({"entity", "action", "code"})


def _check_field_type(key: str, value: object) -> None:
    if value is None and key != "every":
        return
    if key in _INTEGER_FIELDS and type(value) is not int:
        raise ValueError(f"fault {key} must be an integer, got {value!r}")
    if key in _NUMBER_FIELDS and (type(value) not in (int, float)):
        raise ValueError(f"fault {key} must be a number, got {value!r}")
    if key in _STRING_FIELDS and not isinstance(value, str):
        raise ValueError(f"fault {key} must be a string, got {value!r}")


def _parse_option(key: str, raw: str) -> object:
    try:
        if key in _INTEGER_FIELDS:
            return int(raw)
        if key in _NUMBER_FIELDS:
            return float(raw)
    except ValueError:
        raise ValueError(f"fault option {key}={raw!r} is not a number") from None
    if key in _STRING_FIELDS:
        return raw
    raise ValueError(f"unknown fault option {key!r}")


class _Entry:
    """A fault with its remaining count and the number of matching requests seen."""

    def __init__(self, fault: Fault, source: str) -> None:
        self.fault = fault
        self.source = source
        self.remaining = fault.count
        self.seen = 0

    def to_json(self) -> dict[str, Any]:
        return {**self.fault.to_json(), "remaining": self.remaining, "source": self.source}


class FaultQueue:
    """Faults queued through the control endpoint, followed by the configured ones."""

    def __init__(self, configured: tuple[Fault, ...] = ()) -> None:
        self._queued: list[_Entry] = []
        self._configured = [_Entry(fault, "config") for fault in configured]

    def push(self, fault: Fault) -> None:
        self._queued.append(_Entry(fault, "queued"))

    def clear(self) -> int:
        """Drop the queued faults and return how many there were. Configured faults stay."""
        cleared = len(self._queued)
        self._queued.clear()
        return cleared

    def describe(self) -> list[dict[str, Any]]:
        return [entry.to_json() for entry in (*self._queued, *self._configured)]

    def take(self, endpoint: Endpoint, entity: str | None = None, action: str | None = None) -> Fault | None:
        """Return the fault this request gets, if any, and count it against that fault."""
        for entries in (self._queued, self._configured):
            for entry in entries:
                if entry.remaining == 0 or not entry.fault.matches(endpoint, entity, action):
                    continue
                entry.seen += 1
                if entry.seen % entry.fault.every:
                    continue
                if entry.remaining is not None:
                    entry.remaining -= 1
                    if entry.remaining == 0 and entries is self._queued:
                        entries.remove(entry)
                return entry.fault
        return None
