"""Bearer tokens issued by the sandbox's token endpoint."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from enum import Enum


class TokenStatus(Enum):
    VALID = "valid"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


class TokenStore:
    """Issued tokens with their expiry, plus static tokens that never expire.

    Tokens are random URL-safe strings with no structure. Expired tokens are
    remembered until the next issue(), so a request with one gets an "expired" message.
    """

    def __init__(
        self,
        ttl_seconds: int,
        static_tokens: frozenset[str] = frozenset(),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self._static = static_tokens
        self._clock = clock
        self._expiry: dict[str, float] = {}

    def issue(self) -> str:
        """Create a token valid for ttl_seconds and forget tokens that expired before now."""
        now = self._clock()
        self._expiry = {token: expiry for token, expiry in self._expiry.items() if expiry > now}
        token = secrets.token_urlsafe(32)
        self._expiry[token] = now + self.ttl_seconds
        return token

    def check(self, token: str) -> TokenStatus:
        """Return whether a bearer token is valid, expired or unknown."""
        if token in self._static:
            return TokenStatus.VALID
        expiry = self._expiry.get(token)
        if expiry is None:
            return TokenStatus.UNKNOWN
        return TokenStatus.VALID if self._clock() < expiry else TokenStatus.EXPIRED
