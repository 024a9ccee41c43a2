"""Ports: what the service needs from the outside world, as Protocols."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol, TypeVar

from ..domain.arrangement import Arrangement
from ..domain.chain import LogEntry
from ..domain.conflicts import Conflict
from ..domain.credentials import Credential
from ..domain.declarations import Declaration
from ..domain.incidents import Incident, LadderStep
from ..domain.lines import Line, Message
from ..domain.measures import ControlMeasure
from ..domain.notices import Notice
from ..domain.parties import Member, Party

__all__ = [
    "Record",
    "Reader",
    "Transaction",
    "Store",
    "Clock",
    "VolumeIndex",
    "Box",
    "RECORD_TYPES",
    "CommitSignal",
    "Leadership",
]

Record = (
    Party
    | Member
    | Arrangement
    | Line
    | Message
    | Notice
    | Declaration
    | ControlMeasure
    | Conflict
    | Credential
    | Incident
    | LadderStep
)
R = TypeVar("R", bound=Record)

#: The name each kind of record is stored and logged under.
RECORD_TYPES: dict[str, type[Any]] = {
    "party": Party,
    "member": Member,
    "arrangement": Arrangement,
    "line": Line,
    "message": Message,
    "notice": Notice,
    "declaration": Declaration,
    "measure": ControlMeasure,
    "conflict": Conflict,
    "credential": Credential,
    "incident": Incident,
    "ladder_step": LadderStep,
}

#: A 4D box: (min lon, min lat, min t, min z, max lon, max lat, max t, max z); t in epoch seconds.
Box = tuple[float, float, float, float, float, float, float, float]


class Reader(Protocol):
    """Reads objects by type (a transaction does; so does the store replayed to a past time)."""

    def get(self, cls: type[R], id: str) -> R | None: ...

    def all(self, cls: type[R]) -> list[R]: ...


class Transaction(Reader, Protocol):
    """One unit of work: reads, and records that change state (each appended to the log)."""

    def all_with_seq(self, cls: type[R]) -> list[tuple[R, int]]:
        """Every object of a type with the sequence number of the entry that wrote its state."""
        ...

    def record(self, kind: str, actor: str, at: datetime, subject: Record) -> LogEntry: ...

    def head(self) -> int:
        """The last sequence number as this transaction sees it (its own entries included)."""
        ...

    def savepoint(self) -> AbstractContextManager[None]:
        """A nested unit: if its block raises, what it recorded is undone and the rest stays."""
        ...

    def recall(self, member: str, key: str) -> tuple[str, int, str] | None:
        """The reply kept for a member's Idempotency-Key: (request digest, status, body)."""
        ...

    def remember(
        self, member: str, key: str, request_sha256: str, status: int, body: str, at: str
    ) -> None:
        """Keep the reply to a member's Idempotency-Key, in the transaction of the command it
        answers (so both are kept, or neither)."""
        ...

    def due_messages(self, at: datetime) -> list[Message]:
        """Messages still waiting for an answer whose deadline is at or before ``at``."""
        ...

    def history(self, cls: type[R], id: str) -> list[tuple[LogEntry, R]]:
        """Every state the object went through, with the log entry that recorded it."""
        ...


class Store(Protocol):
    """The store: objects, and the append-only, hash-chained log of how they came to be."""

    def transaction(self) -> AbstractContextManager[Transaction]: ...

    def read(self) -> AbstractContextManager[Transaction]: ...

    def entries(self, after: int = 0) -> Iterator[LogEntry]: ...

    def records(
        self, after: int = 0, limit: int = 1000, skip: Iterable[str] = ()
    ) -> list[tuple[LogEntry, Record]]:
        """The entries numbered after ``after`` up to ``after + limit``, but those of the
        ``skip`` kinds, with the record each carries, decoded."""
        ...

    def recent_records(
        self, after: int, limit: int, skip: Iterable[str] = ()
    ) -> list[tuple[LogEntry, Record]] | None:
        """What ``records`` returns, when this process committed every entry of the range
        lately and still holds them; else None. Never reads the store: a stream on the event
        loop presents the page just committed without handing it to a thread."""
        ...

    def head(self) -> int:
        """The last sequence number (0 for an empty log)."""
        ...

    def objects(self) -> dict[tuple[str, str], dict[str, Any]]: ...

    def load_entries(self, entries: Iterator[LogEntry]) -> None: ...

    def close(self) -> None: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class VolumeIndex(Protocol):
    """Spatial-temporal index: candidates whose box meets a query box (a superset)."""

    def insert(self, key: str, box: Box) -> None: ...

    def remove(self, key: str) -> None: ...

    def candidates(self, box: Box) -> set[str]: ...

    def __len__(self) -> int: ...


class CommitSignal(Protocol):
    """Tells a process that a commit was made to its store by any process (several servers
    on one store): its live streams read on at once instead of waiting for their next look."""

    #: The longest a waiting stream goes without looking at the store itself: how late a
    #: commit is seen should a signal be lost.
    fallback_s: float

    def start(self, wake: Callable[[], None]) -> None:
        """Call ``wake`` (from any thread) after each commit of another process, until
        ``stop``."""
        ...

    def stop(self) -> None: ...


class Leadership(Protocol):
    """Whether this process is the one of the processes sharing a store that runs the work
    meant to run once for all of them (deadline processing)."""

    def leads(self) -> bool:
        """Asked before each pass: true while this process holds the lead (taking it if
        nobody does)."""
        ...

    def close(self) -> None: ...
