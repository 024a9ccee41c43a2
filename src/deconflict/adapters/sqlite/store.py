"""The embedded store: one SQLite file (WAL, foreign keys on), schema by Alembic migrations."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

from ...domain.chain import GENESIS, LogEntry, canonical, seal
from ...domain.errors import Conflicting, InvalidInput
from ...domain.lines import Message
from ...service.ports import RECORD_TYPES, Record
from ..codec import encode, from_dict, iso, type_name

__all__ = ["SqliteStore"]

R = TypeVar("R", bound=Record)
_TYPE_NAMES = {cls: name for name, cls in RECORD_TYPES.items()}
_HERE = Path(__file__).parent


def _configure(engine: Engine, checkpoint_in_background: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        # The log's indexes take random keys (hashes, ids): keep their pages in memory.
        cursor.execute("PRAGMA cache_size=-131072")  # 128 MiB per connection, at most
        cursor.execute("PRAGMA mmap_size=268435456")
        if checkpoint_in_background:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A writer takes the write lock at once (IMMEDIATE): the chain head cannot move under
        # it. Readers begin deferred and, in WAL mode, never wait for the writer.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("write") else "BEGIN")


def _row_entry(row: sa.Row[Any]) -> LogEntry:
    return LogEntry(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        kind=row.kind,
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        body=json.loads(row.body),
        body_sha256=row.body_sha256,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def _due(entry: LogEntry) -> float | None:
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


class SqliteTransaction:
    """Reads and records inside one SQLite transaction."""

    def __init__(self, conn: Connection, writable: bool, decoded: Decoded) -> None:
        self._conn = conn
        # The statements run for every command go to the driver itself: SQLAlchemy's own
        # bookkeeping per statement costs more than SQLite's work on these.
        self._raw: Any = conn.connection.driver_connection
        self._writable = writable
        self._decoded = decoded
        self._head: tuple[int, str] | None = self._read_head() if writable else None
        # What a writer reads may be rolled back, but not what was committed before it began:
        # records written at or before that head are kept like a reader's.
        self._kept_up_to = self._head[0] if self._head else None
        #: What this transaction recorded, to be kept decoded once it commits.
        self.written: list[tuple[tuple[str, str, int], Record]] = []

    def _keep(self, seq: int) -> bool:
        return self._kept_up_to is None or seq <= self._kept_up_to

    def get(self, cls: type[R], id: str) -> R | None:
        name = _TYPE_NAMES[cls]
        row = self._raw.execute(
            "SELECT body, seq FROM objects WHERE type = ? AND id = ?", (name, id)
        ).fetchone()
        if row is None:
            return None
        body, seq = row
        return self._decoded.get(cls, name, id, seq, body, self._keep(seq))

    def all(self, cls: type[R]) -> list[R]:
        name = _TYPE_NAMES[cls]
        rows = self._conn.exec_driver_sql(
            "SELECT id, body, seq FROM objects WHERE type = :t ORDER BY seq", {"t": name}
        )
        return [
            self._decoded.get(cls, name, row.id, row.seq, row.body, self._keep(row.seq))
            for row in rows
        ]

    def all_with_seq(self, cls: type[R]) -> list[tuple[R, int]]:
        name = _TYPE_NAMES[cls]
        rows = self._conn.exec_driver_sql(
            "SELECT id, body, seq FROM objects WHERE type = :t ORDER BY seq", {"t": name}
        )
        return [
            (self._decoded.get(cls, name, row.id, row.seq, row.body, self._keep(row.seq)), row.seq)
            for row in rows
        ]

    def due_messages(self, at: datetime) -> list[Message]:
        rows = self._conn.exec_driver_sql(
            "SELECT id, body, seq FROM objects WHERE due IS NOT NULL AND due <= :at ORDER BY due",
            {"at": at.timestamp()},
        )
        return [
            self._decoded.get(Message, "message", row.id, row.seq, row.body, self._keep(row.seq))
            for row in rows
        ]

    def history(self, cls: type[R], id: str) -> list[tuple[LogEntry, R]]:
        rows = self._conn.exec_driver_sql(
            "SELECT * FROM log WHERE subject_type = :t AND subject_id = :i ORDER BY seq",
            {"t": _TYPE_NAMES[cls], "i": id},
        )
        return [(entry, from_dict(cls, entry.body)) for entry in map(_row_entry, rows)]

    def head(self) -> int:
        return (self._head or self._read_head())[0]

    def _read_head(self) -> tuple[int, str]:
        row = self._conn.exec_driver_sql(
            "SELECT seq, hash FROM log ORDER BY seq DESC LIMIT 1"
        ).first()
        return (row.seq, row.hash) if row else (0, GENESIS)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A nested unit: if its block raises, what it wrote is undone and the rest stays."""
        head, written = self._head, len(self.written)
        self._raw.execute("SAVEPOINT unit")
        try:
            yield
        except BaseException:
            self._raw.execute("ROLLBACK TO unit")
            self._head = head
            del self.written[written:]
            raise
        finally:
            self._raw.execute("RELEASE unit")

    def recall(self, member: str, key: str) -> tuple[str, int, str] | None:
        row = self._conn.exec_driver_sql(
            "SELECT request_sha256, status, body FROM idempotency WHERE member = :m AND key = :k",
            {"m": member, "k": key},
        ).first()
        return (row.request_sha256, row.status, row.body) if row else None

    def remember(
        self, member: str, key: str, request_sha256: str, status: int, body: str, at: str
    ) -> None:
        if not self._writable:
            raise Conflicting("this is a read-only transaction")
        self._conn.exec_driver_sql(
            "INSERT INTO idempotency (member, key, request_sha256, status, body, at) "
            "VALUES (:m, :k, :r, :s, :b, :a)",
            {"m": member, "k": key, "r": request_sha256, "s": status, "b": body, "a": at},
        )

    def record(self, kind: str, actor: str, at: datetime, subject: Record) -> LogEntry:
        if not self._writable:
            raise Conflicting("this is a read-only transaction")
        seq, prev = self._head or self._read_head()
        body, text = encode(subject)
        entry = seal(
            seq + 1, iso(at), actor, kind, type_name(subject), subject.id, body, prev, text
        )
        self.append(entry, text)
        self.written.append(((entry.subject_type, entry.subject_id, entry.seq), subject))
        return entry

    def append(self, entry: LogEntry, encoded: bytes | None = None) -> None:
        """Write one sealed entry and the object state it carries."""
        body = (encoded if encoded is not None else canonical(entry.body)).decode()
        self._raw.execute(
            "INSERT INTO log (seq, at, actor, kind, subject_type, subject_id, body, "
            "body_sha256, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
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
            ),
        )
        party, due = entry.body.get("party"), _due(entry)
        self._raw.execute(
            "INSERT INTO objects (type, id, party, body, seq, due) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (type, id) DO UPDATE SET party = excluded.party, body = excluded.body, "
            "seq = excluded.seq, due = excluded.due",
            (entry.subject_type, entry.subject_id, party, body, entry.seq, due),
        )
        self._head = (entry.seq, entry.hash)


