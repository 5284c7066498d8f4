"""The `customFields` array of candidates, applications and jobs.

Each item refers to a custom field definition of the record's object type:
`{"id", "isPrivate", "title", "value"}` plus `valueLabel` for ValueSelect fields.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from ashby_mcp.sandbox.definitions import CustomFieldTemplate, custom_field_template
from ashby_mcp.sandbox.metadata import selectable_value
from ashby_mcp.sandbox.values import DAY_MS, HISTORY_END_MS, iso_timestamp, note_text, random_instant

if TYPE_CHECKING:
    from ashby_mcp.sandbox.dataset import Dataset

CURRENCIES = ("USD", "EUR", "GBP", "ISK", "JPY", "BRL")
EMPLOYERS = ("Example Corp", "Sample Systems GmbH", "Placeholder Labs", "Demo Analytics",
             "Fictional Freight Co.", "株式会社サンプル", "Пример Софт")


def _value_for(rng: random.Random, template: CustomFieldTemplate, long_notes: bool) -> tuple[object, str | None]:
    """Return a value of the template's field type and, for ValueSelect, its label."""
    kind = template.field_type
    if kind == "Boolean":
        return rng.random() < 0.5, None

    if kind == "String":
        return rng.choice(EMPLOYERS) if "employer" in template.title.lower() else f"CC-{rng.randint(100, 999)}", None

    if kind == "LongText":
        if long_notes:
            return note_text(rng, 2000, 6000), None
        return note_text(rng, 40, 300), None

    if kind == "Number":
        return (rng.randint(0, 25) if rng.random() < 0.7 else round(rng.uniform(0, 25), 1)), None

    if kind == "Date":
        day = random_instant(rng, HISTORY_END_MS - 200 * DAY_MS, HISTORY_END_MS + 200 * DAY_MS)
        return iso_timestamp(day - day % DAY_MS), None

    if kind == "MultiValueSelect":
        labels = rng.sample(template.choices, rng.randint(1, 3))
        return [selectable_value(label) for label in labels], None

    if kind == "ValueSelect":
        label = rng.choice(template.choices)
        return selectable_value(label), label

    if kind == "Currency":
        return {"value": rng.randrange(40_000, 250_000, 500), "currencyCode": rng.choice(CURRENCIES)}, None

    if kind == "NumberRange":
        low = rng.randint(0, 8)
        # NOTE: the range shapes are a guess because no recorded Ashby payload shows one.
        return {"type": "number-range", "minValue": low, "maxValue": low + rng.randint(0, 8)}, None

    if kind == "CompensationRange":
        low = rng.randrange(60_000, 200_000, 5_000)
        return {
            "type": "compensation-range",
            "minValue": low,
            "maxValue": low + rng.randrange(10_000, 60_000, 5_000),
            "currencyCode": rng.choice(CURRENCIES),
            "interval": "1 YEAR",
        }, None

    raise ValueError(f"no value generator for custom field type {kind!r}")


def custom_field_values(
    dataset: Dataset, rng: random.Random, object_type: str, long_notes: bool = False
) -> list[dict]:
    """Return the customFields array for a record of `object_type`.

    Each definition of that type is present with probability 0.6, LongText ones with
    probability 0.3 and up to 300 characters. When long_notes is True, every LongText
    definition is present and gets 2,000 to 6,000 characters.
    """
    items = []
    for index in dataset.custom_fields_by_object_type.get(object_type, ()):
        template, title = custom_field_template(index)
        if template.field_type == "LongText":
            included = long_notes or rng.random() < 0.3
        else:
            included = rng.random() < 0.6
        if not included:
            continue
        value, label = _value_for(rng, template, long_notes)
        item = {
            "id": dataset.id("custom_fields", index),
            "isPrivate": template.is_private,
            "title": title,
            "value": value,
        }
        if label is not None:
            item["valueLabel"] = label
        items.append(item)
    return items
