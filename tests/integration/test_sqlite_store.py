"""The SQLite adapter: pragmas, the append-only chain, all-or-nothing transactions."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from deconflict.adapters.sqlite.store import SqliteStore
from deconflict.domain.chain import GENESIS, verify_chain
from deconflict.domain.parties import Party

AT = datetime(2017, 9, 15, 6, tzinfo=UTC)


def test_the_file_is_in_wal_mode_with_foreign_keys_on(store: SqliteStore) -> None:
    with store.read() as tx:
        conn = tx._conn  # the adapter's own connection
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_migrations_are_managed_by_alembic(store: SqliteStore) -> None:
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)


def test_records_chain_and_read_back(store: SqliteStore) -> None:
    with store.transaction() as tx:
        first = tx.record("party.created", "system", AT, Party("coalition", "Coalition", ("SDF",)))
        second = tx.record("party.created", "system", AT, Party("russia", "Russia", ("SAA",)))
    assert first.prev_hash == GENESIS and second.prev_hash == first.hash
    with store.read() as tx:
        assert tx.get(Party, "russia") == Party("russia", "Russia", ("SAA",))
        assert [p.id for p in tx.all(Party)] == ["coalition", "russia"]
    assert verify_chain(store.entries()) == []


def test_a_failed_transaction_leaves_nothing(store: SqliteStore) -> None:
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.record("party.created", "system", AT, Party("coalition", "Coalition"))
        raise RuntimeError("boom")
    assert list(store.entries()) == []
    with store.read() as tx:
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
