"""Hiring process metadata: sources, archive reasons, tags, custom fields, feedback forms."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from ashby_mcp.sandbox.definitions import (
    FEEDBACK_FIELD_CHOICES,
    FEEDBACK_FIELD_TITLES,
    FEEDBACK_FORM_TITLES,
    FEEDBACK_SECTION_TITLES,
    custom_field_template,
)
from ashby_mcp.sandbox.vocab import ARCHIVE_REASONS, CANDIDATE_TAGS, SOURCE_TYPES, SOURCES

if TYPE_CHECKING:
    from ashby_mcp.sandbox.dataset import Dataset


def _cycled(items: tuple, index: int) -> tuple[object, int]:
    """Return item `index % len(items)` and how many times the list has wrapped."""
    cycle, position = divmod(index, len(items))
    return items[position], cycle


def _numbered(title: str, cycle: int) -> str:
    return title if cycle == 0 else f"{title} ({cycle + 1})"


def build_source(dataset: Dataset, index: int) -> dict:
    """Build source `index`, with its source type embedded."""
    rng = dataset.rng("sources", index)
    (title, type_title), cycle = _cycled(SOURCES, index)
    type_index = SOURCE_TYPES.index(type_title)
    return {
        "id": dataset.id("sources", index),
        "title": _numbered(title, cycle),
        "isArchived": index > 2 and rng.random() < 0.1,
        "sourceType": {
            "id": dataset.id("source_types", type_index),
            "title": type_title,
            "isArchived": False,
        },
    }


def build_archive_reason(dataset: Dataset, index: int) -> dict:
    """Build archive reason `index`."""
    rng = dataset.rng("archive_reasons", index)
    (text, reason_type), cycle = _cycled(ARCHIVE_REASONS, index)
    return {
        "id": dataset.id("archive_reasons", index),
        "text": _numbered(text, cycle),
        "reasonType": reason_type,
        "isArchived": rng.random() < 0.1,
    }


def build_candidate_tag(dataset: Dataset, index: int) -> dict:
    """Build candidate tag `index`."""
    rng = dataset.rng("candidate_tags", index)
    title, cycle = _cycled(CANDIDATE_TAGS, index)
    return {
        "id": dataset.id("candidate_tags", index),
        "title": _numbered(title, cycle),
        "isArchived": rng.random() < 0.1,
    }


def selectable_value(label: str) -> str:
    """Return the stored value of a select option, derived from its label."""
    return "".join(ch if ch.isalnum() else "_" for ch in label.lower()).strip("_")


def build_custom_field(dataset: Dataset, index: int) -> dict:
    """Build custom field definition `index` from its template."""
    rng = dataset.rng("custom_fields", index)
    template, title = custom_field_template(index)
    record = {
        "id": dataset.id("custom_fields", index),
        "title": title,
        "objectType": template.object_type,
        "isArchived": index >= 10 and rng.random() < 0.15,
        "isPrivate": template.is_private,
        "fieldType": template.field_type,
    }
    if template.choices:
        # Half of the select fields have retired their last option.
        last_archived = rng.random() < 0.5
        record["selectableValues"] = [
            {
                "label": label,
                "value": selectable_value(label),
                "isArchived": last_archived and label == template.choices[-1],
            }
            for label in template.choices
        ]
    return record


def _feedback_field(dataset: Dataset, rng: random.Random, form: int, number: int, field_type: str) -> dict:
    field_id = dataset.id("feedback_form_fields", form * 1000 + number)
    title = rng.choice(FEEDBACK_FIELD_TITLES[field_type])
    # Score fields get a system-field style path, the other fields use their id.
    path = f"_systemfield_{selectable_value(title)}" if field_type == "Score" else field_id
    field = {
        "id": field_id,
        "type": field_type,
        "path": path,
        "title": title,
        "isNullable": rng.random() < 0.5,
    }
    choices = FEEDBACK_FIELD_CHOICES.get(field_type)
    if choices:
        labels = rng.sample(choices, rng.randint(3, len(choices)))
        field["selectableValues"] = [{"label": label, "value": selectable_value(label)} for label in labels]
    return {"isRequired": rng.random() < 0.6, "field": field}


def build_feedback_form_definition(dataset: Dataset, index: int) -> dict:
    """Build feedback form `index`. Form 0 is the default form and uses every field type."""
    rng = dataset.rng("feedback_form_definitions", index)
    field_types = list(FEEDBACK_FIELD_TITLES)
    rng.shuffle(field_types)
    if index != 0:
        field_types = field_types[: rng.randint(4, len(field_types))]

    sections = []
    number = 0
    while number < len(field_types):
        size = rng.randint(1, 4)
        section_types = field_types[number : number + size]
        fields = [
            _feedback_field(dataset, rng, index, number + offset, field_type)
            for offset, field_type in enumerate(section_types)
        ]
        section: dict = {"fields": fields}
        title = rng.choice(FEEDBACK_SECTION_TITLES)
        if title is not None:
            section["title"] = title
        sections.append(section)
        number += len(section_types)

    title, cycle = _cycled(FEEDBACK_FORM_TITLES, index)
    return {
        "id": dataset.id("feedback_form_definitions", index),
        "organizationId": dataset.id("organizations", 0),
        "title": _numbered(title, cycle),
        "isArchived": index > 0 and rng.random() < 0.15,
        "isDefaultForm": index == 0,
        "formDefinition": {"sections": sections},
        "interviewId": None if index == 0 or rng.random() < 0.4 else dataset.id("interviews", index),
    }
