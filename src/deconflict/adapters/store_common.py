"""What the SQL store adapters share (SQLite, PostgreSQL): the decoded-record cache, a log row
read back as an entry, a message's due time, and one transaction and one store written once
over the DB-API driver (both drivers take positional parameters; SQLite's ``?`` becomes
``%s`` for psycopg)."""

from __future__ import annotations

import functools
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any, ClassVar, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..domain.chain import GENESIS, LogEntry, canonical, seal
from ..domain.errors import Conflicting, InvalidInput
from ..domain.lines import Message
from ..service.ports import RECORD_TYPES, Record
from .codec import encode, from_dict, iso, type_name

__all__ = [
    "Decoded",
    "Recent",
    "SqlTransaction",
    "SqlStore",
    "TYPE_NAMES",
    "LOG_COLUMNS",
    "row_entry",
]

R = TypeVar("R", bound=Record)
TYPE_NAMES = {cls: name for name, cls in RECORD_TYPES.items()}

#: The subject type the log's subject index leaves out: many, with random ids, and nobody asks
#: for their history (SQLite migration 0005, PostgreSQL 0002).
UNINDEXED_SUBJECT = "conflict"

#: The log's columns, in the order every query here selects them.
LOG_COLUMNS = "seq, at, actor, kind, subject_type, subject_id, body, body_sha256, prev_hash, hash"


def row_entry(row: Any) -> LogEntry:
    """A log row (its columns in LOG_COLUMNS order) as an entry."""
    seq, at, actor, kind, subject_type, subject_id, body, body_sha256, prev_hash, hash_ = row
    return LogEntry(
        seq=seq,
        at=at,
        actor=actor,
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        body=json.loads(body),
        body_sha256=body_sha256,
        prev_hash=prev_hash,
        hash=hash_,
    )


def due(entry: LogEntry) -> float | None:
    """The epoch second a message falls due while it waits for an answer: Message.due, read
    straight from the body (this runs for every message written)."""
    body = entry.body
    if entry.subject_type != "message" or body.get("settled") or body.get("overdue_at"):
        return None
    deadline = body.get("deadline")
    return datetime.fromisoformat(deadline.replace("Z", "+00:00")).timestamp() if deadline else None


class Decoded:
    """Records already decoded, by (type, id, seq): a record written at a sequence number never
    changes, so decoding and validating it once is enough (reads ask for the same few objects
    again and again: the line of a notice, the declaration a conflict names)."""

    def __init__(self, size: int = 50_000) -> None:
        self._size = size
        self._kept: OrderedDict[tuple[str, str, int], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self,
        cls: type[R],
        type_name: str,
        id: str,
        seq: int,
        body: str | dict[str, Any],
        keep: bool = True,
    ) -> R:
        """The record, decoded once; ``keep=False`` for what a write transaction reads, which
        may yet be rolled back."""
        if not keep:
            return from_dict(cls, json.loads(body) if isinstance(body, str) else body)
        key = (type_name, id, seq)
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return cast(R, found)
        record = from_dict(cls, json.loads(body) if isinstance(body, str) else body)
        with self._lock:
            self._kept[key] = record
            if len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return record

    def keep(self, records: Iterable[tuple[tuple[str, str, int], Any]]) -> None:
        """Keep records known to be committed at these (type, id, seq)."""
        with self._lock:
            for key, record in records:
                self._kept[key] = record
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)


