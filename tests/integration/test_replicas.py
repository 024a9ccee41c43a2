"""Several servers on one store: each hears the others' commits (PostgreSQL: LISTEN/NOTIFY;
SQLite: the log's head polled), and one of them leads the deadline passes (PostgreSQL: a
session advisory lock; SQLite: every process). Real databases; nothing asserted on time —
the waits below only bound a test that would otherwise hang."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from deconflict.adapters.postgres.replicas import AdvisoryLeadership, ListenedCommits
from deconflict.adapters.postgres.store import PostgresStore
from deconflict.adapters.sqlite.replicas import EveryProcessLeads, PolledCommits
from deconflict.adapters.sqlite.store import SqliteStore
from deconflict.bootstrap import replicas
from deconflict.domain.parties import Party
from deconflict.service.ports import CommitSignal, Store

from .test_store_contract import AT, _pg_database

BOUND_S = 30.0  # the longest a test waits for what must come


class Wakes:
    """Counts the wake-ups a signal gives, and lets a test wait for the n-th."""

    def __init__(self) -> None:
        self.count = 0
        self._changed = threading.Condition()

    def __call__(self) -> None:
        with self._changed:
            self.count += 1
            self._changed.notify_all()

    def reach(self, n: int) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.count >= n, BOUND_S)


def _commit(store: Store, party: str) -> None:
    with store.transaction() as tx:
        tx.record("party.created", "system", AT, Party(party, party.title()))


@pytest.fixture
def pg_url() -> Iterator[str]:
    with _pg_database() as url:
        PostgresStore(url).close()  # the schema, once
        yield url


def _listening(signal: CommitSignal) -> Wakes:
    wakes = Wakes()
    signal.start(wakes)
    assert wakes.reach(1)  # listening: the first wake-up says so
    return wakes


def test_a_commit_on_one_server_wakes_the_streams_of_the_other(pg_url: str) -> None:
    a, b = PostgresStore(pg_url), PostgresStore(pg_url)
    signal = ListenedCommits(b.url, b.origin)
    try:
        wakes = _listening(signal)
        _commit(a, "coalition")
        assert wakes.reach(2)
    finally:
        signal.stop()
        a.close()
        b.close()


def test_a_server_is_not_woken_by_its_own_commits_nor_by_what_was_rolled_back(
    pg_url: str,
) -> None:
    a, b = PostgresStore(pg_url), PostgresStore(pg_url)
    signal = ListenedCommits(b.url, b.origin)
    try:
        wakes = _listening(signal)
        _commit(b, "own")  # b's streams were woken by b's writer already
        with pytest.raises(RuntimeError), a.transaction() as tx:
            tx.record("party.created", "system", AT, Party("undone", "Undone"))
            raise RuntimeError("the command failed")
        _commit(a, "coalition")
        assert wakes.reach(2)
        # Notifications arrive in commit order: had b's own or the rolled-back one been
        # announced, it would have come before a's.
        assert wakes.count == 2
        assert [e.subject_id for e in b.entries()] == ["own", "coalition"]
    finally:
        signal.stop()
        a.close()
        b.close()


def test_a_sqlite_server_sees_another_process_commit_by_polling_the_head(
    tmp_path: Path,
) -> None:
    path = tmp_path / "shared.sqlite"
    a, b = SqliteStore(path), SqliteStore(path)
    signal = PolledCommits(b, every_s=0.01)
    try:
        wakes = _listening(signal)
        _commit(a, "coalition")
        assert wakes.reach(2)
    finally:
        signal.stop()
        a.close()
        b.close()


def test_one_server_leads_the_deadline_passes_and_another_takes_over_when_it_goes(
    pg_url: str,
) -> None:
    first, second = AdvisoryLeadership(pg_url), AdvisoryLeadership(pg_url)
    try:
        assert first.leads() and first.leads()  # taken, then kept
        assert not second.leads()
        first.close()  # the process ends: its session, and the lock, go with it
        # The server ends the session a moment after the client leaves: ask until it has.
        bound = time.monotonic() + BOUND_S
        while not second.leads():
            assert time.monotonic() < bound, "the lead was never released"
            time.sleep(0.05)
        assert not first.leads()  # the lead is not given back
    finally:
        first.close()
        second.close()


def test_each_backend_gets_its_own_way_of_sharing(pg_url: str, tmp_path: Path) -> None:
    pg, lite = PostgresStore(pg_url), SqliteStore(tmp_path / "one.sqlite")
    try:
        commits, leads = replicas(pg)
        assert isinstance(commits, ListenedCommits) and isinstance(leads, AdvisoryLeadership)
        leads.close()
        commits, leads = replicas(lite)
        assert isinstance(commits, PolledCommits) and isinstance(leads, EveryProcessLeads)
        assert leads.leads()
    finally:
        pg.close()
        lite.close()
