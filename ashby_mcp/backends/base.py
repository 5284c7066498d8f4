"""The interface every upstream backend implements.

Tools call a backend with an entity name, an action's wire parameters and
an optional field selection; the backend returns records. The Airbyte
execute API is the first backend; a direct Ashby API backend can implement
the same three methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Page:
    """One upstream page of a listing."""

    records: list[dict[str, Any]]
    cursor: str | None
    """Upstream cursor of the next page; None on the last page."""
    has_more: bool


class Backend(Protocol):
    """An upstream that serves the catalog's list and get actions."""

    async def list(self, entity: str, params: dict[str, Any], select_fields: list[str] | None = None) -> Page:
        """Fetch one page; `params` contains wire parameters only (`cursor`, `limit`)."""
        ...

    async def get(self, entity: str, params: dict[str, Any], select_fields: list[str] | None = None) -> dict[str, Any]:
        """Fetch one record; `params` contains the entity's id parameter by its wire name."""
        ...

    async def aclose(self) -> None:
        """Release connections; the backend is unusable afterwards."""
        ...