class Recent:
    """The entries this process committed last, with their records, by sequence number: a
    stream reads the page just committed, and finds it here without a query or a decode.
    Another process's entries are not here; a range with any of them is read from the store."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._by_seq: OrderedDict[int, tuple[LogEntry, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, written: Iterable[tuple[LogEntry, Any]]) -> None:
        with self._lock:
            for entry, record in written:
                self._by_seq[entry.seq] = (entry, record)
            while len(self._by_seq) > self._size:
                self._by_seq.popitem(last=False)

    def range(self, after: int, last: int) -> list[tuple[LogEntry, Any]] | None:
        """Every entry in (after, last], or None when any of them is not kept."""
        with self._lock:
            found = [self._by_seq.get(seq) for seq in range(after + 1, last + 1)]
        return None if None in found else cast(list[tuple[LogEntry, Any]], found)


@functools.lru_cache(maxsize=256)
def _format_style(sql: str) -> str:
    """A statement written with ``?`` placeholders, for a driver taking ``%s`` (made once per
    statement, not on every call)."""
    return sql.replace("?", "%s")


_INSERT_LOG = f"INSERT INTO log ({LOG_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_UPSERT_OBJECT = (
    "INSERT INTO objects (type, id, seq, due) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (type, id) DO UPDATE SET seq = excluded.seq, due = excluded.due"
)
#: An object's current state is the body of the log entry its row names (SQLite migration
#: 0007, PostgreSQL 0004): the state is written once, under the chain, never copied beside it.
#: Only an entry about that very object counts: a row pointed elsewhere (a tampered store)
#: reads as no state at all, which ``log verify`` reports, never as another object's body.
_STATE = "objects o JOIN log l ON l.seq = o.seq AND l.subject_type = o.type AND l.subject_id = o.id"


def _log_row(entry: LogEntry, body: str) -> tuple[Any, ...]:
    return (
        entry.seq,
        entry.at,
        entry.actor,
        entry.kind,
        entry.subject_type,
        entry.subject_id,
        body,
        entry.body_sha256,
        entry.prev_hash,
        entry.hash,
    )


def _object_row(entry: LogEntry) -> tuple[Any, ...]:
    return (entry.subject_type, entry.subject_id, entry.seq, due(entry))


class SqlTransaction:
    """Reads and records inside one transaction. The statements go to the driver itself:
    SQLAlchemy's own bookkeeping per statement costs more than the database's work on these.
    A subclass sets ``paramstyle`` ("qmark" for sqlite3, "format" for psycopg) and may add
    to what each entry writes (``_project``)."""

    paramstyle: ClassVar[str] = "qmark"

    def __init__(self, raw: Any, writable: bool, decoded: Decoded) -> None:
        self._raw = raw  # the driver's connection (sqlite3, psycopg)
        self._writable = writable
        self._decoded = decoded
        self._head: tuple[int, str] | None = self._read_head() if writable else None
        # What a writer reads may be rolled back, but not what was committed before it began:
        # records written at or before that head are kept like a reader's.
        self._kept_up_to = self._head[0] if self._head else None
        #: What this transaction recorded, to be kept decoded once it commits.
        self.written: list[tuple[LogEntry, Record]] = []
        # Entries are staged and written many to a statement (``flush``): before the commit,
        # and before any read the staged rows could change. Until then ``get`` finds the
        # objects they carry here. ``_flushed`` counts the staged rows already written.
        self._staged: list[tuple[LogEntry, str, Record | None]] = []
        self._flushed = 0
        self._staged_objects: dict[tuple[str, str], tuple[LogEntry, Record | None]] = {}

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        if self.paramstyle == "format":
            sql = _format_style(sql)
        return self._raw.execute(sql, params)

    def _keep(self, seq: int) -> bool:
        return self._kept_up_to is None or seq <= self._kept_up_to

    def get(self, cls: type[R], id: str) -> R | None:
        name = TYPE_NAMES[cls]
        staged = self._staged_objects.get((name, id))
        if staged is not None:
            entry, subject = staged
            return cast(R, subject) if subject is not None else from_dict(cls, entry.body)
        row = self._run(
            f"SELECT l.body, o.seq FROM {_STATE} WHERE o.type = ? AND o.id = ?", (name, id)
        )
        found = row.fetchone()
        if found is None:
            return None
        body, seq = found
        return self._decoded.get(cls, name, id, seq, body, self._keep(seq))

    def all(self, cls: type[R]) -> list[R]:
        return [record for record, _ in self.all_with_seq(cls)]

    def all_with_seq(self, cls: type[R]) -> list[tuple[R, int]]:
        name = TYPE_NAMES[cls]
        self.flush()
        rows = self._run(
            f"SELECT o.id, l.body, o.seq FROM {_STATE} WHERE o.type = ? ORDER BY o.seq", (name,)
        ).fetchall()
        return [
            (self._decoded.get(cls, name, id, seq, body, self._keep(seq)), seq)
            for id, body, seq in rows
        ]

    def due_messages(self, at: datetime) -> list[Message]:
        self.flush()
        rows = self._run(
            f"SELECT o.id, l.body, o.seq FROM {_STATE} "
            "WHERE o.due IS NOT NULL AND o.due <= ? ORDER BY o.due",
            (at.timestamp(),),
        ).fetchall()
        return [
            self._decoded.get(Message, "message", id, seq, body, self._keep(seq))
            for id, body, seq in rows
        ]

    def history(self, cls: type[R], id: str) -> list[tuple[LogEntry, R]]:
        self.flush()
        name = TYPE_NAMES[cls]
        # The subject index leaves conflicts out (migration 0005): the query names the same
        # condition, or neither database would use it; a conflict's history is a scan.
        indexed = "" if name == UNINDEXED_SUBJECT else f" AND subject_type <> '{UNINDEXED_SUBJECT}'"
        rows = self._run(
            f"SELECT {LOG_COLUMNS} FROM log WHERE subject_type = ? AND subject_id = ?{indexed} "
            "ORDER BY seq",
            (name, id),
        ).fetchall()
        return [(entry, from_dict(cls, entry.body)) for entry in map(row_entry, rows)]

    def head(self) -> int:
        return (self._head or self._read_head())[0]

    def _read_head(self) -> tuple[int, str]:
        row = self._run("SELECT seq, hash FROM log ORDER BY seq DESC LIMIT 1").fetchone()
        return (int(row[0]), row[1]) if row else (0, GENESIS)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A nested unit: if its block raises, what it wrote is undone and the rest stays."""
        head, written = self._head, len(self.written)
        staged, flushed = len(self._staged), self._flushed
        self._run("SAVEPOINT unit")
        try:
            yield
        except BaseException:
            # Undoes every row written since, staged before the savepoint or not: those
            # staged before are written again by the next flush.
            self._run("ROLLBACK TO unit")
            self._head = head
            del self.written[written:]
            del self._staged[staged:]
            self._flushed = flushed
            self._staged_objects = {
                (e.subject_type, e.subject_id): (e, r) for e, _, r in self._staged[self._flushed :]
            }
            raise
        finally:
            self._run("RELEASE unit")

    def recall(self, member: str, key: str) -> tuple[str, int, str] | None:
        row = self._run(
            "SELECT request_sha256, status, body FROM idempotency WHERE member = ? AND key = ?",
            (member, key),
        ).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def remember(
        self, member: str, key: str, request_sha256: str, status: int, body: str, at: str
    ) -> None:
        if not self._writable:
            raise Conflicting("this is a read-only transaction")
        self._run(
            "INSERT INTO idempotency (member, key, request_sha256, status, body, at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (member, key, request_sha256, status, body, at),
        )

    def record(self, kind: str, actor: str, at: datetime, subject: Record) -> LogEntry:
        if not self._writable:
            raise Conflicting("this is a read-only transaction")
        seq, prev = self._head or self._read_head()
        body, text = encode(subject)
        entry = seal(
            seq + 1, iso(at), actor, kind, type_name(subject), subject.id, body, prev, text
        )
        self.append(entry, text, subject)
        self.written.append((entry, subject))
        return entry

    def append(
        self, entry: LogEntry, encoded: bytes | None = None, subject: Record | None = None
    ) -> None:
        """Stage one sealed entry and the object state it carries (``subject``: that state,
        decoded, when the caller has it); ``flush`` writes it."""
        body = (encoded if encoded is not None else canonical(entry.body)).decode()
        self._staged.append((entry, body, subject))
        self._staged_objects[(entry.subject_type, entry.subject_id)] = (entry, subject)
        self._head = (entry.seq, entry.hash)

    def flush(self) -> None:
        """Write the staged entries: their log rows in one statement, and each object's last
        state once (a line numbered by every message of a batch is written once)."""
        staged = self._staged[self._flushed :]
        if not staged:
            return
        self._flushed = len(self._staged)
        self._staged_objects = {}
        self._run_many(_INSERT_LOG, [_log_row(entry, body) for entry, body, _ in staged])
        self._write_states({(e.subject_type, e.subject_id): (e, r) for e, _, r in staged})

    def append_all(self, entries: Iterator[LogEntry], chunk: int = 1000) -> None:
        """Write sealed entries in order (a store being filled from another's log): the log
        rows many to a statement, then each object's last state once — writing every state of
        an object that changes thousands of times (a line) in one transaction would leave
        PostgreSQL a chain of dead versions to walk on each write."""
        latest: dict[tuple[str, str], tuple[LogEntry, Record | None]] = {}
        rows: list[tuple[Any, ...]] = []
        for entry in entries:
            if entry.subject_type not in RECORD_TYPES:
                raise InvalidInput(
                    f"unknown subject type {entry.subject_type!r}", field=f"seq {entry.seq}"
                )
            body = canonical(entry.body).decode()
            rows.append(_log_row(entry, body))
            latest[(entry.subject_type, entry.subject_id)] = (entry, None)
            self._head = (entry.seq, entry.hash)
            if len(rows) >= chunk:
                self._run_many(_INSERT_LOG, rows)
                rows = []
        self._run_many(_INSERT_LOG, rows)
        self._write_states(latest)

    def _write_states(self, latest: dict[tuple[str, str], tuple[LogEntry, Record | None]]) -> None:
        """Each object's last state (its entry and, when known, the record): its row in
        ``objects``, which names the entry, many to a statement, and its further projections."""
        kept = latest.values()
        self._run_many(_UPSERT_OBJECT, [_object_row(entry) for entry, _ in kept])
        for entry, subject in kept:
            self._project(entry, subject)

    def _run_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.paramstyle == "format":
            sql = _format_style(sql)
        self._raw.cursor().executemany(sql, rows)

    def _project(self, entry: LogEntry, subject: Record | None) -> None:
        """Further projections of the entry (none here)."""


