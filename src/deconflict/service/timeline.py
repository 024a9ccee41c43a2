"""The situation at a past time, replayed from the log: every object as its last entry at or
before that time left it, read through the same need-to-know as the present."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from ..domain.chain import LogEntry
from .ports import RECORD_TYPES, Record, Store
from .views import PartyView, read_for

__all__ = ["Past", "Situation", "replay_to", "situation_at"]

R = TypeVar("R")
PAGE = 2_000


class Past:
    """A read-only view of the store as it stood at a time: what ``read_for`` and
    ``Visibility`` need of a transaction (``get`` and ``all``)."""

    def __init__(self, at: datetime, seq: int, state: dict[tuple[str, str], Record]) -> None:
        self.at, self.seq = at, seq
        self._state = state
        self._types = {cls: name for name, cls in RECORD_TYPES.items()}

    def get(self, cls: type[R], id: str) -> R | None:
        found: Any = self._state.get((self._types[cls], id))
        return found if isinstance(found, cls) else None

    def all(self, cls: type[R]) -> list[R]:
        name = self._types[cls]
        return [r for (t, _), r in self._state.items() if t == name and isinstance(r, cls)]


def _when(entry: LogEntry) -> datetime:
    return datetime.fromisoformat(entry.at.replace("Z", "+00:00"))


def replay_to(store: Store, at: datetime) -> Past:
    """Every record as its last entry recorded at or before ``at`` left it."""
    state: dict[tuple[str, str], Record] = {}
    seq, after, head = 0, 0, store.head()
    while after < head:
        page = store.records(after, PAGE)
        for entry, record in page:
            if _when(entry) <= at:
                state[(entry.subject_type, entry.subject_id)] = record
                seq = entry.seq
        after += PAGE
    return Past(at, seq, state)


@dataclass(frozen=True)
class Situation:
    at: datetime
    seq: int  # the last entry replayed
    view: PartyView


def situation_at(store: Store, party: str, at: datetime) -> Situation:
    """What ``party`` could read at ``at``: the notices, declarations and measures in force
    then, the messages sent by then (each as it stood), and the conflicts open then."""
    past = replay_to(store, at)
    view = read_for(past, party)
    return Situation(
        at,
        past.seq,
        PartyView(
            party=party,
            notices=[n for n in view.notices if n.active],
            declarations=[d for d in view.declarations if d.active],
            measures=[m for m in view.measures if m.active],
            conflicts=[c for c in view.conflicts if c.active],
            messages=view.messages,
        ),
    )
