"""Several processes on one store (SQLite and PostgreSQL): each one's live situation follows what the others recorded
before it writes, so a conflict between notices filed through different processes is found."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from deconflict.adapters.postgres.store import PostgresStore
from deconflict.adapters.sqlite.store import SqliteStore
from deconflict.adapters.volume_index import TimeSlicedIndex
from deconflict.domain.arrangement import Arrangement, LineDomain, NoticeKind
from deconflict.domain.geometry import Footprint
from deconflict.domain.parties import Role
from deconflict.service import commands as c
from deconflict.service.clock import SimulatedClock
from deconflict.service.handlers import Deconfliction
from deconflict.service.ports import Store
from deconflict.service.situation import Situation

from ..unit.factories import T0, volume
from .test_store_contract import _pg_database

DEZ = (40.141, 35.336)


def _mechanism(store: Store) -> Deconfliction:
    """What one server process holds: its own connection pool and its own live situation."""
    m = Deconfliction(store, SimulatedClock(T0), Situation(TimeSlicedIndex))
    m.start()
    return m


@contextmanager
def _stores(backend: str, tmp_path: Path) -> Iterator[Callable[[], Store]]:
    """Opens a new connection pool on one shared store, as each process would."""
    if backend == "sqlite":
        yield lambda: SqliteStore(tmp_path / "shared.sqlite")
        return
    with _pg_database() as url:
        yield lambda: PostgresStore(url)


@pytest.fixture(params=["sqlite", "postgres"])
def two(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Deconfliction, Deconfliction]]:
    with _stores(request.param, tmp_path) as open_store:
        first = _mechanism(open_store())
        for party in ("coalition", "russia"):
            first.handle(c.CreateParty(party, party.title(), ()))
            first.handle(c.AddMember(f"{party}-officer", party, Role.OFFICER))
        first.handle(c.CreateArrangement(Arrangement("A-1", ("coalition", "russia"))))
        first.handle(c.OpenLine("L-air", "A-1", LineDomain.AIR))
        second = _mechanism(open_store())
        yield first, second
        for m in (first, second):
            m._store.close()


def _strike(id: str) -> c.Notify:
    return c.Notify(id, "L-air", NoticeKind.AIR_STRIKE, (volume(Footprint.circle(DEZ, 1_000)),))


def test_a_process_follows_what_another_recorded_before_it_screens(
    two: tuple[Deconfliction, Deconfliction],
) -> None:
    first, second = two
    first.handle(c.OpenLine("L-ground", "A-1", LineDomain.GROUND))  # after second started
    first.handle(_strike("N-co"), "coalition-officer")
    outcome = second.handle(_strike("N-ru"), "russia-officer")
    assert [(x.subject.id, x.other.id) for x in outcome.conflicts] == [("N-ru", "N-co")]
    assert second.situation.get("notice:N-co") is not None
    # ... and the first, in turn, follows the second's notice and conflict before writing.
    first.handle(c.Cancel("N-co", "called off"), "coalition-officer")
    assert first.situation.conflicts_of("notice:N-co") == []
    assert first.situation.get("notice:N-ru") is not None


def test_notices_filed_at_once_through_two_processes_always_meet(
    two: tuple[Deconfliction, Deconfliction],
) -> None:
    first, second = two
    trials, missed = 1_000, []

    def file(
        start: threading.Barrier, found: dict[str, set[str]], m: Deconfliction, party: str, id: str
    ) -> None:
        start.wait()
        found[id] = {x.other.id for x in m.handle(_strike(id), f"{party}-officer").conflicts}

    for trial in range(trials):
        start = threading.Barrier(2)
        found: dict[str, set[str]] = {}
        ids = (f"co-{trial}", f"ru-{trial}")
        threads = [
            threading.Thread(target=file, args=(start, found, first, "coalition", ids[0])),
            threading.Thread(target=file, args=(start, found, second, "russia", ids[1])),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # Whichever was written second found the other.
        if ids[1] not in found[ids[0]] and ids[0] not in found[ids[1]]:
            missed.append(trial)
        first.handle(c.Cancel(ids[0], "trial over"), "coalition-officer")
        second.handle(c.Cancel(ids[1], "trial over"), "russia-officer")
    assert missed == []
