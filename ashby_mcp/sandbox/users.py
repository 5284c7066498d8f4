"""Fictional people: name generation and the users entity."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ashby_mcp.sandbox.values import iso_timestamp, random_instant
from ashby_mcp.sandbox.vocab import GLOBAL_ROLES, NAME_CULTURES

if TYPE_CHECKING:
    from ashby_mcp.sandbox.dataset import Dataset


@dataclass(frozen=True)
class PersonName:
    """A generated name with the ASCII parts used to build email addresses."""

    first: str
    last: str
    ascii_first: str
    ascii_last: str
    full: str


def random_person_name(rng: random.Random) -> PersonName:
    """Draw a name from one of the naming traditions in the vocabulary."""
    culture = rng.choice(NAME_CULTURES)
    first, ascii_first = rng.choice(culture.first)
    last, ascii_last = rng.choice(culture.last)
    parts = (last, first) if culture.family_name_first else (first, last)
    return PersonName(first, last, ascii_first, ascii_last, culture.separator.join(parts))


@dataclass(frozen=True)
class UserIdentity:
    """The parts of a user that other records embed (hiring teams, authors)."""

    id: str
    first_name: str
    last_name: str
    email: str


def _draw_user_identity(dataset: Dataset, rng: random.Random, index: int) -> UserIdentity:
    name = random_person_name(rng)
    email = f"{name.ascii_first}.{name.ascii_last}{index}@example.com"
    return UserIdentity(dataset.id("users", index), name.first, name.last, email)


def user_identity(dataset: Dataset, index: int) -> UserIdentity:
    """Return the name and email of user `index`, as build_user generates them."""
    return _draw_user_identity(dataset, dataset.rng("users", index), index)


def build_user(dataset: Dataset, index: int) -> dict:
    """Build user `index`. User 0 is always an enabled Organization Admin."""
    rng = dataset.rng("users", index)
    identity = _draw_user_identity(dataset, rng, index)
    role = GLOBAL_ROLES[0] if index == 0 else rng.choice(GLOBAL_ROLES)
    enabled = index == 0 or rng.random() < 0.9
    return {
        "id": identity.id,
        "firstName": identity.first_name,
        "lastName": identity.last_name,
        "email": identity.email,
        "globalRole": role,
        "isEnabled": enabled,
        "updatedAt": iso_timestamp(random_instant(rng)),
    }


def hiring_team_member(dataset: Dataset, user_index: int, role: str) -> dict:
    """Return a hiring team entry `{"email", "firstName", "lastName", "role", "userId"}`."""
    identity = user_identity(dataset, user_index)
    return {
        "email": identity.email,
        "firstName": identity.first_name,
        "lastName": identity.last_name,
        "role": role,
        "userId": identity.id,
    }
