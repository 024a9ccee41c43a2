"""What each party's stream carries: the log, entry by entry, as that party may see it."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.chain import LogEntry
from ..domain.conflicts import Conflict, ConflictView
from ..domain.credentials import Credential
from .ports import Record
from .visibility import Visibility

__all__ = ["FeedItem", "present", "QUIET_KINDS"]

#: Entries no party's stream carries: book-keeping, and credentials (secrets' digests).
QUIET_KINDS = frozenset({"line.numbered", "credential.issued", "credential.revoked"})


@dataclass(frozen=True)
class FeedItem:
    seq: int
    kind: str
    at: str
    subject_type: str
    subject_id: str
    data: Record | ConflictView


def present(seen: Visibility, entry: LogEntry, record: Record) -> FeedItem | None:
    """The entry as the party may see it, or None when it is none of its business.

    A conflict comes as its need-to-know view; credentials never come at all.
    """
    if entry.kind in QUIET_KINDS or isinstance(record, Credential):
        return None
    data: Record | ConflictView | None
    data = (
        seen.view(record) if isinstance(record, Conflict) else record if seen.sees(record) else None
    )
    if data is None:
        return None
    return FeedItem(entry.seq, entry.kind, entry.at, entry.subject_type, entry.subject_id, data)
