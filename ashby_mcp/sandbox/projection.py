"""`select_fields` and `exclude_fields`: keep or drop dot paths in records.

A path such as `emailAddresses.value` walks into objects by key and applies to every
item of an array on the way, so it keeps or drops `value` in each email address.
A path that names a whole field (`source`) wins over deeper paths below it.
"""

from __future__ import annotations

from typing import Any, Union

PathTree = dict[str, Union["PathTree", bool]]


def build_path_tree(paths: list[str]) -> PathTree:
    """Turn dot paths into a nested dict whose leaves are True."""
    tree: PathTree = {}
    for path in paths:
        node = tree
        parts = path.split(".")
        for depth, part in enumerate(parts):
            existing = node.get(part)
            if existing is True:
                break
            if depth == len(parts) - 1:
                node[part] = True
                break
            if existing is None:
                existing = node[part] = {}
            node = existing  # type: ignore[assignment]
    return tree


def select_paths(value: Any, tree: PathTree | bool) -> Any:
    """Return a copy of value that keeps only the paths in tree."""
    if tree is True:
        return value
    if isinstance(value, dict):
        return {key: select_paths(item, tree[key]) for key, item in value.items() if key in tree}
    if isinstance(value, list):
        return [select_paths(item, tree) for item in value]
    return value


def exclude_paths(value: Any, tree: PathTree) -> Any:
    """Return a copy of value without the paths in tree."""
    if isinstance(value, dict):
        remaining = {}
        for key, item in value.items():
            subtree = tree.get(key)
            if subtree is True:
                continue
            remaining[key] = item if subtree is None else exclude_paths(item, subtree)
        return remaining
    if isinstance(value, list):
        return [exclude_paths(item, tree) for item in value]
    return value


def project(record: dict, select_fields: list[str] | None, exclude_fields: list[str] | None) -> dict:
    """Apply select_fields or, when it is absent, exclude_fields to one record."""
    if select_fields:
        return select_paths(record, build_path_tree(select_fields))
    if exclude_fields:
        return exclude_paths(record, build_path_tree(exclude_fields))
    return record
