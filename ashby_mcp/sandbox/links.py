"""Parent-to-children links computed on demand, for example candidates to applications.

`children` records are split among `parents` in contiguous blocks of varying size.
Block `p` starts at `floor(p * children / parents) + jitter(p)`, where the jitter is a
hash of (seed, kind, p) between 0 and `children // parents`, and is 0 for the first
parent and the end. That keeps the starts non-decreasing, so a parent's children
are a range and a child's parent is a binary search, with nothing stored.
"""

from __future__ import annotations

import hashlib


class BlockLinks:
    """Deterministic one-to-many links between two index ranges."""

    def __init__(self, seed: int, kind: str, parents: int, children: int) -> None:
        if children and not parents:
            raise ValueError(f"{kind}: {children} children need at least one parent")
        self._seed = seed
        self._kind = kind
        self.parents = parents
        self.children = children
        self._max_jitter = children // parents if parents else 0

    def _start(self, parent: int) -> int:
        if parent <= 0:
            return 0
        if parent >= self.parents:
            return self.children
        base = parent * self.children // self.parents
        if not self._max_jitter:
            return base
        digest = hashlib.blake2b(
            f"{self._seed}:{self._kind}:{parent}".encode(), digest_size=4
        ).digest()
        return base + int.from_bytes(digest, "big") % (self._max_jitter + 1)

    def children_of(self, parent: int) -> range:
        """Return the child indexes of one parent, possibly empty."""
        return range(self._start(parent), self._start(parent + 1))

    def parent_of(self, child: int) -> int:
        """Return the parent index whose block contains `child`."""
        if not 0 <= child < self.children:
            raise IndexError(f"{self._kind}: child {child} is outside 0..{self.children - 1}")
        low, high = 0, self.parents - 1
        # Find the largest parent whose block starts at or before the child.
        while low < high:
            middle = (low + high + 1) // 2
            if self._start(middle) <= child:
                low = middle
            else:
                high = middle - 1
        return low
