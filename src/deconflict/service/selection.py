"""A selection of what a party may see, for export: by kind, owning party and time window.

Every export (GeoJSON, KML, Cursor-on-Target, Volume4D) starts here, so none can hold
geometry the reading party may not see: the selection is made from the need-to-know views.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol, TypeVar

from ..domain.declarations import Declaration
from ..domain.errors import InvalidInput, NotFound
from ..domain.measures import ControlMeasure
from ..domain.notices import Notice
from ..domain.parties import Party
from ..domain.volume import TimeWindow
from .ports import Reader, Store
from .timeline import replay_to
from .views import visible_declarations, visible_measures, visible_notices

__all__ = ["Kind", "Selection", "Selected", "select", "select_from"]


class _Exported(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def active(self) -> bool: ...
    @property
    def window(self) -> TimeWindow: ...


T = TypeVar("T", bound=_Exported)


class Kind(StrEnum):
    NOTICE = "notice"
    DECLARATION = "declaration"
    MEASURE = "measure"


@dataclass(frozen=True)
class Selection:
    """What to export. Empty ``kinds`` means every kind; ``owners`` filters by the party that
    filed, declared or (for measures) owns the object; the window keeps what meets it."""

    kinds: frozenset[Kind] = frozenset()
    owners: frozenset[str] = frozenset()
    start: datetime | None = None
    end: datetime | None = None
    include_inactive: bool = False

    def __post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise InvalidInput("the selection's end must be after its start", field="end")

    def wants(self, kind: Kind) -> bool:
        return not self.kinds or kind in self.kinds

    def meets(self, window: TimeWindow) -> bool:
        return (self.end is None or window.start < self.end) and (
            self.start is None or self.start < window.end
        )

    def owned(self, owner: str | None) -> bool:
        return not self.owners or owner in self.owners


@dataclass(frozen=True)
class Selected:
    """The objects selected, each one the reading party may see whole."""

    party: str
    notices: list[Notice] = field(default_factory=list)
    declarations: list[Declaration] = field(default_factory=list)
    measures: list[ControlMeasure] = field(default_factory=list)


def select(tx: Reader, party: str, selection: Selection = Selection()) -> Selected:
    """What ``party`` may see that the selection asks for, in a stable order (by id).

    An owner that is no party is an error, not an empty export (a typo would look like a
    quiet sky)."""
    for owner in sorted(selection.owners):
        if tx.get(Party, owner) is None:
            raise NotFound(f"no party {owner!r}", field="owner")

    def chosen(kind: Kind, objects: Sequence[T], owner: Callable[[T], str | None]) -> list[T]:
        if not selection.wants(kind):
            return []
        return sorted(
            (
                o
                for o in objects
                if (o.active or selection.include_inactive)
                and selection.owned(owner(o))
                and selection.meets(o.window)
            ),
            key=lambda o: o.id,
        )

    return Selected(
        party=party,
        notices=chosen(Kind.NOTICE, visible_notices(tx, party), lambda n: n.party),
        declarations=chosen(Kind.DECLARATION, visible_declarations(tx, party), lambda d: d.party),
        measures=chosen(Kind.MEASURE, visible_measures(tx, party), lambda m: m.owner),
    )


def select_from(
    store: Store, party: str, selection: Selection, at: datetime | None = None
) -> Selected:
    """The selection from the store as it stands, or, given ``at``, as ``party`` could read it
    then (every object as its last entry at or before ``at`` left it, replayed from the log)."""
    if at is not None:
        return select(replay_to(store, at), party, selection)
    with store.read() as tx:
        return select(tx, party, selection)
