"""Values made from immutable records, kept by the record's identity."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["ByIdentity"]

V = TypeVar("V")


class ByIdentity(Generic[V]):
    """What was made from a record (and a variant of the making), kept while that very record
    object lives: it is held beside its value, so its ``id`` is no other's meanwhile. An equal
    record that is another object is made anew. At most ``size`` values, the oldest let go
    one by one (letting thousands go at once would free them all in one pause)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._kept: OrderedDict[tuple[int, Hashable], tuple[object, V]] = OrderedDict()

    def get(self, record: object, variant: Hashable, make: Callable[[], V]) -> V:
        key = (id(record), variant)
        kept = self._kept.get(key)
        if kept is not None and kept[0] is record:
            return kept[1]
        value = make()
        self._kept[key] = (record, value)
        if len(self._kept) > self._size:
            self._kept.popitem(last=False)
        return value
