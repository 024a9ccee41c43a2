"""What each party's stream carries: the log, entry by entry, as that party may see it."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.arrangement import Arrangement
from ..domain.chain import LogEntry
from ..domain.conflicts import Conflict, ConflictView, view_for
from ..domain.credentials import Credential
from ..domain.declarations import Declaration
from ..domain.lines import Line, Message
from ..domain.measures import ControlMeasure
from ..domain.notices import Notice
from ..domain.parties import Member, Party
from .ports import Record, Transaction
from .views import may_see

__all__ = ["FeedItem", "present"]

#: Book-keeping entries a party's stream does not need.
_QUIET = frozenset({"line.numbered"})


@dataclass(frozen=True)
class FeedItem:
    seq: int
    kind: str
    at: str
    subject_type: str
    subject_id: str
    data: Record | ConflictView


def _visible(tx: Transaction, party: str, record: Record) -> bool:
    if isinstance(record, Message | Notice):
        line = tx.get(Line, record.line)
        return record.party == party or (line is not None and party in line.parties)
    if isinstance(record, Declaration):
        return record.visible_to(party)
    if isinstance(record, ControlMeasure):
        arrangement = tx.get(Arrangement, record.arrangement)
        return arrangement is not None and party in arrangement.parties
    if isinstance(record, Arrangement | Line):
        return party in record.parties
    if isinstance(record, Member):
        return record.party == party
    return isinstance(record, Party)


def present(tx: Transaction, party: str, entry: LogEntry, record: Record) -> FeedItem | None:
    """The entry as ``party`` may see it, or None when it is none of its business.

    A conflict comes as its need-to-know view; credentials never come at all.
    """
    if entry.kind in _QUIET or isinstance(record, Credential):
        return None
    data: Record | ConflictView
    if isinstance(record, Conflict):
        if party not in record.parties:
            return None
        data = view_for(record, lambda ref: may_see(tx, party, ref))
    elif _visible(tx, party, record):
        data = record
    else:
        return None
    return FeedItem(entry.seq, entry.kind, entry.at, entry.subject_type, entry.subject_id, data)
