"""`deconflict migrate-store`: the seed's store carried from SQLite to PostgreSQL and back, the
whole log and every object, the chain still whole; a store already in use is refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from deconflict.adapters.sqlite.store import SqliteStore
from deconflict.domain.chain import verify_chain

from ..integration.test_store_contract import _pg_database

CLI = [sys.executable, "-m", "deconflict.cli"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300)


def test_the_seed_goes_to_postgresql_and_back_whole(tmp_path: Path) -> None:
    seed, back = tmp_path / "seed.sqlite", tmp_path / "back.sqlite"
    assert run("replay", "scenarios/deir-ez-zor-2017.yaml", "--db", str(seed)).returncode == 0
    with _pg_database() as url:
        there = run("migrate-store", "--from", str(seed), "--to", url)
        assert there.returncode == 0, there.stderr
        assert "chain whole, every object the same" in there.stdout
        assert run("log", "verify", "--db", url).returncode == 0
        again = run("migrate-store", "--from", str(seed), "--to", url)
        assert again.returncode == 2 and "already holds" in again.stderr
        home = run("migrate-store", "--from", url, "--to", str(back))
        assert home.returncode == 0, home.stderr
    original, copy = SqliteStore(seed), SqliteStore(back)
    try:
        assert [e.hash for e in copy.entries()] == [e.hash for e in original.entries()]
        assert copy.objects() == original.objects() and verify_chain(copy.entries()) == []
    finally:
        original.close()
        copy.close()


def test_a_missing_source_is_named_and_nothing_is_created(tmp_path: Path) -> None:
    done = run(
        "migrate-store", "--from", str(tmp_path / "none.sqlite"), "--to", str(tmp_path / "t.sqlite")
    )
    assert done.returncode != 0 and "no store at" in done.stderr
    assert not (tmp_path / "none.sqlite").exists()
