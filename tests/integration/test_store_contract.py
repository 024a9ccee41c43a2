"""The store contract: every backend must pass it (SQLite and PostgreSQL, in BACKENDS). Plus
each adapter's own promises: SQLite's WAL, foreign keys and Alembic; PostgreSQL's volumes.

PostgreSQL is expected at DECONFLICT_TEST_PG (default ``postgresql://postgres@127.0.0.1/``):
each test gets a fresh database, dropped after. If it is not reachable the tests fail."""

from __future__ import annotations

import gc
import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from deconflict.adapters.postgres import store as postgres_store_module
from deconflict.adapters.postgres.store import PostgresStore, driver_url
from deconflict.adapters.scenario import bundled, load_scenario
from deconflict.adapters.sqlite import store as sqlite_store_module
from deconflict.adapters.sqlite.store import SqliteStore
from deconflict.adapters.store_common import LOG_COLUMNS
from deconflict.adapters.volume_index import TimeSlicedIndex
from deconflict.cli.replay import run_scenario
from deconflict.domain.chain import GENESIS, verify_chain
from deconflict.domain.declarations import Declaration
from deconflict.domain.errors import Conflicting
from deconflict.domain.lines import Message, MessageKind
from deconflict.domain.measures import ControlMeasure
from deconflict.domain.notices import Notice
from deconflict.domain.parties import Party
from deconflict.service.clock import SimulatedClock
from deconflict.service.handlers import Deconfliction
from deconflict.service.ports import Store
from deconflict.service.situation import Situation

AT = datetime(2017, 9, 15, 6, tzinfo=UTC)
SQLITE_MIGRATIONS = Path(sqlite_store_module.__file__).parent
POSTGRES_MIGRATIONS = Path(postgres_store_module.__file__).parent
PG_SERVER = os.environ.get("DECONFLICT_TEST_PG", "postgresql://postgres@127.0.0.1/")


@contextmanager
def _sqlite(tmp_path: Path) -> Iterator[Store]:
    store = SqliteStore(tmp_path / f"contract-{secrets.token_hex(4)}.sqlite")
    yield store
    store.close()


