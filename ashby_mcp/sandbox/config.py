"""Settings of one sandbox instance: credentials, dataset size and behaviour."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ashby_mcp.sandbox.faults import Fault

DEMO_CLIENT_ID = "demo-client-id"
DEMO_CLIENT_SECRET = "demo-client-secret"
DEMO_CONNECTOR_ID = "5a9d2c3e-0000-4000-8000-000000000001"
DEMO_ORGANIZATION_ID = "5a9d2c3e-0000-4000-8000-0000000000aa"

ASHBY_DEFINITION_ID = "4e8c9fa0-3634-499b-b948-11581b5c3efa"
"""Airbyte's connector definition id for Ashby, used to look a connector up by workspace."""


@dataclass(frozen=True)
class SandboxConfig:
    """Settings of one sandbox app.

    Record counts are per entity. `applications` defaults to twice `candidates`.
    """

    client_id: str = DEMO_CLIENT_ID
    client_secret: str = DEMO_CLIENT_SECRET
    connector_id: str = DEMO_CONNECTOR_ID
    organization_id: str = DEMO_ORGANIZATION_ID
    workspace_name: str = "demo"

    static_tokens: frozenset[str] = frozenset()
    """Bearer tokens accepted without a call to the token endpoint. They never expire."""
    token_ttl_seconds: int = 900
    require_organization_header: bool = False
    """When True, execute requests without `X-Organization-Id` get 400."""

    seed: int = 0
    candidates: int = 500
    applications: int | None = None
    jobs: int = 40
    job_postings: int = 40
    departments: int = 10
    locations: int = 8
    users: int = 30
    sources: int = 12
    archive_reasons: int = 8
    candidate_tags: int = 20
    custom_fields: int = 15
    feedback_form_definitions: int = 6

    latency_ms: float = 0
    """Delay in milliseconds added before every execute response."""
    get_result_shape: Literal["record", "envelope"] = "record"
    """`envelope` wraps a found record in Ashby's `{"success": true, "results": ...}`."""

    faults: tuple[Fault, ...] = ()
    """Faults active for the whole run. Faults queued through the control endpoint come first."""
    enable_control: bool = False
    """Mount `/_sandbox/faults`, which queues and clears faults without authentication."""

    def __post_init__(self) -> None:
        for name in COUNTED_ENTITIES:
            count = self.count(name)
            if count < 0:
                raise ValueError(f"{name} count must be >= 0, got {count}")
        if self.count("applications") and not self.candidates:
            raise ValueError("applications need at least one candidate; set candidates >= 1")
        if self.job_postings and not self.jobs:
            raise ValueError("job_postings need at least one job; set jobs >= 1")
        if self.latency_ms < 0:
            raise ValueError(f"latency_ms must be >= 0, got {self.latency_ms}")
        if self.get_result_shape not in ("record", "envelope"):
            raise ValueError(
                f"get_result_shape must be 'record' or 'envelope', got {self.get_result_shape!r}"
            )

    def count(self, entity_name: str) -> int:
        """Return the number of records of an entity, resolving the `applications` default."""
        if entity_name == "applications" and self.applications is None:
            return 2 * self.candidates
        if entity_name not in COUNTED_ENTITIES:
            raise KeyError(f"unknown entity {entity_name!r}")
        return getattr(self, entity_name)


COUNTED_ENTITIES: tuple[str, ...] = (
    "candidates",
    "applications",
    "jobs",
    "departments",
    "locations",
    "users",
    "job_postings",
    "sources",
    "archive_reasons",
    "candidate_tags",
    "custom_fields",
    "feedback_form_definitions",
)
