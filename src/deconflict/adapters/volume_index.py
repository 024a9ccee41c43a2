"""Spatial-temporal indexes of volumes: a 4D R-tree, and a brute-force scan to compare with."""

from __future__ import annotations

from collections.abc import Iterable

from rtree import index as rtree_index

from ..service.ports import Box

__all__ = ["RTreeIndex", "BruteForceIndex", "boxes_meet"]


def boxes_meet(a: Box, b: Box) -> bool:
    """Closed boxes meet: touching counts, the exact test decides the edges."""
    return all(a[i] <= b[i + 4] and b[i] <= a[i + 4] for i in range(4))


class RTreeIndex:
    """libspatialindex R*-tree over (lon, lat, time, altitude); inserts and removes in place."""

    def __init__(self, items: Iterable[tuple[str, Box]] = ()) -> None:
        self._ids: dict[str, int] = {}
        self._keys: dict[int, str] = {}
        self._boxes: dict[str, Box] = {}
        self._next = 0
        properties = rtree_index.Property()
        properties.dimension = 4
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
