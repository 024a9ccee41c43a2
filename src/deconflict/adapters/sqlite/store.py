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
        # Readers (and migrations) begin deferred and, in WAL mode, never wait for the writer;
        # a writer begins itself (SqliteStore._writing).
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
        # A writer takes the write lock at once (IMMEDIATE): the chain head cannot move under
        # it. BEGIN and COMMIT go to the driver itself, as every statement of the transaction
        # does: SQLAlchemy's bookkeeping around them cost more than they do, once a batch.
        # Were COMMIT to fail, returning the connection to the pool rolls it back.
        with self._engine.connect() as conn:
            raw: Any = conn.connection.driver_connection
            raw.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT")

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
            conn.execute("PRAGMA busy_timeout=10000")
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
        super().close()
