"""`--db` names a store as typed: a PostgreSQL URL keeps its `//` (it is not read as a path),
a SQLite file may be relative or start with `~`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from deconflict.cli.main import STORE, main

from .test_store_contract import _pg_database


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://postgres@127.0.0.1:5432/deconflict",
        "postgresql+psycopg://postgres@db.example/deconflict",
        "postgresql:///deconflict",
    ],
)
def test_a_postgresql_url_is_kept_as_typed(url: str) -> None:
    assert STORE.convert(url, None, None) == url


def test_a_sqlite_file_may_be_relative_or_in_the_home_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert STORE.convert("~/stores/d.sqlite", None, None) == str(tmp_path / "stores/d.sqlite")
    assert STORE.convert("d.sqlite", None, None) == "d.sqlite"


def test_a_directory_is_not_a_store(tmp_path: Path) -> None:
    done = CliRunner().invoke(main, ["log", "verify", "--db", str(tmp_path)])
    assert done.exit_code == 2 and "is a directory" in done.output


def test_the_cli_opens_a_postgresql_store_by_its_url() -> None:
    with _pg_database() as url:
        done = CliRunner().invoke(main, ["log", "verify", "--db", url])
        assert done.exit_code == 0, done.output
        assert "log verified: 0 entries" in done.output


def test_the_cli_opens_a_sqlite_store_under_the_home_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    made = CliRunner().invoke(main, ["log", "export", "--db", "~/d.sqlite"])
    assert made.exit_code == 0, made.output
    assert (tmp_path / "d.sqlite").exists()
