"""Bearer tokens for the Airbyte API: a ready token, or one exchanged for client credentials."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import anyio

from ashby_mcp.errors import AshbyMCPError, CredentialsError

# Refresh this long before `expires_in` runs out, so a token never expires in flight.
REFRESH_MARGIN_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Token:
    value: str
    refresh_at: float
    """time.monotonic() value from which the token is replaced before use."""


TokenFetcher = Callable[[], Awaitable[tuple[str, float]]]
"""Requests a new token; returns the token and its lifetime in seconds."""


class TokenProvider:
    """Hands out a cached token and refreshes it once for all concurrent callers.

    A caller that waited for a refresh gets that refresh's token or error
    instead of requesting a token again, even when the upstream gave the
    token too short a life to cache.
    """

    def __init__(self, fetch: TokenFetcher | None, static_token: str | None = None) -> None:
        if fetch is None and static_token is None:
            raise ValueError("TokenProvider needs a fetcher or a static token")
        self._fetch = fetch
        self._token: Token | None = None
        if static_token is not None:
            self._token = Token(static_token, float("inf"))
        self._lock = anyio.Lock()
        self.refresh_count = 0
        self._attempts = 0
        self._succeeded = 0  # number of the last refresh attempt that returned a token
        self._failure: AshbyMCPError | None = None
        self._recent: deque[str] = deque([static_token] if static_token else [], maxlen=4)

    @property
    def can_refresh(self) -> bool:
        return self._fetch is not None

    def recent(self) -> tuple[str, ...]:
        """Return the tokens handed out lately, so that upstream text echoing them can be redacted."""
        return tuple(self._recent)

    async def get(self) -> str:
        """Return a cached token, refreshing it when it is close to expiry."""
        token = self._token
        if token is not None and time.monotonic() < token.refresh_at:
            return token.value
        attempts_seen = self._attempts
        async with self._lock:
            # Another caller may have refreshed while this one waited for the lock.
            token = self._token
            if token is not None and time.monotonic() < token.refresh_at:
                return token.value
            return self._shared_refresh(attempts_seen) or await self._refresh()

    async def reject(self, value: str) -> str:
        """Drop a token the upstream rejected with 401 and return a fresh one."""
        if self._fetch is None:
            raise CredentialsError(
                "The upstream rejected AIRBYTE_ACCESS_TOKEN (HTTP 401): it is expired or invalid. "
                "Set a new token, or set AIRBYTE_CLIENT_ID and AIRBYTE_CLIENT_SECRET so the server "
                "can renew tokens itself.",
                status_code=401,
            )
        attempts_seen = self._attempts
        async with self._lock:
            if self._token is not None and self._token.value != value:
                return self._token.value  # someone already replaced it
            return self._shared_refresh(attempts_seen) or await self._refresh()

    def _shared_refresh(self, attempts_seen: int) -> str | None:
        """Return the token of a refresh that ran while the caller waited for the lock, or raise its error.

        Returns None when no refresh finished in that time, for example because it was cancelled.
        """
        if self._attempts == attempts_seen:
            return None
        if self._failure is not None:
            raise self._failure
        if self._token is not None and self._succeeded == self._attempts:
            return self._token.value
        return None

    async def _refresh(self) -> str:
        assert self._fetch is not None
        self._attempts += 1
        self._failure = None
        try:
            value, lifetime = await self._fetch()
        except AshbyMCPError as exc:
            self._failure = exc
            raise
        self.refresh_count += 1
        self._succeeded = self._attempts
        self._recent.append(value)
        # Short-lived tokens are used for half their life rather than not at all.
        margin = min(REFRESH_MARGIN_SECONDS, lifetime / 2)
        self._token = Token(value, time.monotonic() + lifetime - margin)
        return value
