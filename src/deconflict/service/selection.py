"""A selection of what a party may see, for export: by kind, owning party and time window.

Every export (GeoJSON, KML, Cursor-on-Target, Volume4D) starts here, so none can hold
geometry the reading party may not see: the selection is made from the need-to-know views.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from ..domain.declarations import Declaration
from ..domain.errors import InvalidInput, NotFound
from ..domain.measures import ControlMeasure
from ..domain.notices import Notice
from ..domain.parties import Party
from ..domain.volume import TimeWindow
from .ports import Reader
from .views import visible_declarations, visible_measures, visible_notices

__all__ = ["Kind", "Selection", "Selected", "select"]


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
    notices = (
        [
            n
            for n in visible_notices(tx, party)
            if (n.active or selection.include_inactive)
            and selection.owned(n.party)
            and selection.meets(n.window)
        ]
        if selection.wants(Kind.NOTICE)
        else []
    )
    declarations = (
        [
            d
            for d in visible_declarations(tx, party)
            if (d.active or selection.include_inactive)
            and selection.owned(d.party)
            and selection.meets(d.window)
        ]
        if selection.wants(Kind.DECLARATION)
        else []
    )
    measures = (
        [
            m
            for m in visible_measures(tx, party)
            if (m.active or selection.include_inactive)
            and selection.owned(m.owner)
            and selection.meets(m.window)
        ]
        if selection.wants(Kind.MEASURE)
        else []
    )
    return Selected(
        party=party,
        notices=sorted(notices, key=lambda n: n.id),
        declarations=sorted(declarations, key=lambda d: d.id),
        measures=sorted(measures, key=lambda m: m.id),
    )