class _Checkpointer:
    """Copies the write-ahead log back into the database file from a thread of its own, so
    that the commit that happens to fill the log does not pay for it (SQLite's automatic
    checkpoint runs inside that commit). PASSIVE: it never blocks a writer or a reader."""

    def __init__(self, engine: Engine, every_s: float) -> None:
        self._engine, self._every_s = engine, every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._every_s):
            with self._engine.connect() as conn:
                conn.connection.driver_connection.execute(  # type: ignore[union-attr]
                    "PRAGMA wal_checkpoint(PASSIVE)"
                )

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


class SqliteStore:
    """Objects and their log in one SQLite file; ``":memory:"`` for a private scratch store.

    ``checkpoint_every_s``: checkpoint the write-ahead log from a background thread at this
    interval instead of inside commits (for a long-running server)."""

    def __init__(self, path: str | Path, checkpoint_every_s: float | None = None) -> None:
        self.path = str(path)
        memory = self.path == ":memory:"
        if not memory:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._engine = sa.create_engine(
            f"sqlite:///{self.path}", poolclass=StaticPool if memory else None
        )
        background = checkpoint_every_s is not None and not memory
        _configure(self._engine, background)
        self._decoded = Decoded()
        self._migrate()
        self._checkpointer = (
            _Checkpointer(self._engine, checkpoint_every_s)
            if checkpoint_every_s is not None and background
            else None
        )

    def _migrate(self) -> None:
        config = Config(str(_HERE / "alembic.ini"))
        config.set_main_option("script_location", str(_HERE / "migrations"))
        with self._engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with self._engine.connect() as conn:
            conn.info["write"] = True
            try:
                with conn.begin():
                    yield conn
            finally:
                conn.info["write"] = False

    @contextmanager
    def transaction(self) -> Iterator[SqliteTransaction]:
        with self._writing() as conn:
            tx = SqliteTransaction(conn, writable=True, decoded=self._decoded)
            yield tx
        # Committed: the streams and pages about to read these find them decoded already.
        self._decoded.keep(tx.written)

    @contextmanager
    def read(self) -> Iterator[SqliteTransaction]:
        with self._engine.connect() as conn:
            yield SqliteTransaction(conn, writable=False, decoded=self._decoded)

    def entries(self, after: int = 0) -> Iterator[LogEntry]:
        with self._engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT * FROM log WHERE seq > :a ORDER BY seq", {"a": after}
            )
            for row in rows:
                yield _row_entry(row)

    def records(
        self, after: int = 0, limit: int = 1000, skip: Iterable[str] = ()
    ) -> list[tuple[LogEntry, Record]]:
        # Sequence numbers have no gaps: a page is the range (after, after + limit].
        kinds = sorted(set(skip))
        marks = ", ".join(f":k{i}" for i in range(len(kinds))) or "''"
        with self._engine.connect() as conn:
            rows = conn.exec_driver_sql(
                f"SELECT * FROM log WHERE seq > :a AND seq <= :b AND kind NOT IN ({marks}) ORDER BY seq",
                {"a": after, "b": after + limit, **{f"k{i}": k for i, k in enumerate(kinds)}},
            )
            entries = [_row_entry(row) for row in rows]
        return [
            (
                e,
                self._decoded.get(
                    RECORD_TYPES[e.subject_type], e.subject_type, e.subject_id, e.seq, e.body
                ),
            )
            for e in entries
        ]

    def head(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.exec_driver_sql("SELECT coalesce(max(seq), 0) FROM log").scalar_one())

    def objects(self) -> dict[tuple[str, str], dict[str, Any]]:
        with self._engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT type, id, body, seq FROM objects")
            return {(r.type, r.id): {"body": json.loads(r.body), "seq": r.seq} for r in rows}

    def load_entries(self, entries: Iterator[LogEntry]) -> None:
        """Replay sealed entries verbatim into this (fresh) store."""
        with self._writing() as conn:
            tx = SqliteTransaction(conn, writable=True, decoded=self._decoded)
            for entry in entries:
                if entry.subject_type not in RECORD_TYPES:
                    raise InvalidInput(
                        f"unknown subject type {entry.subject_type!r}", field=f"seq {entry.seq}"
                    )
                tx.append(entry)

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
        self._engine.dispose()
