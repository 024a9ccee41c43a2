"""A party's copy of the log: every header, and the bodies that party may read in full.

Any party can verify its copy alone (domain.chain.verify_export): the chain covers each body
through its digest, so the bodies it may not see can be left out without breaking it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..domain.conflicts import Conflict
from ..domain.credentials import Credential
from .ports import Record, Store
from .visibility import Visibility

__all__ = ["export_for"]

PAGE = 1_000


def _readable(seen: Visibility, record: Record) -> bool:
    """May the party read this state in full? (A conflict: only if it may see both objects.)"""
    if isinstance(record, Credential):
        return False
    if isinstance(record, Conflict):
        view = seen.view(record)
        return view is not None and view.disclosed
    return seen.sees(record)


def export_for(store: Store, party: str | None) -> Iterator[dict[str, Any]]:
    """The log as JSON-ready rows, in order; ``party`` None exports every body."""
    after, head = 0, store.head()
    while after < head:
        last = min(after + PAGE, head)
        records = store.records(after, last - after)
        with store.read() as tx:
            seen = Visibility(tx, party) if party else None
            for entry, record in records:
                full = seen is None or _readable(seen, record)
                yield {**entry.header(), "hash": entry.hash, "body": entry.body if full else None}
        after = last
