"""Group commit at the service: many commands, one transaction, each all or nothing on its own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from deconflict.adapters.sqlite.store import SqliteStore
from deconflict.adapters.volume_index import TimeSlicedIndex
from deconflict.domain.arrangement import Arrangement, DeclarationKind, LineDomain, NoticeKind
from deconflict.domain.chain import verify_chain
from deconflict.domain.conflicts import ConflictRule
from deconflict.domain.errors import (
    BatchRejected,
    Conflicting,
    DeconflictError,
    InvalidInput,
    NotFound,
)
from deconflict.domain.geometry import Footprint
from deconflict.domain.notices import Notice
from deconflict.domain.parties import Member, Role
from deconflict.service import commands as c
from deconflict.service.clock import SimulatedClock
from deconflict.service.handlers import Deconfliction, Outcome, Request
from deconflict.service.ports import Transaction
from deconflict.service.situation import Situation

from .factories import T0, volume, window

DEZ = (40.141, 35.336)
NEAR = (40.16, 35.34)  # about 1.8 km east


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(T0)


@pytest.fixture
def store() -> Iterator[SqliteStore]:
    s = SqliteStore(":memory:")
    yield s
    s.close()


@pytest.fixture
def mech(store: SqliteStore, clock: SimulatedClock) -> Deconfliction:
    m = Deconfliction(store, clock, Situation(TimeSlicedIndex))
    m.start()
    for party in ("coalition", "russia"):
        m.handle(c.CreateParty(party, party.title()))
        m.handle(c.AddMember(f"{party}-officer", party, Role.OFFICER))
    m.handle(c.CreateArrangement(Arrangement("A-1", ("coalition", "russia"))))
    m.handle(c.OpenLine("L-air", "A-1", LineDomain.AIR))
    return m


def _strike(id: str, line: str = "L-air") -> c.Notify:
    return c.Notify(id, line, NoticeKind.AIR_STRIKE, (volume(Footprint.circle(DEZ, 1_000)),))


def _position(id: str = "D-1") -> c.Declare:
    return c.Declare(id, DeclarationKind.FORCE_POSITION, Footprint.point(NEAR), window(0, 48))


@pytest.mark.parametrize(
    ("middle", "actor", "error", "absent"),
    [
        (_strike("N-2", line="L-none"), "russia-officer", NotFound, (Notice, "N-2")),
        (_strike("N-1"), "coalition-officer", Conflicting, None),  # the same id again
        # records its member, then fails on the credential: the savepoint undoes the record
        (
            c.AddMember("russia-2", "russia", Role.OFFICER, token_sha256="short"),
            "system",
            InvalidInput,
            (Member, "russia-2"),
        ),
    ],
)
def test_a_failing_command_is_undone_alone_and_the_log_stays_whole(
    mech: Deconfliction,
    store: SqliteStore,
    middle: c.Command,
    actor: str,
    error: type[DeconflictError],
    absent: tuple[type[Any], str] | None,
) -> None:
    head = store.head()
    first, failed, last = mech.handle_all(
        [
            Request(_strike("N-1"), "russia-officer"),
            Request(middle, actor),
            Request(_position(), "coalition-officer"),
        ]
    )
    assert isinstance(failed.error, error) and failed.outcome is None
    with pytest.raises(error):
        failed.result()
    assert first.error is None and last.error is None
    assert first.outcome is not None and last.outcome is not None
    recorded = first.outcome.entries + last.outcome.entries
    entries = list(store.entries())
    assert [e.seq for e in entries[head:]] == list(range(head + 1, head + 1 + len(recorded)))
    assert [e.hash for e in entries[head:]] == [e.hash for e in recorded]
    assert verify_chain(entries) == []
    # the last command saw the first: the declaration is screened against the notice
    assert [(x.subject.id, x.other.id) for x in last.outcome.conflicts] == [("N-1", "D-1")]
    with store.read() as tx:
        assert absent is None or tx.get(*absent) is None
        assert tx.get(Notice, "N-1").party == "russia"  # type: ignore[union-attr]
    live = mech.situation.get("notice:N-1")
    assert live is not None and live.party == "russia"
    assert len(mech.situation) == 2  # N-1 and D-1 only


def test_two_notices_in_one_batch_are_screened_against_each_other(mech: Deconfliction) -> None:
    first, second = mech.handle_all(
        [Request(_strike("N-1"), "coalition-officer"), Request(_strike("N-2"), "russia-officer")]
    )
    assert first.result().conflicts == []
    found = second.result().conflicts
    assert [(x.rule, x.subject.id, x.other.id) for x in found] == [
        (ConflictRule.AIR_SEPARATION, "N-2", "N-1")
    ]
    assert [x.id for x in mech.situation.conflicts_of("notice:N-1")] == [found[0].id]


def test_unless_answers_instead_and_then_sees_what_the_batch_remembered(
    mech: Deconfliction, store: SqliteStore
) -> None:
    seen: list[Outcome] = []

    def remember(outcome: Outcome, tx: Transaction) -> str:
        seen.append(outcome)
        assert mech.situation.get("notice:N-1") is not None  # live before ``then`` runs
        tx.remember("russia-officer", "key-1", "sha", 201, outcome.result.id, "2017-09-16")
        return "filed"

    def recall(tx: Transaction) -> Any:
        return tx.recall("russia-officer", "key-1")

    head = store.head()
    filed, retried, skipped = mech.handle_all(
        [
            Request(_strike("N-1"), "russia-officer", unless=recall, then=remember),
            # the same request again: answered from what the first remembered, not run (it
            # would fail as a duplicate if it were)
            Request(_strike("N-1"), "russia-officer", unless=recall, then=remember),
            Request(_strike("N-3"), "russia-officer", unless=lambda tx: "kept"),
        ]
    )
    assert filed.answer == "filed" and filed.outcome is not None
    assert seen == [filed.outcome]
    assert retried.error is None and retried.outcome is None
    assert retried.answer == ("sha", 201, "N-1")
    assert skipped.answer == "kept" and skipped.outcome is None
    assert store.head() == head + len(filed.outcome.entries)
    assert mech.situation.get("notice:N-3") is None
    with store.read() as tx:
        assert tx.get(Notice, "N-3") is None
        assert tx.recall("russia-officer", "key-1") == ("sha", 201, "N-1")


class _CommitFails:
    """A store whose commits fail: the block runs, then an error rolls the transaction back."""

    def __init__(self, real: SqliteStore) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with self._real.transaction() as tx:
            yield tx
            raise OSError("disk I/O error")


def _fail_a_commit(mech: Deconfliction, store: SqliteStore, clock: SimulatedClock) -> Deconfliction:
    """D-1 committed; then N-1 (which conflicts with it) filed through a commit that fails."""
    mech.handle(_position(), "coalition-officer")
    failing = Deconfliction(_CommitFails(store), clock, Situation(TimeSlicedIndex))  # type: ignore[arg-type]
    failing.start()
    head = store.head()
    with pytest.raises(OSError, match="disk I/O error"):
        failing.handle_all([Request(_strike("N-1"), "russia-officer")])
    assert store.head() == head
    return failing


def test_a_failed_commit_records_nothing_and_rebuilds_the_situation(
    mech: Deconfliction, store: SqliteStore, clock: SimulatedClock
) -> None:
    failing = _fail_a_commit(mech, store, clock)
    with store.read() as tx:
        assert tx.get(Notice, "N-1") is None
    assert failing.situation.get("notice:N-1") is None
    assert failing.situation.get("declaration:D-1") is not None  # rebuilt, not emptied


def test_a_failed_commit_leaves_no_conflict_in_the_situation(
    mech: Deconfliction, store: SqliteStore, clock: SimulatedClock
) -> None:
    failing = _fail_a_commit(mech, store, clock)
    assert failing.situation.conflicts_of("declaration:D-1") == []


def test_a_batch_taken_together_is_recorded_whole_and_screened_within_itself(
    mech: Deconfliction, store: SqliteStore
) -> None:
    head = store.head()
    first, second = mech.handle_together(
        [Request(_strike("N-1"), "coalition-officer"), Request(_position(), "russia-officer")]
    )
    assert [(x.subject.id, x.other.id) for x in second.conflicts] == [("N-1", "D-1")]
    assert store.head() == head + len(first.entries) + len(second.entries)
    assert verify_chain(list(store.entries())) == []


def test_one_bad_command_rejects_the_whole_batch_and_names_its_place(
    mech: Deconfliction, store: SqliteStore
) -> None:
    head = store.head()
    with pytest.raises(BatchRejected) as rejected:
        mech.handle_together(
            [
                Request(_strike("N-1"), "coalition-officer"),
                Request(_position(), "russia-officer"),
                Request(_strike("N-3", line="L-none"), "coalition-officer"),
            ]
        )
    assert rejected.value.index == 2
    assert isinstance(rejected.value.cause, NotFound) and rejected.value.code == "not_found"
    assert store.head() == head
    with store.read() as tx:
        assert tx.get(Notice, "N-1") is None
    # the live situation holds nothing of the rejected batch: a later notice meets nothing
    assert mech.situation.get("notice:N-1") is None
    assert mech.handle(_strike("N-4"), "russia-officer").conflicts == []


def test_a_dry_run_of_a_batch_screens_it_and_records_nothing(
    mech: Deconfliction, store: SqliteStore
) -> None:
    mech.handle(_position(), "russia-officer")
    head = store.head()
    (preview,) = mech.handle_together(
        [Request(_strike("N-1"), "coalition-officer")], dry_run=True
    )
    assert [(x.subject.id, x.other.id) for x in preview.conflicts] == [("N-1", "D-1")]
    assert store.head() == head and mech.situation.get("notice:N-1") is None
