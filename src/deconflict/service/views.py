"""The read side: what one party may read, and nothing it may not (need-to-know)."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.arrangement import Arrangement
from ..domain.chain import LogEntry
from ..domain.conflicts import Conflict, ConflictView, ObjectRef, view_for
from ..domain.declarations import Declaration
from ..domain.errors import NotFound
from ..domain.lines import Line, Message
from ..domain.measures import ControlMeasure
from ..domain.notices import Notice
from .ports import Transaction

__all__ = ["PartyView", "read_for", "notice_history"]


@dataclass(frozen=True)
class PartyView:
    party: str
    notices: list[Notice]
    declarations: list[Declaration]
    measures: list[ControlMeasure]
    conflicts: list[ConflictView]
    messages: list[Message]


def read_for(tx: Transaction, party: str) -> PartyView:
    """Everything ``party`` may read: its lines, the notices on them, the declarations it was
    shown, the measures it agreed to, and the conflicts it takes part in, redacted as needed."""
    lines = {line.id: line for line in tx.all(Line) if party in line.parties}
    arrangements = {a.id for a in tx.all(Arrangement) if party in a.parties}
    notices = [n for n in tx.all(Notice) if n.party == party or n.line in lines]
    declarations = {d.id: d for d in tx.all(Declaration)}
    measures = [m for m in tx.all(ControlMeasure) if m.arrangement in arrangements]
    visible_notices = {n.id for n in notices}

    def may_see(ref: ObjectRef) -> bool:
        if ref.type == "declaration":
            decl = declarations.get(ref.id)
            return decl is not None and decl.visible_to(party)
        if ref.type == "notice":
            return ref.id in visible_notices
        return (
            ref.type == "arrangement"
            and ref.id in arrangements
            or ref.type == "measure"
            and any(m.id == ref.id for m in measures)
        )

    conflicts = [view_for(c, may_see) for c in tx.all(Conflict) if party in c.parties]
    return PartyView(
        party=party,
        notices=notices,
        declarations=[d for d in declarations.values() if d.visible_to(party)],
        measures=measures,
        conflicts=conflicts,
        messages=[m for m in tx.all(Message) if m.line in lines],
    )


def notice_history(
    tx: Transaction, notice_id: str, party: str | None = None
) -> list[tuple[LogEntry, Notice]]:
    """Each version of a notice (filed, amended, cancelled) with the entry that recorded it.

    A party sees the history of its own notices and of those on its lines; to any other party
    the notice does not exist.
    """
    current = tx.get(Notice, notice_id)
    line = tx.get(Line, current.line) if current else None
    if current is None or (
        party is not None and party != current.party and (line is None or party not in line.parties)
    ):
        raise NotFound(f"no notice {notice_id!r}", field="id")
    return tx.history(Notice, notice_id)
