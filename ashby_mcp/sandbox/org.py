"""The organization's structure: departments and locations."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from ashby_mcp.sandbox.values import iso_timestamp, later_instant, random_instant
from ashby_mcp.sandbox.vocab import DEPARTMENT_NAMES, LOCATION_CITIES, LOCATION_REGIONS

if TYPE_CHECKING:
    from ashby_mcp.sandbox.dataset import Dataset


def department_name(index: int) -> str:
    """Return the name of department `index`; names repeat with a number past the list."""
    cycle, position = divmod(index, len(DEPARTMENT_NAMES))
    base = DEPARTMENT_NAMES[position]
    return base if cycle == 0 else f"{base} {cycle + 1}"


def build_department(dataset: Dataset, index: int) -> dict:
    """Build department `index`. A parent always has a lower index, so parents never form a cycle."""
    rng = dataset.rng("departments", index)
    name = department_name(index)
    parent_id = None
    if index >= 3 and rng.random() < 0.4:
        parent_id = dataset.id("departments", rng.randrange(index))
    created = random_instant(rng)
    extra_data: dict | None = {}
    roll = rng.random()
    if roll < 0.2:
        extra_data = {"costCenter": f"CC-{1000 + index}"}
    elif roll < 0.3:
        extra_data = None
    return {
        "id": dataset.id("departments", index),
        "name": name,
        "externalName": name if rng.random() < 0.6 else None,
        "isArchived": rng.random() < 0.1,
        "parentId": parent_id,
        "createdAt": iso_timestamp(created),
        "updatedAt": iso_timestamp(later_instant(rng, created, 400)),
        "extraData": extra_data,
    }


def region_count(dataset: Dataset) -> int:
    """Return how many of the first locations are regions (LocationHierarchy) grouping cities."""
    return min(len(LOCATION_REGIONS), dataset.count("locations") // 4)


def pick_office(dataset: Dataset, rng: random.Random) -> int | None:
    """Return a random location index that is not a region, or None when there are no locations."""
    count = dataset.count("locations")
    if not count:
        return None
    return rng.randrange(region_count(dataset), count)


def _region_of_country(country: str | None, regions: int) -> int | None:
    if country == "US" and regions >= 1:
        return 0
    if country in ("DE", "GB", "IS") and regions >= 2:
        return 1
    return None


def build_location(dataset: Dataset, index: int) -> dict:
    """Build location `index`: a region for the first few indexes, then offices and Remote."""
    rng = dataset.rng("locations", index)
    regions = region_count(dataset)
    location_id = dataset.id("locations", index)
    if index < regions:
        name, _ = LOCATION_REGIONS[index]
        return {
            "id": location_id,
            "name": name,
            "externalName": None,
            "isArchived": False,
            "address": None,
            "isRemote": False,
            "workplaceType": None,
            "parentLocationId": None,
            "type": "LocationHierarchy",
            "extraData": {},
        }

    cycle, position = divmod(index - regions, len(LOCATION_CITIES))
    city, region, country, postal_code, street = LOCATION_CITIES[position]
    name = city if cycle == 0 else f"{city} {cycle + 1}"
    is_remote = country is None
    parent = _region_of_country(country, regions)
    address = None
    if not is_remote:
        address = {
            "postalAddress": {
                "addressCountry": country,
                "addressRegion": region,
                "addressLocality": city,
                "postalCode": postal_code,
                "streetAddress": street,
            }
        }
    return {
        "id": location_id,
        "name": name,
        "externalName": f"{name}, {country}" if country and rng.random() < 0.5 else None,
        "isArchived": rng.random() < 0.1,
        "address": address,
        "isRemote": is_remote,
        "workplaceType": "Remote" if is_remote else rng.choice(("OnSite", "Hybrid")),
        "parentLocationId": None if parent is None else dataset.id("locations", parent),
        "type": "Location",
        "extraData": {} if rng.random() < 0.8 else None,
    }