@contextmanager
def _pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database's URL, dropped after (its connections ended first)."""
    name = f"deconflict_test_{secrets.token_hex(6)}"
    with psycopg.connect(PG_SERVER + "postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield PG_SERVER + name
    finally:
        with psycopg.connect(PG_SERVER + "postgres", autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            admin.execute(f"DROP DATABASE IF EXISTS {name}")


@contextmanager
def _postgres(_: Path) -> Iterator[Store]:
    with _pg_database() as url:
        store = PostgresStore(url)
        try:
            yield store
        finally:
            store.close()


BACKENDS: dict[str, Callable[[Path], AbstractContextManager[Store]]] = {
    "sqlite": _sqlite,
    "postgres": _postgres,
}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with BACKENDS[request.param](tmp_path) as opened:
        yield opened


def _seeded(store: Store) -> Store:
    """The Deir ez-Zor scenario replayed into ``store``."""
    scenario = load_scenario(bundled("deir-ez-zor-2017.yaml"))
    clock = SimulatedClock(scenario.steps[0].at)
    mechanism = Deconfliction(store, clock, Situation(TimeSlicedIndex))
    mechanism.start()
    run_scenario(scenario, mechanism, clock, lambda _: None)
    return store


def test_the_file_is_in_wal_mode_with_foreign_keys_on(store: SqliteStore) -> None:
    with store.transaction() as writer, store.read() as reader:
        for tx in (writer, reader):
            raw = tx._raw  # the adapter's own connections: the writer's, and a reader's
            assert raw.execute("PRAGMA journal_mode").fetchall() == [("wal",)]
            assert raw.execute("PRAGMA foreign_keys").fetchall() == [(1,)]


def test_each_thread_reads_through_its_own_connection_and_sees_every_commit(
    tmp_path: Path,
) -> None:
    path = tmp_path / "shared.sqlite"
    reader, other = SqliteStore(path), SqliteStore(path)  # another process, as far as it knows
    try:
        seen: list[tuple[int, int]] = []

        def read_twice(name: str) -> None:
            before = reader.head()
            with other.transaction() as tx:
                tx.record("party.created", "system", AT, Party(name, name))
            with reader.read() as tx:  # the same kept connection: not a stale snapshot
                seen.append((before, tx.head()))

        threads = [threading.Thread(target=read_twice, args=(f"p{i}",)) for i in range(8)]
        for thread in threads:
            thread.start()
            thread.join()
        assert seen == [(i, i + 1) for i in range(8)]
        gc.collect()
        assert len(reader._reader_set) == 0  # each closed with its thread: nothing piles up
        assert reader.head() == 8 and len(reader._reader_set) == 1
    finally:
        reader.close()
        other.close()


def test_a_write_undone_leaves_the_kept_writer_ready_and_the_lock_free(tmp_path: Path) -> None:
    path = tmp_path / "writer.sqlite"
    store, other = SqliteStore(path), SqliteStore(path)
    try:
        with pytest.raises(RuntimeError), store.transaction() as tx:
            tx.record("party.created", "system", AT, Party("coalition", "Coalition"))
            raise RuntimeError("boom")
        with other.transaction() as tx:  # SQLite's write lock was let go
            tx.record("party.created", "system", AT, Party("russia", "Russia"))
        with store.transaction() as tx:  # and this process's writer can write again
            tx.record("party.created", "system", AT, Party("turkey", "Turkey"))
        assert store.head() == 2
        assert sorted(store.objects()) == [("party", "russia"), ("party", "turkey")]
    finally:
        store.close()
        other.close()


def test_migrations_are_managed_by_alembic(store: SqliteStore) -> None:
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0007",)
        indexes = {row[1] for row in conn.execute("PRAGMA index_list(log)")}
        objects = {row[1] for row in conn.execute("PRAGMA index_list(objects)")}
        columns = [row[1] for row in conn.execute("PRAGMA table_info(objects)")]
    assert "log_by_subject" in indexes
    # Looked up by (type, id); deadlines by due. Nothing reads by party (0006).
    assert objects == {"sqlite_autoindex_objects_1", "objects_due"}
    # A state is the body of the entry its row names, never a copy beside the log (0007).
    assert columns == ["type", "id", "seq", "due"]


def test_records_chain_and_read_back(backend: Store) -> None:
    with backend.transaction() as tx:
        first = tx.record("party.created", "system", AT, Party("coalition", "Coalition", ("SDF",)))
        second = tx.record("party.created", "system", AT, Party("russia", "Russia", ("SAA",)))
    assert first.prev_hash == GENESIS and second.prev_hash == first.hash
    with backend.read() as tx:
        assert tx.get(Party, "russia") == Party("russia", "Russia", ("SAA",))
        assert [p.id for p in tx.all(Party)] == ["coalition", "russia"]
    assert verify_chain(backend.entries()) == []


def test_a_failed_transaction_leaves_nothing(backend: Store) -> None:
    with pytest.raises(RuntimeError), backend.transaction() as tx:
        tx.record("party.created", "system", AT, Party("coalition", "Coalition"))
        raise RuntimeError("boom")
    assert list(backend.entries()) == []
    with backend.read() as tx:
        assert tx.get(Party, "coalition") is None


def test_the_store_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    first = SqliteStore(path)
    with first.transaction() as tx:
        tx.record("party.created", "system", AT, Party("coalition", "Coalition"))
    first.close()
    again = SqliteStore(path)
    with again.transaction() as tx:
        entry = tx.record("party.created", "system", AT, Party("russia", "Russia"))
    assert entry.seq == 2
    assert verify_chain(again.entries()) == []
    again.close()


def _upgrade_to(url: str, migrations: Path, revision: str) -> None:
    """An empty database brought up to an older revision of an adapter's migrations."""
    engine = sa.create_engine(url)
    config = Config(str(migrations / "alembic.ini"))
    config.set_main_option("script_location", str(migrations / "migrations"))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    engine.dispose()


def _at_0004(path: Path, seeded: SqliteStore, leave_out: int | None = None) -> Path:
    """A store at revision 0004 holding the seed's rows, as an earlier version held them
    (``leave_out``: that log row missing, as if deleted)."""
    _upgrade_to(f"sqlite:///{path}", SQLITE_MIGRATIONS, "0004")
    with sqlite3.connect(path) as conn:
        conn.execute("ATTACH DATABASE ? AS seed", (str(seeded.path),))
        conn.execute("INSERT INTO log SELECT * FROM seed.log WHERE seq IS NOT ?", (leave_out,))
        # Each state copied beside the log, as 0004 kept it (0007 drops the copies).
        conn.execute(
            "INSERT INTO objects (type, id, party, body, seq, due) "
            "SELECT o.type, o.id, json_extract(l.body, '$.party'), l.body, o.seq, o.due "
            "FROM seed.objects o JOIN seed.log l ON l.seq = o.seq"
        )
        assert _hash_is_unique(conn)
    return path


def test_a_store_written_at_revision_0004_migrates_keeping_its_log(tmp_path: Path) -> None:
    """0005 copies the log into a table without the unique index on ``hash`` and makes the
    subject index leave conflicts out: the entries, objects and their references survive."""
    seeded = _seeded(SqliteStore(tmp_path / "seed.sqlite"))
    old = _at_0004(tmp_path / "old.sqlite", seeded)
    migrated = SqliteStore(old)
    assert list(migrated.entries()) == list(seeded.entries())
    assert verify_chain(migrated.entries()) == []
    assert migrated.objects() == seeded.objects()
    notice = next(e.subject_id for e in seeded.entries() if e.subject_type == "notice")
    with migrated.read() as tx, seeded.read() as before:
        assert tx.history(Notice, notice) == before.history(Notice, notice)
    with sqlite3.connect(old) as conn:
        assert not _hash_is_unique(conn)
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
        assert "objects_orphaned" not in tables  # nothing was lost: nothing set aside
        assert "WHERE subject_type <> 'conflict'" in _index_sql(conn)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        plan = conn.execute(
            "EXPLAIN QUERY PLAN SELECT seq FROM log WHERE subject_type = 'notice' "
            "AND subject_id = ? AND subject_type <> 'conflict' ORDER BY seq",
            (notice,),
        ).fetchall()
        assert "log_by_subject" in str(plan)
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM log WHERE seq = 1")
    with migrated.transaction() as tx:  # and it goes on from where it was
        entry = tx.record("party.created", "system", AT, Party("turkey", "Turkey"))
    assert entry.seq == seeded.head() + 1 and verify_chain(migrated.entries()) == []
    migrated.close()
    seeded.close()


def test_a_tampered_store_at_revision_0004_still_opens_and_the_deletion_is_reported(
    tmp_path: Path,
) -> None:
    """An investigator must be able to open an old store whose log lost a row: the migration
    keeps the references that were already broken, and the state whose entry is gone, and
    the chain names the gap."""
    seeded = _seeded(SqliteStore(tmp_path / "seed.sqlite"))
    # An object's current state, not the head: its row in ``objects`` now names a lost entry.
    (key, state), *_ = ((k, o) for k, o in seeded.objects().items() if 1 < o["seq"] < seeded.head())
    lost = state["seq"]
    old = _at_0004(tmp_path / "old.sqlite", seeded, leave_out=lost)
    migrated = SqliteStore(old)
    problems = [str(p) for p in verify_chain(migrated.entries())]
    assert problems[0].startswith(f"seq {lost + 1}: expected seq {lost}")
    with sqlite3.connect(old) as conn:  # 0007 kept the only copy of that state, as it was
        orphaned = conn.execute("SELECT type, id, body, seq FROM objects_orphaned").fetchall()
    assert [(t, i, json.loads(b), q) for t, i, b, q in orphaned] == [(*key, state["body"], lost)]
    migrated.close()
    seeded.close()


def _index_sql(conn: sqlite3.Connection) -> str:
    return " ".join(
        sql
        for (sql,) in conn.execute("SELECT sql FROM sqlite_master WHERE tbl_name = 'log'")
        if sql
    )


def _hash_is_unique(conn: sqlite3.Connection) -> bool:
    for _, name, unique, *_ in conn.execute("PRAGMA index_list(log)"):
        columns = [row[2] for row in conn.execute(f"PRAGMA index_info({name})")]
        if unique and columns == ["hash"]:
            return True
    return False


def test_replaying_entries_into_a_fresh_store_rebuilds_the_same_objects(
    backend: Store, tmp_path: Path
) -> None:
    with backend.transaction() as tx:
        tx.record("party.created", "system", AT, Party("coalition", "Coalition"))
        tx.record("party.created", "system", AT, Party("coalition", "US-led coalition"))
    for name in sorted(BACKENDS):
        with BACKENDS[name](tmp_path) as fresh:
            fresh.load_entries(backend.entries())
            assert fresh.objects() == backend.objects()
            assert fresh.objects()[("party", "coalition")] == {
                "body": {"id": "coalition", "name": "US-led coalition", "affiliates": []},
                "seq": 2,
            }
            assert list(fresh.entries()) == list(backend.entries())
            assert verify_chain(fresh.entries()) == []


def test_a_read_transaction_cannot_record(backend: Store) -> None:
    with backend.read() as tx, pytest.raises(Conflicting):
        tx.record("party.created", "system", AT, Party("coalition", "Coalition"))


def _message(number: int, deadline: datetime | None, settled: bool = False) -> Message:
    return Message(
        "coalition-russia",
        number,
        MessageKind.TEXT,
        "coalition",
        "cell",
        AT,
        deadline=deadline,
        settled=settled,
    )


def test_a_failed_savepoint_restores_the_head_and_keeps_the_rest(backend: Store) -> None:
    with backend.transaction() as tx:
        first = tx.record("party.created", "system", AT, Party("coalition", "Coalition"))
        with pytest.raises(RuntimeError), tx.savepoint():
            tx.record("party.created", "system", AT, Party("russia", "Russia"))
            assert tx.head() == 2
            raise RuntimeError("boom")
        assert tx.head() == 1 and tx.get(Party, "russia") is None
        written = tx.written  # type: ignore[attr-defined]
        assert [(e.subject_type, e.subject_id, e.seq) for e, _ in written] == [
            ("party", "coalition", 1)
        ]
        with tx.savepoint():
            second = tx.record("party.created", "system", AT, Party("turkey", "Turkey"))
    assert second.seq == 2 and second.prev_hash == first.hash
    assert backend.head() == 2
    assert verify_chain(backend.entries()) == []
    assert sorted(backend.objects()) == [("party", "coalition"), ("party", "turkey")]


def test_a_writer_reads_what_it_staged_and_a_savepoint_undoes_it_even_once_written(
    backend: Store,
) -> None:
    """Entries are written many to a statement when the transaction ends or a read needs them;
    whichever happened, every read inside sees them and a failed savepoint undoes them."""
    with backend.transaction() as tx:
        tx.record("party.created", "system", AT, Party("coalition", "Coalition"))
        with pytest.raises(RuntimeError), tx.savepoint():
            tx.record("party.created", "system", AT, Party("russia", "Russia"))
            tx.record("party.renamed", "system", AT, Party("russia", "Russian Federation"))
            assert tx.get(Party, "russia") == Party("russia", "Russian Federation")
            # A read of many objects writes what is staged first (flushed inside the savepoint).
            assert [p.id for p in tx.all(Party)] == ["coalition", "russia"]
            assert [e.seq for e, _ in tx.history(Party, "russia")] == [2, 3]
            raise RuntimeError("boom")
        assert tx.get(Party, "russia") is None and tx.head() == 1
        assert [p.id for p in tx.all(Party)] == ["coalition"]
        with pytest.raises(RuntimeError), tx.savepoint():  # staged only: never written
            tx.record("party.created", "system", AT, Party("turkey", "Turkey"))
            raise RuntimeError("boom")
        assert tx.get(Party, "turkey") is None
        tx.record("party.renamed", "system", AT, Party("coalition", "Coalition (CJTF)"))
        tx.record("party.created", "system", AT, Party("turkey", "Turkey"))
    assert [(e.seq, e.subject_id) for e in backend.entries()] == [
        (1, "coalition"),
        (2, "coalition"),
        (3, "turkey"),
    ]
    assert verify_chain(backend.entries()) == []
    objects = backend.objects()
    assert sorted(objects) == [("party", "coalition"), ("party", "turkey")]
    coalition = objects[("party", "coalition")]  # its last state, at that state's entry
    assert (coalition["body"]["name"], coalition["seq"]) == ("Coalition (CJTF)", 2)


def test_get_all_and_all_with_seq_give_the_latest_state_in_write_order(backend: Store) -> None:
    with backend.transaction() as tx:
        tx.record("party.created", "system", AT, Party("russia", "Russia"))
        tx.record("party.created", "system", AT, Party("coalition", "Coalition"))
        tx.record("party.renamed", "system", AT, Party("russia", "Russian Federation"))
        # A writer reads what it wrote itself.
        assert tx.get(Party, "russia") == Party("russia", "Russian Federation")
    with backend.read() as tx:
        assert tx.get(Party, "nobody") is None
        assert tx.all(Party) == [
            Party("coalition", "Coalition"),
            Party("russia", "Russian Federation"),
        ]
        assert tx.all_with_seq(Party) == [
            (Party("coalition", "Coalition"), 2),
            (Party("russia", "Russian Federation"), 3),
        ]
        assert tx.all(Message) == []


def test_due_messages_are_those_waiting_with_a_deadline_passed(backend: Store) -> None:
    with backend.transaction() as tx:
        tx.record("message.text", "system", AT, _message(1, AT + timedelta(minutes=30)))
        tx.record("message.text", "system", AT, _message(2, AT + timedelta(minutes=10)))
        tx.record("message.text", "system", AT, _message(3, None))
        tx.record("message.text", "system", AT, _message(4, AT, settled=True))
    with backend.read() as tx:
        assert tx.due_messages(AT) == []
        assert [m.number for m in tx.due_messages(AT + timedelta(minutes=10))] == [2]
        assert [m.number for m in tx.due_messages(AT + timedelta(hours=1))] == [2, 1]
    with backend.transaction() as tx:  # answered: no longer due
        tx.record("message.settled", "system", AT, _message(2, AT, settled=True))
    with backend.read() as tx:
        assert [m.number for m in tx.due_messages(AT + timedelta(hours=1))] == [1]


def test_history_lists_every_state_with_its_entry(backend: Store) -> None:
    with backend.transaction() as tx:
        tx.record("party.created", "system", AT, Party("russia", "Russia"))
        tx.record("party.created", "system", AT, Party("coalition", "Coalition"))
        tx.record("party.renamed", "cell", AT, Party("russia", "Russian Federation"))
    with backend.read() as tx:
        history = tx.history(Party, "russia")
        assert tx.history(Party, "nobody") == []
    assert [(e.seq, e.kind, e.actor) for e, _ in history] == [
        (1, "party.created", "system"),
        (3, "party.renamed", "cell"),
    ]
    assert [p.name for _, p in history] == ["Russia", "Russian Federation"]
    assert [e for e, _ in history] == [e for e in backend.entries() if e.subject_id == "russia"]


def test_records_page_through_the_log_skipping_kinds(backend: Store) -> None:
    assert backend.head() == 0 and backend.records() == []
    with backend.transaction() as tx:
        for i in range(5):
            tx.record("party.created", "system", AT, Party(f"p{i}", f"P{i}"))
            tx.record("message.text", "system", AT, _message(i + 1, None))
    assert backend.head() == 10
    page = backend.records(after=2, limit=3)
    assert [(e.seq, type(r)) for e, r in page] == [(3, Party), (4, Message), (5, Party)]
    assert page[0][1] == Party("p1", "P1")
    skipped = backend.records(after=0, limit=4, skip=["message.text"])
    assert [e.seq for e, _ in skipped] == [1, 3]
    assert [e.seq for e, _ in backend.records(after=8)] == [9, 10]
    assert backend.records(after=10) == []
    assert [e for e, _ in backend.records(after=4, limit=100)] == list(backend.entries(after=4))


def _another_process(store: Store) -> Store:
    """The same store opened again, as another process would: nothing of this one's memory."""
    if isinstance(store, PostgresStore):
        return PostgresStore(store.url)
    assert isinstance(store, SqliteStore)
    return SqliteStore(store.path)


def test_pages_this_process_just_wrote_read_the_same_as_the_store_gives_others(
    backend: Store,
) -> None:
    other = _another_process(backend)
    try:
        with other.transaction() as tx:  # another process's entry: not in this one's memory
            tx.record("party.created", "system", AT, Party("p0", "P0"))
        with backend.transaction() as tx:
            for i in range(1, 4):
                tx.record("party.created", "system", AT, Party(f"p{i}", f"P{i}"))
                tx.record("message.text", "system", AT, _message(i, None))
        with pytest.raises(RuntimeError), backend.transaction() as tx:  # never committed
            tx.record("party.created", "system", AT, Party("p9", "P9"))
            raise RuntimeError("rolled back")
        for after, limit, skip in [(0, 7, ()), (1, 6, ()), (1, 6, ("message.text",)), (3, 50, ())]:
            mine = backend.records(after, limit, skip=skip)
            theirs = other.records(after, limit, skip=skip)
            assert [(e, r) for e, r in mine] == [(e, r) for e, r in theirs]
        assert [e.seq for e, _ in backend.records(1, 6, skip=["message.text"])] == [2, 4, 6]
    finally:
        other.close()


def test_idempotency_replies_are_kept_with_the_transaction(backend: Store) -> None:
    with backend.transaction() as tx:
        assert tx.recall("cell", "k1") is None
        tx.remember("cell", "k1", "ab" * 32, 201, '{"ok":true}', "2017-09-15T06:00:00Z")
    with pytest.raises(RuntimeError), backend.transaction() as tx:
        tx.remember("cell", "k2", "cd" * 32, 201, "{}", "2017-09-15T06:00:00Z")
        raise RuntimeError("boom")
    with backend.read() as tx:
        assert tx.recall("cell", "k1") == ("ab" * 32, 201, '{"ok":true}')
        assert tx.recall("cell", "k2") is None
        assert tx.recall("other", "k1") is None
        with pytest.raises(Conflicting):
            tx.remember("cell", "k3", "ef" * 32, 200, "{}", "2017-09-15T06:00:00Z")
    with pytest.raises(Exception), backend.transaction() as tx:  # noqa: B017 - one per key
        tx.remember("cell", "k1", "ab" * 32, 201, "{}", "2017-09-15T06:00:00Z")


@pytest.mark.parametrize("statement", ["UPDATE log SET actor = 'someone'", "DELETE FROM log"])
def test_the_log_refuses_updates_and_deletes(backend: Store, statement: str) -> None:
    with backend.transaction() as tx:
        tx.record("party.created", "system", AT, Party("coalition", "Coalition"))
    with pytest.raises(Exception, match="append-only"), backend.transaction() as tx:  # noqa: B017
        tx._raw.execute(statement)  # type: ignore[attr-defined]  # the adapter's own driver
    assert [e.actor for e in backend.entries()] == ["system"]


def test_the_seed_replayed_into_every_backend_gives_the_same_objects_and_hashes(
    tmp_path: Path,
) -> None:
    with BACKENDS["sqlite"](tmp_path) as sqlite, BACKENDS["postgres"](tmp_path) as postgres:
        _seeded(sqlite), _seeded(postgres)
        assert sqlite.head() > 50 and postgres.head() == sqlite.head()
        assert postgres.objects() == sqlite.objects()
        assert [e.hash for e in postgres.entries()] == [e.hash for e in sqlite.entries()]
        assert verify_chain(postgres.entries()) == []
        # And the log alone rebuilds the same objects in the other backend.
        with BACKENDS["postgres"](tmp_path) as copy:
            copy.load_entries(sqlite.entries())
            assert copy.objects() == sqlite.objects()


def test_postgres_keeps_one_valid_volume_row_per_active_volume(tmp_path: Path) -> None:
    with BACKENDS["postgres"](tmp_path) as store:
        _seeded(store)
        expected: set[tuple[str, str, int]] = set()
        with store.read() as tx:
            for notice in tx.all(Notice):
                if notice.active:
                    expected |= {("notice", notice.id, i) for i in range(len(notice.volumes))}
            for cls, name in ((Declaration, "declaration"), (ControlMeasure, "measure")):
                expected |= {(name, o.id, 0) for o in tx.all(cls) if o.active}  # type: ignore[attr-defined]
            rows = tx._raw.execute(  # type: ignore[attr-defined]
                'SELECT type, id, idx, ST_IsValid(geom), ST_SRID(geom), NOT isempty("window"), '
                "NOT isempty(band) FROM volumes"
            ).fetchall()
        assert expected and {(t, i, x) for t, i, x, *_ in rows} == expected
        assert len(rows) == len(expected)
        assert all(valid and srid == 4326 and w and b for *_, valid, srid, w, b in rows)


def test_a_postgres_store_written_at_revision_0003_keeps_its_states_as_pointers(
    tmp_path: Path,
) -> None:
    """0004 drops the copy of each state kept beside the log: read through the entries they
    now name, the states are the ones the copies held."""
    seeded = _seeded(SqliteStore(tmp_path / "seed.sqlite"))
    with sqlite3.connect(
        seeded.path
    ) as conn:  # the seed's rows, each state copied, as 0003 kept it
        log = conn.execute(f"SELECT {LOG_COLUMNS} FROM log ORDER BY seq").fetchall()
        objects = conn.execute(
            "SELECT o.type, o.id, json_extract(l.body, '$.party'), l.body, o.seq, o.due "
            "FROM objects o JOIN log l ON l.seq = o.seq"
        ).fetchall()
    with _pg_database() as url:
        _upgrade_to(driver_url(url), POSTGRES_MIGRATIONS, "0003")
        with psycopg.connect(url) as conn:
            marks = ", ".join(["%s"] * len(log[0]))
            conn.cursor().executemany(f"INSERT INTO log ({LOG_COLUMNS}) VALUES ({marks})", log)
            conn.cursor().executemany(
                "INSERT INTO objects (type, id, party, body, seq, due) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                objects,
            )
        migrated = PostgresStore(url)
        try:
            assert migrated.objects() == seeded.objects()
            assert verify_chain(migrated.entries()) == []
        finally:
            migrated.close()
        with psycopg.connect(url) as conn:
            columns = conn.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'objects' ORDER BY ordinal_position"
            ).fetchall()
    assert [c for (c,) in columns] == ["type", "id", "seq", "due"]
    seeded.close()


def test_postgres_log_has_no_hash_index_and_no_subject_index_for_conflicts() -> None:
    with _pg_database() as url:
        PostgresStore(url).close()
        with psycopg.connect(url) as conn:
            indexes = dict(
                conn.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'log'")
            )
    assert sorted(indexes) == ["log_by_subject", "log_pkey"]
    assert "WHERE (subject_type <> 'conflict'::text)" in indexes["log_by_subject"]


def test_postgres_unreachable_is_an_error_not_a_skip() -> None:
    with pytest.raises(Exception):  # noqa: B017 - whatever the driver raises
        PostgresStore("postgresql://postgres@127.0.0.1:1/nothing")


def test_a_postgresql_url_selects_the_postgres_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deconflict.bootstrap import Settings, build, open_store

    with _pg_database() as url:
        store, mechanism = build(Settings(url, checkpoint_every_s=0.2), SimulatedClock(AT))
        assert isinstance(store, PostgresStore)
        store.close()
    # The CLI hands the URL over as typed (tests/integration/test_cli_store_option.py); a
    # SQLite path from a settings file or the environment may start with ~.
    sqlite = open_store(Settings(str(tmp_path / "s.sqlite")))
    assert isinstance(sqlite, SqliteStore)
    sqlite.close()
    monkeypatch.setenv("HOME", str(tmp_path))
    home = open_store(Settings("~/h.sqlite"))
    assert isinstance(home, SqliteStore) and home.path == str(tmp_path / "h.sqlite")
    home.close()
