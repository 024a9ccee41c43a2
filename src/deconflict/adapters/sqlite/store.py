"""The embedded store: one SQLite file (WAL, foreign keys on), schema by Alembic migrations."""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

from ..store_common import Decoded, Recent, SqlStore, SqlTransaction

__all__ = ["SqliteStore", "SqliteTransaction", "Decoded"]

_HERE = Path(__file__).parent


#: How long a writer waits for another (SQLite's busy timeout, and this process's own writer).
_BUSY_S = 10.0


def _set_up(connection: Any, checkpoint_in_background: bool) -> None:
    """Every connection of the adapter's: autocommit (BEGIN is ours), WAL, foreign keys on."""
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={int(_BUSY_S * 1000)}")
    # The log's indexes take random keys (hashes, ids): keep their pages in memory.
    cursor.execute("PRAGMA cache_size=-131072")  # 128 MiB per connection, at most
    cursor.execute("PRAGMA mmap_size=268435456")
    if checkpoint_in_background:
        cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.close()


def _configure(engine: Engine, checkpoint_in_background: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        _set_up(dbapi_connection, checkpoint_in_background)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Readers (and migrations) begin deferred and, in WAL mode, never wait for the writer;
        # a writer begins itself (SqliteStore._writing_driver, _begun).
        conn.exec_driver_sql("BEGIN")


class SqliteTransaction(SqlTransaction):
    """Reads and records inside one SQLite transaction."""

    paramstyle = "qmark"


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


@contextmanager
def _begun(raw: sqlite3.Connection) -> Iterator[None]:
    """A write transaction on the driver's connection. IMMEDIATE: the write lock is taken at
    once, so the chain head cannot move under the writer. BEGIN and COMMIT go to the driver,
    as every statement of the transaction does. A failed commit is rolled back too."""
    raw.execute("BEGIN IMMEDIATE")
    try:
        yield
        raw.execute("COMMIT")
    except BaseException:
        if raw.in_transaction:
            raw.execute("ROLLBACK")
        raise


class _Reader:
    """A thread's own read connection: closed when the thread ends (nothing else holds it) or
    when the store is closed."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn


class SqliteStore(SqlStore):
    """Objects and their log in one SQLite file; ``":memory:"`` for a private scratch store.

    ``checkpoint_every_s``: checkpoint the write-ahead log from a background thread at this
    interval instead of inside commits (for a long-running server)."""

    _transaction_class = SqliteTransaction

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
        self._recent = Recent()
        self._migrate()
        self._memory = memory
        self._background = background
        self._writer: sqlite3.Connection | None = None
        self._writer_lock = threading.Lock()
        self._readers = threading.local()
        self._reader_set: weakref.WeakSet[_Reader] = weakref.WeakSet()
        self._readers_lock = threading.Lock()
        self._checkpointer = (
            _Checkpointer(self._engine, checkpoint_every_s)
            if checkpoint_every_s is not None and background
            else None
        )

    def _migrate(self) -> None:
        config = Config(str(_HERE / "alembic.ini"))
        config.set_main_option("script_location", str(_HERE / "migrations"))
        head = ScriptDirectory.from_config(config).get_current_head()
        with self._engine.connect() as conn:
            with conn.begin():
                if MigrationContext.configure(conn).get_current_revision() == head:
                    return
            # Foreign keys off while migrating, as SQLite's own procedure for changing a table
            # has it: a migration may copy a table that others refer to (0005 copies the log).
            # Through the driver: outside a transaction, where the pragma takes effect. What
            # references were broken before (a tampered store, which `log verify` must still
            # open) may stay so; a migration that breaks one more is undone.
            raw: Any = conn.connection.driver_connection
            raw.execute("PRAGMA foreign_keys=OFF")
            try:
                with conn.begin():
                    before = set(conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall())
                    config.attributes["connection"] = conn
                    command.upgrade(config, "head")
                    after = set(conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall())
                    if after - before:
                        raise RuntimeError(
                            f"migrating to {head} broke references: {sorted(after - before)[:3]}"
                        )
            finally:
                raw.execute("PRAGMA foreign_keys=ON")

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        # A private store's one connection (the pool's): see _writing_driver.
        with self._engine.connect() as conn:
            raw: Any = conn.connection.driver_connection
            with _begun(raw):
                yield conn

    @contextmanager
    def _writing_driver(self) -> Iterator[Any]:
        """One connection of this process writes, kept open: its page cache stays warm from one
        transaction to the next (a pooled connection came round in turn, its cache stale after
        the others' commits), and a batch takes no checkout from the pool. Another process's
        writer waits for SQLite's lock; this process's, for this one."""
        if self._memory:
            with super()._writing_driver() as raw:
                yield raw
            return
        if not self._writer_lock.acquire(timeout=_BUSY_S):
            raise sqlite3.OperationalError("database is locked (by this process's writer)")
        try:
            if self._writer is None:
                self._writer = sqlite3.connect(self.path, check_same_thread=False)
                _set_up(self._writer, self._background)
            with _begun(self._writer):
                yield self._writer
        finally:
            self._writer_lock.release()

    @contextmanager
    def _reading_driver(self) -> Iterator[Any]:
        """A connection each thread keeps to read through. Readers read statement by statement
        (a pooled connection's are in autocommit too); a stream reads at every wake-up, and
        the pool's checkout and reset cost several times its queries (the head: 120-130 µs
        against 24 µs, after another connection's commit)."""
        if self._memory:  # one private connection: the pool's
            with super()._reading_driver() as raw:
                yield raw
            return
        reader: _Reader | None = getattr(self._readers, "reader", None)
        if reader is None:
            # In WAL mode a reader never waits for the writer; each statement sees the last
            # commit (a cursor left open half-read would keep its snapshot: none is).
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout={int(_BUSY_S * 1000)}")
            conn.execute("PRAGMA foreign_keys=ON")
            reader = self._readers.reader = _Reader(conn)
            with self._readers_lock:
                self._reader_set.add(reader)
        yield reader.conn

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
        with self._readers_lock:
            for reader in list(self._reader_set):
                reader.conn.close()
        if self._writer_lock.acquire(timeout=_BUSY_S):
            try:
                if self._writer is not None:
                    self._writer.close()
                    self._writer = None
            finally:
                self._writer_lock.release()
        super().close()
