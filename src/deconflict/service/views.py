"""The read side: what one party may read, and nothing it may not (need-to-know)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..domain.arrangement import Arrangement
from ..domain.chain import LogEntry
from ..domain.conflicts import Conflict, ConflictView
from ..domain.declarations import Declaration
from ..domain.errors import NotFound
from ..domain.lines import Line, Message
from ..domain.measures import ControlMeasure
from ..domain.notices import Notice
from .ports import Reader, Transaction
from .visibility import Visibility

__all__ = [
    "PartyView",
    "read_for",
    "notice_history",
    "conflict_views",
    "visible_lines",
    "visible_notices",
    "visible_declarations",
    "visible_measures",
]


@dataclass(frozen=True)
class PartyView:
    party: str
    notices: list[Notice]
    declarations: list[Declaration]
    measures: list[ControlMeasure]
    conflicts: list[ConflictView]
    messages: list[Message]


def conflict_views(tx: Reader, party: str, conflicts: Iterable[Conflict]) -> list[ConflictView]:
    """The conflicts ``party`` takes part in, each as that party may see it."""
    seen = Visibility(tx, party)
    return [v for c in conflicts if (v := seen.view(c)) is not None]


def visible_lines(tx: Reader, party: str) -> list[Line]:
    return [line for line in tx.all(Line) if party in line.parties]


def visible_notices(tx: Reader, party: str) -> list[Notice]:
    lines = {line.id for line in visible_lines(tx, party)}
    return [n for n in tx.all(Notice) if n.party == party or n.line in lines]


def visible_declarations(tx: Reader, party: str) -> list[Declaration]:
    return [d for d in tx.all(Declaration) if d.visible_to(party)]


def visible_measures(tx: Reader, party: str) -> list[ControlMeasure]:
    arrangements = {a.id for a in tx.all(Arrangement) if party in a.parties}
    return [m for m in tx.all(ControlMeasure) if m.arrangement in arrangements]


def read_for(tx: Reader, party: str) -> PartyView:
    """Everything ``party`` may read: its lines, the notices on them, the declarations it was
    shown, the measures it agreed to, and the conflicts it takes part in, redacted as needed."""
    lines = {line.id for line in visible_lines(tx, party)}
    return PartyView(
        party=party,
        notices=visible_notices(tx, party),
        declarations=visible_declarations(tx, party),
        measures=visible_measures(tx, party),
        conflicts=conflict_views(tx, party, tx.all(Conflict)),
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
