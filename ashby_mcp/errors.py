"""Errors a tool call can end in.

Every error here is something a model or a person can act on, so the server
turns each into an `is_error` tool result whose text is the exception's
message. Anything else that escapes a handler is a bug: the server logs it
and returns a generic error, never a traceback.

    AshbyMCPError
    ├── ArgumentError          the call's arguments are invalid
    ├── CursorError            the cursor is malformed, forged or for another tool
    ├── ConfigurationError     settings are missing or contradict each other
    └── UpstreamError          the execute API failed
        ├── UpstreamRequestError     400/422: the upstream rejected the request
        ├── CredentialsError         401/403, or the token endpoint failed
        ├── NotFoundError            404, or a *_not_found code in the result
        ├── RateLimitedError         429 after retries, or Retry-After too long
        ├── UpstreamUnavailableError 5xx, timeout or connection error after retries
        └── UpstreamProtocolError    the upstream returned something unreadable
"""

from __future__ import annotations

MAX_UPSTREAM_MESSAGE_CHARS = 300
"""Upstream text is cut to this length before it reaches a model or a log."""


class AshbyMCPError(Exception):
    """Base class for errors a tool call reports as an `is_error` result."""


class ArgumentError(AshbyMCPError):
    """The tool call's arguments are invalid."""

    def __init__(self, tool: str, problems: list[str]) -> None:
        self.tool = tool
        self.problems = problems
        lines = "\n".join(f"- {problem}" for problem in problems)
        super().__init__(f"Invalid arguments for {tool}:\n{lines}")


class CursorError(AshbyMCPError):
    """The cursor argument is not one this server handed out for this tool."""


class ConfigurationError(AshbyMCPError):
    """The settings are missing or contradict each other."""


class UpstreamError(AshbyMCPError):
    """The Airbyte execute API or the Ashby API failed."""

    status_code: int | None = None

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class UpstreamRequestError(UpstreamError):
    """The upstream rejected the request as invalid (400 or 422)."""


class CredentialsError(UpstreamError):
    """The credentials were rejected (401 or 403) or no token could be obtained."""


class NotFoundError(UpstreamError):
    """The record, or the connector, does not exist."""


class RateLimitedError(UpstreamError):
    """The upstream kept returning 429, or requested a longer wait than allowed."""

    def __init__(self, message: str, *, retry_after: float | None = None, status_code: int | None = 429) -> None:
        super().__init__(message, status_code=status_code)
        self.retry_after = retry_after


class UpstreamUnavailableError(UpstreamError):
    """The upstream kept failing with 5xx, timeouts or connection errors."""


class UpstreamProtocolError(UpstreamError):
    """The upstream returned a body this server cannot read."""


def cap_text(text: str, limit: int = MAX_UPSTREAM_MESSAGE_CHARS) -> str:
    """Collapse whitespace and cut text from an upstream to `limit` characters."""
    collapsed = " ".join(str(text).split())
    if len(collapsed) <= limit:
        return collapsed
    return collapsed[: limit - 1] + "…"