class SqlStore:
    """Objects and their log over one SQLAlchemy engine; a subclass opens the engine, migrates
    it, and says how a write transaction begins (``_writing``)."""

    _engine: Engine
    _decoded: Decoded
    _recent: Recent
    _transaction_class: ClassVar[type[SqlTransaction]] = SqlTransaction

    def _writing(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def _reading(self) -> AbstractContextManager[Connection]:
        return self._engine.connect()

    @contextmanager
    def _writing_driver(self) -> Iterator[Any]:
        """The driver's connection a write transaction writes through, begun (``_writing``'s)."""
        with self._writing() as conn:
            yield conn.connection.driver_connection

    @contextmanager
    def transaction(self) -> Iterator[SqlTransaction]:
        with self._writing_driver() as raw:
            tx = self._transaction_class(raw, writable=True, decoded=self._decoded)
            yield tx
            tx.flush()
        # Committed: the streams and pages about to read these find them decoded already.
        self._decoded.keep(((e.subject_type, e.subject_id, e.seq), r) for e, r in tx.written)
        self._recent.keep(tx.written)

    @contextmanager
    def _reading_driver(self) -> Iterator[Any]:
        """The driver's connection a reader reads through (by default a pooled one's)."""
        with self._reading() as conn:
            yield conn.connection.driver_connection

    @contextmanager
    def read(self) -> Iterator[SqlTransaction]:
        with self._reading_driver() as raw:
            yield self._transaction_class(raw, writable=False, decoded=self._decoded)

    def entries(self, after: int = 0) -> Iterator[LogEntry]:
        with self._engine.connect() as conn:
            rows = conn.execute(
                sa.text(f"SELECT {LOG_COLUMNS} FROM log WHERE seq > :a ORDER BY seq"),
                {"a": after},
            )
            for row in rows:
                yield row_entry(row)

    def records(
        self, after: int = 0, limit: int = 1000, skip: Iterable[str] = ()
    ) -> list[tuple[LogEntry, Record]]:
        kept = self.recent_records(after, limit, skip)
        if kept is not None:
            return kept
        kinds = sorted(set(skip))
        marks = ", ".join(f":k{i}" for i in range(len(kinds))) or "''"
        with self._engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    f"SELECT {LOG_COLUMNS} FROM log WHERE seq > :a AND seq <= :b "
                    f"AND kind NOT IN ({marks}) ORDER BY seq"
                ),
                {"a": after, "b": after + limit, **{f"k{i}": k for i, k in enumerate(kinds)}},
            )
            entries = [row_entry(row) for row in rows]
        return [
            (
                e,
                self._decoded.get(
                    RECORD_TYPES[e.subject_type], e.subject_type, e.subject_id, e.seq, e.body
                ),
            )
            for e in entries
        ]

    def recent_records(
        self, after: int, limit: int, skip: Iterable[str] = ()
    ) -> list[tuple[LogEntry, Record]] | None:
        # Sequence numbers have no gaps: a page is the range (after, after + limit].
        kept = self._recent.range(after, after + limit)
        if kept is None:
            return None
        skipped = set(skip)
        return [(e, r) for e, r in kept if e.kind not in skipped]

    def head(self) -> int:
        # Through the driver, as a transaction reads it: a stream asks on each wake-up, and
        # SQLAlchemy's handling of a textual statement costs several times the query.
        with self.read() as tx:
            return tx.head()

    def objects(self) -> dict[tuple[str, str], dict[str, Any]]:
        with self._engine.connect() as conn:
            rows = conn.execute(sa.text(f"SELECT o.type, o.id, l.body, o.seq FROM {_STATE}"))
            return {(r.type, r.id): {"body": json.loads(r.body), "seq": r.seq} for r in rows}

    def load_entries(self, entries: Iterator[LogEntry]) -> None:
        """Replay sealed entries verbatim into this (fresh) store."""
        with self._writing_driver() as raw:
            tx = self._transaction_class(raw, writable=True, decoded=self._decoded)
            tx.append_all(entries)

    def close(self) -> None:
        self._engine.dispose()
