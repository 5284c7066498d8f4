"""A small store of upstream pages that a result cut by the byte budget left unfinished.

When a page does not fit one result, the next call resumes inside the same upstream
page. Keeping that page for a short while spares the upstream a second request for
records it already sent, and keeps the resumed call's work proportional to the
records it returns. Cursors stay self-contained: a call that finds no stored page,
for example on another replica or after the entry expired, fetches the page again.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

DEFAULT_MAX_PAGES = 4
DEFAULT_TTL_SECONDS = 30.0


class PageCache:
    """Pages by key, each returned at most once and never after `ttl_seconds`.

    At most `max_pages` are held, so memory stays bounded even when no call
    comes back for them: a new page pushes out the oldest.
    """

    def __init__(self, max_pages: int = DEFAULT_MAX_PAGES, ttl_seconds: float = DEFAULT_TTL_SECONDS) -> None:
        self.max_pages = max_pages
        self.ttl_seconds = ttl_seconds
        self._pages: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()

    def put(self, key: Hashable, page: Any) -> None:
        self._pages.pop(key, None)
        self._pages[key] = (time.monotonic() + self.ttl_seconds, page)
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)

    def take(self, key: Hashable) -> Any | None:
        """Remove and return the page stored under `key`, or None if there is none or it expired."""
        entry = self._pages.pop(key, None)
        if entry is None:
            return None
        expires_at, page = entry
        return page if time.monotonic() < expires_at else None

    def __len__(self) -> int:
        return len(self._pages)
