"""Spatial-temporal indexes of volumes: a 4D R-tree, and a brute-force scan to compare with."""

from __future__ import annotations

import math
from collections.abc import Iterable

from rtree import index as rtree_index

from ..service.ports import Box

__all__ = ["RTreeIndex", "TimeSlicedIndex", "BruteForceIndex", "boxes_meet"]


def boxes_meet(a: Box, b: Box) -> bool:
    """Closed boxes meet: touching counts, the exact test decides the edges."""
    return all(a[i] <= b[i + 4] and b[i] <= a[i + 4] for i in range(4))


class RTreeIndex:
    """libspatialindex R-tree over (lon, lat, time, altitude); inserts and removes in place.

    Quadratic splits, not the R*-tree's: its forced reinsertion made an insert three to four
    times dearer (42-48 µs against 12-13 µs into a tree of 3,500 boxes of this shape), and in
    these mixed units (degrees, seconds, metres) the queries were no faster for it."""

    def __init__(self, items: Iterable[tuple[str, Box]] = ()) -> None:
        self._ids: dict[str, int] = {}
        self._keys: dict[int, str] = {}
        self._boxes: dict[str, Box] = {}
        self._next = 0
        properties = rtree_index.Property()
        properties.dimension = 4
        properties.variant = rtree_index.RT_Quadratic
        properties.fill_factor = 0.4  # below a half, as quadratic splits need
        loaded = list(self._number(items))
        if loaded:  # bulk load is several times faster than inserting one by one
            self._tree = rtree_index.Index(iter(loaded), properties=properties)
        else:
            self._tree = rtree_index.Index(properties=properties)

    def _number(self, items: Iterable[tuple[str, Box]]) -> Iterable[tuple[int, Box, None]]:
        for key, box in items:
            number = self._next
            self._next += 1
            self._ids[key], self._keys[number], self._boxes[key] = number, key, box
            yield number, box, None

    def insert(self, key: str, box: Box) -> None:
        if key in self._ids:
            self.remove(key)
        for number, numbered_box, _ in self._number([(key, box)]):
            self._tree.insert(number, numbered_box)

    def remove(self, key: str) -> None:
        number = self._ids.pop(key, None)
        if number is None:
            return
        self._tree.delete(number, self._boxes.pop(key))
        del self._keys[number]

    def candidates(self, box: Box) -> set[str]:
        keys = self._keys
        return {keys[n] for n in self._tree.intersection(box)}

    def __len__(self) -> int:
        return len(self._ids)


class BruteForceIndex:
    """Checks every box: the baseline the R-tree is measured and tested against."""

    def __init__(self, items: Iterable[tuple[str, Box]] = ()) -> None:
        self._boxes: dict[str, Box] = dict(items)

    def insert(self, key: str, box: Box) -> None:
        self._boxes[key] = box

    def remove(self, key: str) -> None:
        self._boxes.pop(key, None)

    def candidates(self, box: Box) -> set[str]:
        return {key for key, other in self._boxes.items() if boxes_meet(box, other)}

    def __len__(self) -> int:
        return len(self._boxes)


#: The slice that holds what spans too many days to be copied into each (UFN declarations).
_LONG = -(2**62)


class TimeSlicedIndex:
    """One R-tree per UTC day: a query searches only the days its window touches.

    Operations last hours, the situation spans weeks: partitioning by time first keeps each
    tree small. An object is copied into every day it touches, up to ``max_days``; longer ones
    (standing declarations, measures valid until further notice) share one more tree.
    """

    def __init__(
        self, items: Iterable[tuple[str, Box]] = (), day_s: float = 86_400.0, max_days: int = 7
    ) -> None:
        self._day_s, self._max_days = day_s, max_days
        self._where: dict[str, tuple[int, ...]] = {}
        groups: dict[int, list[tuple[str, Box]]] = {}
        for key, box in items:
            slices = self._where[key] = self._slices(box)
            for s in slices:
                groups.setdefault(s, []).append((key, box))
        self._trees = {s: RTreeIndex(group) for s, group in groups.items()}

    def _days(self, box: Box) -> range:
        return range(math.floor(box[2] / self._day_s), math.floor(box[6] / self._day_s) + 1)

    def _slices(self, box: Box) -> tuple[int, ...]:
        days = self._days(box)
        return (_LONG,) if len(days) > self._max_days else tuple(days)

    def insert(self, key: str, box: Box) -> None:
        self.remove(key)
        slices = self._where[key] = self._slices(box)
        for s in slices:
            tree = self._trees.get(s)
            if tree is None:  # a new day (not ``setdefault``: an R-tree costs to make)
                tree = self._trees[s] = RTreeIndex()
            tree.insert(key, box)

    def remove(self, key: str) -> None:
        for s in self._where.pop(key, ()):
            self._trees[s].remove(key)

    def candidates(self, box: Box) -> set[str]:
        days = self._days(box)
        if len(days) > len(self._trees):  # a long query: visit the trees there are
            slices = [s for s in self._trees if s == _LONG or s in days]
        else:
            slices = [*days, _LONG]
        found: set[str] = set()
        for s in slices:
            tree = self._trees.get(s)
            if tree is not None and len(tree):
                found |= tree.candidates(box)
        return found

    def __len__(self) -> int:
        return len(self._where)
