"""A deterministic Ashby dataset whose records are built on demand from their index.

Nothing is stored per record. Record `i` of an entity comes from a `random.Random`
seeded with (seed, entity, i), and cross references are computed the same way.
So a dataset of 100,000 candidates costs no more memory or start-up time than 500.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from functools import cached_property

from ashby_mcp.sandbox import candidates, jobs, metadata, org, users
from ashby_mcp.sandbox.config import COUNTED_ENTITIES, SandboxConfig
from ashby_mcp.sandbox.definitions import custom_field_template
from ashby_mcp.sandbox.ids import make_id, parse_id
from ashby_mcp.sandbox.links import BlockLinks

Builder = Callable[["Dataset", int], dict]

_BUILDERS: dict[str, Builder] = {
    "candidates": candidates.build_candidate,
    "applications": candidates.build_application,
    "jobs": jobs.build_job,
    "job_postings": jobs.build_job_posting,
    "departments": org.build_department,
    "locations": org.build_location,
    "users": users.build_user,
    "sources": metadata.build_source,
    "archive_reasons": metadata.build_archive_reason,
    "candidate_tags": metadata.build_candidate_tag,
    "custom_fields": metadata.build_custom_field,
    "feedback_form_definitions": metadata.build_feedback_form_definition,
}


class Dataset:
    """The records of every entity for one SandboxConfig, in a stable order."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self.seed = self.config.seed
        self._counts = {name: self.config.count(name) for name in COUNTED_ENTITIES}
        self.applications_by_candidate = BlockLinks(
            self.seed, "candidates>applications", self._counts["candidates"], self._counts["applications"]
        )
        self.postings_by_job = BlockLinks(
            self.seed, "jobs>job_postings", self._counts["jobs"], self._counts["job_postings"]
        )

    def count(self, entity_name: str) -> int:
        """Return the number of records of an entity; raise KeyError for an unknown entity."""
        try:
            return self._counts[entity_name]
        except KeyError:
            raise KeyError(f"unknown entity {entity_name!r}") from None

    def id(self, kind: str, index: int) -> str:
        """Return the id of record `index` of an entity or of a nested object kind."""
        return make_id(self.seed, kind, index)

    def ids(self, entity_name: str) -> Iterator[str]:
        """Yield the ids of an entity's records in list order, without building the records."""
        for index in range(self.count(entity_name)):
            yield make_id(self.seed, entity_name, index)

    def index_of(self, entity_name: str, record_id: str) -> int | None:
        """Return the index of the record with this id, or None when the entity has no such id."""
        index = parse_id(self.seed, entity_name, record_id)
        if index is None or index >= self.count(entity_name):
            return None
        return index

    def record(self, entity_name: str, index: int) -> dict:
        """Build record `index` of an entity; raise IndexError outside 0..count-1."""
        count = self.count(entity_name)
        if not 0 <= index < count:
            raise IndexError(f"{entity_name} index {index} is outside 0..{count - 1}")
        return _BUILDERS[entity_name](self, index)

    def find(self, entity_name: str, record_id: str) -> dict | None:
        """Return the record with this id, or None when the entity has no such record."""
        index = self.index_of(entity_name, record_id)
        return None if index is None else _BUILDERS[entity_name](self, index)

    def rng(self, kind: str, index: int) -> random.Random:
        """Return the random generator of record `index` of `kind`, the same on every call."""
        return random.Random(f"{self.seed}:{kind}:{index}")

    def pick(self, rng: random.Random, entity_name: str) -> int | None:
        """Return a random index of an entity, or None when the entity has no records."""
        count = self._counts[entity_name]
        return rng.randrange(count) if count else None

    def sample(self, rng: random.Random, entity_name: str, low: int, high: int) -> list[int]:
        """Return between low and high distinct random indexes of an entity, in random order."""
        count = self._counts[entity_name]
        size = min(count, rng.randint(low, high))
        return rng.sample(range(count), size)

    @cached_property
    def custom_fields_by_object_type(self) -> dict[str, list[int]]:
        """Indexes of the custom field definitions that belong to each object type."""
        grouped: dict[str, list[int]] = {}
        for index in range(self._counts["custom_fields"]):
            template, _ = custom_field_template(index)
            grouped.setdefault(template.object_type, []).append(index)
        return grouped
