"""The live situation: every active notice, declaration and measure, held in a spatial-temporal
index that is built once and updated in place, so screening asks the index for candidates and
then runs the exact test on those alone."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..domain.arrangement import AIR_KINDS, SURFACE_KINDS, Rules
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


def _box(
    bounds: tuple[float, float, float, float], window: TimeWindow, band: AltitudeBand, grow_z: float
) -> Box:
    return (
        bounds[0],
        bounds[1],
        window.start.timestamp(),
        band.lower_m - grow_z,
        bounds[2],
        bounds[3],
        window.end.timestamp(),
        band.upper_m + grow_z,
    )


def boxes_of(obj: Screenable, grow_m: float = 0.0, grow_z: float = 0.0) -> list[Box]:
    """The index boxes of an object's volumes, grown by a distance and a height."""
    if isinstance(obj, Notice):
        return [_box(v.footprint.bounds(grow_m), v.window, v.band, grow_z) for v in obj.volumes]
    if isinstance(obj, Declaration):
        return [_box(obj.footprint.bounds(grow_m), obj.window, SURFACE_TO_SPACE, grow_z)]
    reach = obj.reach_m if obj.kind is MeasureKind.DECONFLICTION_LINE else 0.0
    band = obj.band or SURFACE_TO_SPACE
    return [_box(obj.footprint.bounds(grow_m + reach), obj.window, band, grow_z)]


AIR, SURFACE, DECLARATIONS, MEASURES = "air", "surface", "declarations", "measures"
LAYERS = (AIR, SURFACE, DECLARATIONS, MEASURES)


def layers_of(obj: Screenable) -> tuple[str, ...]:
    """Which indexes hold an object: air operations, surface-acting notices (a strike is
    both), declarations, measures. A query then searches only the layers its rules concern."""
    if isinstance(obj, Notice):
        return tuple(
            layer
            for layer, kinds in ((AIR, AIR_KINDS), (SURFACE, SURFACE_KINDS))
            if obj.kind in kinds
        )
    return (DECLARATIONS,) if isinstance(obj, Declaration) else (MEASURES,)


def holder_of(obj: Screenable) -> str:
    """Whose index in a layer holds an object: its party's, for notices and declarations (a
    notice never conflicts with its own party's notices or positions, so a query skips them);
    the one shared index (``""``) for measures, which bind every party."""
    return "" if isinstance(obj, ControlMeasure) else obj.party


class Situation:
    """Active objects by key, their indexes (one per layer and party), and the active conflicts
    each object takes part in."""

    def __init__(self, index_factory: IndexFactory) -> None:
        self._index_factory = index_factory
        self._objects: dict[str, Screenable] = {}
        self._conflicts: dict[str, dict[str, Conflict]] = {}
        self._indexes: dict[str, dict[str, VolumeIndex]] = {layer: {} for layer in LAYERS}

    def load(self, objects: Iterable[Screenable], conflicts: Iterable[Conflict]) -> None:
        """Build the indexes once, in bulk, from the store's active objects (again after a failed
        commit: what was there before is dropped)."""
        self._objects = {key_of(o): o for o in objects if o.active}
        items: dict[tuple[str, str], list[tuple[str, Box]]] = {}
        for key, obj in self._objects.items():
            boxes = list(enumerate(boxes_of(obj)))
            for layer in layers_of(obj):
                group = items.setdefault((layer, holder_of(obj)), [])
                group += [(f"{key}|{i}", box) for i, box in boxes]
        self._indexes = {layer: {} for layer in LAYERS}
        for (layer, holder), group in items.items():
            self._indexes[layer][holder] = self._index_factory(group)
        self._conflicts = {}
        for conflict in conflicts:
            if conflict.active:
                self.add_conflict(conflict)

    def __len__(self) -> int:
        return len(self._objects)

    def get(self, key: str) -> Screenable | None:
        return self._objects.get(key)

    def put(self, obj: Screenable) -> None:
        """Add, replace or (when no longer active) drop an object and its volumes."""
        key = key_of(obj)
        old = self._objects.pop(key, None)
        if old is not None:
            for layer in layers_of(old):
                held = self._indexes[layer][holder_of(old)]
                for i in range(len(old.volumes) if isinstance(old, Notice) else 1):
                    held.remove(f"{key}|{i}")
        if obj.active:
            self._objects[key] = obj
            boxes = list(enumerate(boxes_of(obj)))
            for layer in layers_of(obj):
                holders, holder = self._indexes[layer], holder_of(obj)
                index = holders.get(holder)
                if index is None:  # the party's first object in this layer
                    index = holders[holder] = self._index_factory([])
                for i, box in boxes:
                    index.insert(f"{key}|{i}", box)

    def _search(
        self,
        obj: Screenable,
        layers: Iterable[tuple[str, float, float]],
        other_parties_only: bool = False,
    ) -> list[Screenable]:
        """What meets the grown boxes of ``obj`` in these layers; with ``other_parties_only``
        not what ``obj``'s own party holds (measures are everyone's: always searched)."""
        own = holder_of(obj) if other_parties_only else None
        keys: set[str] = set()
        for layer, grow_m, grow_z in layers:
            for holder, index in self._indexes[layer].items():
                if holder == own or not len(index):
                    continue
                for box in boxes_of(obj, grow_m, grow_z):
                    keys.update(k.partition("|")[0] for k in index.candidates(box))
        keys.discard(key_of(obj))
        return [self._objects[k] for k in sorted(keys)]

    def near(self, obj: Screenable, grow_m: float, grow_z: float = 0.0) -> list[Screenable]:
        """Phase one, every layer: the active objects whose boxes meet the grown boxes of ``obj``."""
        return self._search(obj, [(layer, grow_m, grow_z) for layer in LAYERS])

    def near_notice(self, notice: Notice, rules: Rules) -> list[Screenable]:
        """Phase one for a notice: only what its kind can conflict with — the other parties'
        objects and the measures — each as far as its rule looks (air operations to the
        separation minima, declarations to the widest buffer)."""
        layers = [(MEASURES, 0.0, 0.0)]
        if notice.kind in AIR_KINDS:
            layers.append((AIR, rules.lateral_separation_m, rules.vertical_separation_m))
        if notice.kind in SURFACE_KINDS:
            layers.append((DECLARATIONS, max(rules.buffer_m.values(), default=0.0), 0.0))
        return self._search(notice, layers, other_parties_only=True)

    def near_declaration(self, declaration: Declaration, buffer_m: float) -> list[Notice]:
        """Phase one for a declaration: the other parties' surface-acting notices within its
        buffer."""
        found = self._search(declaration, [(SURFACE, buffer_m, 0.0)], other_parties_only=True)
        return [n for n in found if isinstance(n, Notice)]

    def near_measure(self, measure: ControlMeasure) -> list[Notice]:
        """Phase one for a measure: the notices that meet it (its reach is in its own box)."""
        found = self._search(measure, [(AIR, 0.0, 0.0), (SURFACE, 0.0, 0.0)])
        return [n for n in found if isinstance(n, Notice)]

    def add_conflict(self, conflict: Conflict) -> None:
        for ref in (conflict.subject, conflict.other):
            self._conflicts.setdefault(f"{ref.type}:{ref.id}", {})[conflict.id] = conflict

    def drop_conflict(self, conflict: Conflict) -> None:
        for ref in (conflict.subject, conflict.other):
            self._conflicts.get(f"{ref.type}:{ref.id}", {}).pop(conflict.id, None)

    def conflicts_of(self, key: str) -> list[Conflict]:
        return list(self._conflicts.get(key, {}).values())
