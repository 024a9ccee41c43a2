"""The live situation: every active notice, declaration and measure, held in a spatial-temporal
index that is built once and updated in place, so screening asks the index for candidates and
then runs the exact test on those alone."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from ..domain.conflicts import Conflict
from ..domain.declarations import Declaration
from ..domain.measures import ControlMeasure, MeasureKind
from ..domain.notices import Notice
from ..domain.screening import Screenable
from ..domain.volume import SURFACE_TO_SPACE, AltitudeBand, TimeWindow
from .ports import Box, VolumeIndex

__all__ = ["Situation", "key_of"]

IndexFactory = Callable[[Iterable[tuple[str, Box]]], VolumeIndex]


def key_of(obj: Screenable) -> str:
    kind = (
        "notice"
        if isinstance(obj, Notice)
        else "declaration"
        if isinstance(obj, Declaration)
        else "measure"
    )
    return f"{kind}:{obj.id}"


def _box(bounds: tuple[float, float, float, float], window: TimeWindow, band: AltitudeBand) -> Box:
    return (
        bounds[0],
        bounds[1],
        window.start.timestamp(),
        band.lower_m,
        bounds[2],
        bounds[3],
        window.end.timestamp(),
        band.upper_m,
    )


def boxes_of(obj: Screenable, grow_m: float = 0.0, grow_z: float = 0.0) -> list[Box]:
    """The index boxes of an object's volumes, grown by a distance and a height."""
    if isinstance(obj, Notice):
        parts = [(v.footprint.bounds(grow_m), v.window, v.band) for v in obj.volumes]
    elif isinstance(obj, Declaration):
        parts = [(obj.footprint.bounds(grow_m), obj.window, SURFACE_TO_SPACE)]
    else:
        reach = obj.reach_m if obj.kind is MeasureKind.DECONFLICTION_LINE else 0.0
        parts = [(obj.footprint.bounds(grow_m + reach), obj.window, obj.band or SURFACE_TO_SPACE)]
    return [
        _box(bounds, window, AltitudeBand(band.lower_m - grow_z, band.upper_m + grow_z))
        for bounds, window, band in parts
    ]


class Situation:
    """Active objects by key, their index, and the active conflicts each takes part in."""

    def __init__(self, index_factory: IndexFactory) -> None:
        self._index_factory = index_factory
        self._objects: dict[str, Screenable] = {}
        self._conflicts: dict[str, dict[str, Conflict]] = {}
        self._index = index_factory([])

    def load(self, objects: Iterable[Screenable], conflicts: Iterable[Conflict]) -> None:
        """Build the index once, in bulk, from the store's active objects."""
        self._objects = {key_of(o): o for o in objects if o.active}
        items = [
            (f"{key}|{i}", box)
            for key, obj in self._objects.items()
            for i, box in enumerate(boxes_of(obj))
        ]
        self._index = self._index_factory(items)
        for conflict in conflicts:
            if conflict.active:
                self.add_conflict(conflict)

    def __len__(self) -> int:
        return len(self._index)

    def get(self, key: str) -> Screenable | None:
        return self._objects.get(key)

    def put(self, obj: Screenable) -> None:
        """Add, replace or (when no longer active) drop an object and its volumes."""
        key = key_of(obj)
        old = self._objects.pop(key, None)
        if old is not None:
            for i in range(len(boxes_of(old))):
                self._index.remove(f"{key}|{i}")
        if obj.active:
            self._objects[key] = obj
            for i, box in enumerate(boxes_of(obj)):
                self._index.insert(f"{key}|{i}", box)

    def near(self, obj: Screenable, grow_m: float, grow_z: float = 0.0) -> list[Screenable]:
        """Phase one: the active objects whose boxes meet the grown boxes of ``obj``."""
        own = key_of(obj)
        keys: set[str] = set()
        for box in boxes_of(obj, grow_m, grow_z):
            keys |= {k.split("|", 1)[0] for k in self._index.candidates(box)}
        keys.discard(own)
        return [self._objects[k] for k in sorted(keys)]

    def add_conflict(self, conflict: Conflict) -> None:
        for ref in (conflict.subject, conflict.other):
            self._conflicts.setdefault(f"{ref.type}:{ref.id}", {})[conflict.id] = conflict

    def drop_conflict(self, conflict: Conflict) -> None:
        for ref in (conflict.subject, conflict.other):
            self._conflicts.get(f"{ref.type}:{ref.id}", {}).pop(conflict.id, None)

    def conflicts_of(self, key: str) -> list[Conflict]:
        return list(self._conflicts.get(key, {}).values())

    def notices_active_at(self, at: datetime) -> list[Notice]:
        return [
            o for o in self._objects.values() if isinstance(o, Notice) and o.window.contains(at)
        ]

    def measures(self) -> list[ControlMeasure]:
        return [o for o in self._objects.values() if isinstance(o, ControlMeasure)]
