"""Need-to-know: what one party may see, each look-up made once per read."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from ..domain.arrangement import Arrangement
from ..domain.conflicts import Conflict, ConflictView, ObjectRef, view_for
from ..domain.declarations import Declaration
from ..domain.incidents import Incident, LadderStep
from ..domain.lines import Line, Message
from ..domain.measures import ControlMeasure
from ..domain.notices import Notice
from ..domain.parties import Member, Party
from .memo import ByIdentity
from .ports import Reader, Record

__all__ = ["Visibility", "Lookup"]

T = TypeVar("T")

#: Views made lately, by the conflict viewed and whether the other object is disclosed: the
#: conflicts a notice makes are viewed for the filing party's answer, then for each other
#: party's stream, mostly alike.
_VIEWS: ByIdentity[ConflictView] = ByIdentity(10_000)


class Lookup(Protocol):
    """Finds one record by type and id (a transaction does; so does the live situation)."""

    def get(self, cls: Any, id: str) -> Any: ...


class Visibility:
    """Answers "may this party see that?" inside one read transaction, remembering what it
    looked up (a page of the log or a notice's conflicts ask about the same few objects)."""

    def __init__(self, source: Reader | Lookup, party: str) -> None:
        self._source = source
        self.party = party
        self._seen: dict[tuple[type[Any], str], Any] = {}

    def _get(self, cls: type[T], id: str) -> T | None:
        key = (cls, id)
        if key not in self._seen:
            self._seen[key] = self._source.get(cls, id)
        found: T | None = self._seen[key]
        return found

    def on_line(self, line_id: str) -> bool:
        line = self._get(Line, line_id)
        return line is not None and self.party in line.parties

    def bound_by(self, arrangement_id: str) -> bool:
        arrangement = self._get(Arrangement, arrangement_id)
        return arrangement is not None and self.party in arrangement.parties

    def may_see(self, ref: ObjectRef) -> bool:
        """Whether the party may see the object a conflict refers to (its geometry included)."""
        if ref.party == self.party:
            return True
        if ref.type == "declaration":
            decl = self._get(Declaration, ref.id)
            return decl is not None and decl.visible_to(self.party)
        if ref.type == "notice":
            notice = self._get(Notice, ref.id)
            return notice is not None and self.on_line(notice.line)
        if ref.type == "measure":
            measure = self._get(ControlMeasure, ref.id)
            return measure is not None and self.bound_by(measure.arrangement)
        return ref.type == "arrangement" and self.bound_by(ref.id)

    def sees(self, record: Record) -> bool:
        """Whether the party may read a record (conflicts: see ``view``)."""
        if isinstance(record, Message | Notice):
            return record.party == self.party or self.on_line(record.line)
        if isinstance(record, Declaration):
            return record.visible_to(self.party)
        if isinstance(record, ControlMeasure):
            return self.bound_by(record.arrangement)
        if isinstance(record, Arrangement | Line):
            return self.party in record.parties
        if isinstance(record, Member):
            return record.party == self.party
        if isinstance(record, Incident):
            return self.party in (record.party, *record.affected, *record.alleged)
        if isinstance(record, LadderStep):
            zone = self._get(ControlMeasure, record.zone)
            return zone is not None and self.bound_by(zone.arrangement)
        return isinstance(record, Party)

    def view(self, conflict: Conflict) -> ConflictView | None:
        """The conflict as the party may see it, or None when it takes no part in it."""
        if self.party not in conflict.parties:
            return None
        disclosed = self.may_see(conflict.subject) and self.may_see(conflict.other)
        return _VIEWS.get(conflict, disclosed, lambda: view_for(conflict, lambda _: disclosed))
