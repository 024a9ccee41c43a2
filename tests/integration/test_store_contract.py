"""The store contract: every backend must pass it (SQLite today; PostgreSQL joins by adding
itself to BACKENDS). Plus the SQLite adapter's own promises: WAL, foreign keys, Alembic."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from deconflict.adapters.sqlite.store import SqliteStore
from deconflict.domain.chain import GENESIS, verify_chain
from deconflict.domain.errors import Conflicting
from deconflict.domain.parties import Party
from deconflict.service.ports import Store

AT = datetime(2017, 9, 15, 6, tzinfo=UTC)


def _sqlite(tmp_path: Path) -> SqliteStore:
    return SqliteStore(tmp_path / "contract.sqlite")


BACKENDS: dict[str, Callable[[Path], Store]] = {"sqlite": _sqlite}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened = BACKENDS[request.param](tmp_path)
    yield opened
    opened.close()


def test_the_file_is_in_wal_mode_with_foreign_keys_on(store: SqliteStore) -> None:
    with store.read() as tx:
        conn = tx._conn  # the adapter's own connection
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_migrations_are_managed_by_alembic(store: SqliteStore) -> None:
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0004",)
        indexes = {row[1] for row in conn.execute("PRAGMA index_list(log)")}
    assert "log_by_subject" in indexes


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


def test_replaying_entries_into_a_fresh_store_rebuilds_the_same_objects(
    backend: Store, tmp_path: Path
) -> None:
    with backend.transaction() as tx:
        tx.record("party.created", "system", AT, Party("coalition", "Coalition"))
        tx.record("party.created", "system", AT, Party("coalition", "US-led coalition"))
    fresh = BACKENDS["sqlite"](tmp_path / "fresh")
    fresh.load_entries(backend.entries())
    assert fresh.objects() == backend.objects()
    assert fresh.objects()[("party", "coalition")] == {
        "body": {"id": "coalition", "name": "US-led coalition", "affiliates": []},
        "seq": 2,
    }
    fresh.close()


def test_a_read_transaction_cannot_record(backend: Store) -> None:
    with backend.read() as tx, pytest.raises(Conflicting):
        tx.record("party.created", "system", AT, Party("coalition", "Coalition"))
