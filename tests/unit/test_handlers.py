"""The use cases over a real (in-memory) SQLite store, on a clock moved by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from deconflict.adapters.sqlite.store import SqliteStore
from deconflict.adapters.volume_index import TimeSlicedIndex
from deconflict.domain.arrangement import Arrangement, DeclarationKind, LineDomain, NoticeKind
from deconflict.domain.conflicts import Conflict, ConflictRule
from deconflict.domain.errors import Conflicting, InvalidInput, NotFound, NotPermitted
from deconflict.domain.geometry import Footprint
from deconflict.domain.lines import Answer, Line, Message, MessageKind
from deconflict.domain.notices import Notice
from deconflict.domain.parties import Role
from deconflict.service import commands as c
from deconflict.service.clock import SimulatedClock
from deconflict.service.handlers import Deconfliction
from deconflict.service.situation import Situation

from .factories import T0, at, volume, window

DEZ = (40.141, 35.336)
NEAR = (40.16, 35.34)  # about 1.8 km east


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(T0)


@pytest.fixture
def mech(clock: SimulatedClock) -> Iterator[Deconfliction]:
    store = SqliteStore(":memory:")
    m = Deconfliction(store, clock, Situation(TimeSlicedIndex))
    m.start()
    for party in ("coalition", "russia"):
        m.handle(
            c.CreateParty(party, party.title(), ("SDF",) if party == "coalition" else ("SAA",))
        )
        m.handle(c.AddMember(f"{party}-officer", party, Role.OFFICER))
        m.handle(c.AddMember(f"{party}-cdr", party, Role.COMMANDER))
        m.handle(c.AddMember(f"{party}-viewer", party, Role.VIEWER))
    m.handle(c.CreateArrangement(Arrangement("A-1", ("coalition", "russia"))))
    for domain in LineDomain:
        m.handle(c.OpenLine(f"L-{domain}", "A-1", domain))
    yield m
    store.close()


def _count(mech: Deconfliction) -> int:
    return len(list(mech._store.entries()))


def _strike(id: str = "N-1", centre: tuple[float, float] = DEZ) -> c.Notify:
    return c.Notify(id, "L-air", NoticeKind.AIR_STRIKE, (volume(Footprint.circle(centre, 1_000)),))


def _position(id: str = "D-1", centre: tuple[float, float] = NEAR) -> c.Declare:
    return c.Declare(id, DeclarationKind.FORCE_POSITION, Footprint.point(centre), window(0, 48))


def test_a_declaration_made_after_a_notice_is_screened_against_it(mech: Deconfliction) -> None:
    assert mech.handle(_strike(), "russia-officer").conflicts == []
    found = mech.handle(_position(), "coalition-officer").conflicts
    assert [(x.rule, x.subject.id, x.other.id) for x in found] == [
        (ConflictRule.DECLARATION_BUFFER, "N-1", "D-1")
    ]


def test_a_notice_whose_every_volume_has_ended_is_refused_and_nothing_is_recorded(
    mech: Deconfliction, clock: SimulatedClock
) -> None:
    # An operation under way may still be notified (late: a short notice).
    clock.move_to(at(11))  # the strike's one volume runs 10:00-12:00
    found = mech.handle(_strike("N-1"), "russia-officer").conflicts
    assert [x.rule for x in found] == [ConflictRule.SHORT_NOTICE]
    clock.move_to(at(12))
    head, line = _count(mech), mech.get(Line, "L-air")
    with pytest.raises(InvalidInput, match="every volume ended before") as refused:
        mech.handle(_strike("N-2"), "russia-officer")
    assert refused.value.field == "volumes"
    assert _count(mech) == head and mech.get(Line, "L-air") == line  # no number taken
    assert mech.get(Notice, "N-2") is None


def test_an_amendment_into_the_past_is_refused_and_the_notice_stays_as_it_was(
    mech: Deconfliction, clock: SimulatedClock
) -> None:
    mech.handle(_strike(), "russia-officer")
    clock.move_to(at(9))
    past = (volume(Footprint.circle(DEZ, 1_000), start_h=6, end_h=8),)
    with pytest.raises(InvalidInput, match="every volume ended before"):
        mech.handle(c.Amend("N-1", past), "russia-officer")
    assert mech.get(Notice, "N-1").version == 1


def test_amending_clears_the_old_versions_conflicts_and_screens_the_new_one(
    mech: Deconfliction, clock: SimulatedClock
) -> None:
    mech.handle(_position(), "coalition-officer")
    first = mech.handle(_strike(), "russia-officer").conflicts
    assert len(first) == 1
    clock.move_to(at(1))
    far = (volume(Footprint.circle((40.5, 35.0), 1_000)),)
    outcome = mech.handle(c.Amend("N-1", far, "moved"), "russia-officer")
    assert outcome.conflicts == []
    kinds = [e.kind for e in outcome.entries]
    assert "conflict.cleared" in kinds and "notice.amended" in kinds
    with mech._store.read() as tx:
        stored = tx.get(Conflict, first[0].id)
    assert stored is not None and stored.cleared_at == at(1)
    assert mech.situation.conflicts_of("notice:N-1") == []


def test_cancelling_clears_conflicts_and_posts_a_cancellation(mech: Deconfliction) -> None:
    mech.handle(_position(), "coalition-officer")
    mech.handle(_strike(), "russia-officer")
    outcome = mech.handle(c.Cancel("N-1", "mission aborted"), "russia-officer")
    assert [e.kind for e in outcome.entries][:3] == [
        "line.numbered",
        "message.cancellation",
        "notice.cancelled",
    ]
    assert "conflict.cleared" in [e.kind for e in outcome.entries]
    assert mech.handle(_position("D-2"), "coalition-officer").conflicts == []


@pytest.mark.parametrize(
    ("command", "actor", "error"),
    [
        (_strike(), "coalition-viewer", NotPermitted),
        (_strike(), "nobody", NotFound),
        (
            c.Notify("N-9", "L-none", NoticeKind.AIR_STRIKE, (volume(Footprint.point(DEZ)),)),
            "russia-officer",
            NotFound,
        ),
        (c.CreateParty("x", "X"), "russia-officer", NotPermitted),
        (
            c.Notify("N-9", "L-air", NoticeKind.ISR, (volume(Footprint.point(DEZ)),), forces="SDF"),
            "russia-officer",
            NotPermitted,
        ),
        (c.Send("L-command", MessageKind.WARNING, "last warning"), "russia-officer", NotPermitted),
        (c.Send("L-air", MessageKind.WARNING, "last warning"), "russia-cdr", InvalidInput),
        (c.Send("L-air", MessageKind.TEXT, "   "), "russia-officer", InvalidInput),
        (c.Acknowledge("L-air", 99, Answer.RECEIVED), "russia-officer", NotFound),
        (
            c.Declare(
                "D-9",
                DeclarationKind.FORCE_POSITION,
                Footprint.point(DEZ),
                window(0, 1),
                forces="SDF",
            ),
            "russia-officer",
            NotPermitted,
        ),
        (
            c.Declare(
                "D-9",
                DeclarationKind.SITE,
                Footprint.point(DEZ),
                window(0, 1),
                disclosed_to=("ghost",),
            ),
            "russia-officer",
            NotFound,
        ),
    ],
)
def test_bad_commands_raise_named_errors_and_write_nothing(
    mech: Deconfliction, command: c.Command, actor: str, error: type[Exception]
) -> None:
    before = _count(mech)
    with pytest.raises(error):
        mech.handle(command, actor)
    assert _count(mech) == before


def test_a_member_cannot_amend_or_cancel_another_partys_notice(mech: Deconfliction) -> None:
    mech.handle(_strike(), "russia-officer")
    before = _count(mech)
    with pytest.raises(NotPermitted):
        mech.handle(c.Cancel("N-1"), "coalition-officer")
    with pytest.raises(NotPermitted):
        mech.handle(c.Amend("N-1", (volume(Footprint.point(DEZ)),)), "coalition-officer")
    assert _count(mech) == before


def test_a_duplicate_notice_id_is_refused_whole(mech: Deconfliction) -> None:
    mech.handle(_strike(), "russia-officer")
    before = _count(mech)
    with pytest.raises(Conflicting):
        mech.handle(_strike(), "russia-officer")
    assert _count(mech) == before


def test_an_objection_needs_a_reason_and_is_recorded_with_it(mech: Deconfliction) -> None:
    mech.handle(_strike(), "russia-officer")
    with pytest.raises(InvalidInput):
        mech.handle(c.Acknowledge("L-air", 1, Answer.OBJECTION), "coalition-officer")
    mech.handle(c.Acknowledge("L-air", 1, Answer.OBJECTION, "SDF in the area"), "coalition-officer")
    with mech._store.read() as tx:
        notice_msg = tx.get(Message, "L-air#1")
        ack_msg = tx.get(Message, "L-air#2")
    assert notice_msg is not None and notice_msg.acknowledgements[0].answer is Answer.OBJECTION
    assert notice_msg.acknowledgements[0].reason == "SDF in the area"
    assert (
        ack_msg is not None
        and ack_msg.kind is MessageKind.ACKNOWLEDGEMENT
        and ack_msg.refers_to == 1
    )


def test_an_unanswered_message_escalates_once_its_deadline_passes(
    mech: Deconfliction, clock: SimulatedClock
) -> None:
    mech.handle(c.Send("L-ground", MessageKind.TEXT, "water released upstream"), "russia-officer")
    clock.move_to(T0 + timedelta(minutes=14, seconds=59))
    assert mech.handle(c.ProcessDeadlines()).entries == []
    clock.move_to(T0 + timedelta(minutes=15))
    kinds = [e.kind for e in mech.handle(c.ProcessDeadlines()).entries]
    assert kinds == ["message.overdue", "line.numbered", "message.escalation"]
    with mech._store.read() as tx:
        escalation = tx.get(Message, "L-command#1")
    assert escalation is not None and escalation.kind is MessageKind.ESCALATION
    assert "L-ground#1" in escalation.text and "coalition" in escalation.text
    clock.move_to(at(5))
    assert "message.escalation" not in [e.kind for e in mech.handle(c.ProcessDeadlines()).entries]


def test_an_answered_message_does_not_escalate(mech: Deconfliction, clock: SimulatedClock) -> None:
    mech.handle(c.Send("L-ground", MessageKind.QUERY, "are these yours?"), "russia-officer")
    mech.handle(c.Send("L-ground", MessageKind.REPLY, "not ours", refers_to=1), "coalition-officer")
    clock.move_to(at(5))
    assert mech.handle(c.ProcessDeadlines()).entries == []


def test_messages_on_a_suspended_line_are_still_recorded_and_flagged(mech: Deconfliction) -> None:
    with pytest.raises(NotPermitted):
        mech.handle(c.SetLineStatus("L-air", True), "russia-officer")
    mech.handle(c.SetLineStatus("L-air", True), "russia-cdr")
    mech.handle(_strike(), "russia-officer")
    with mech._store.read() as tx:
        message = tx.get(Message, "L-air#1")
    assert message is not None and message.on_suspended_line
    mech.handle(c.SetLineStatus("L-air", False), "russia-cdr")
    mech.handle(c.Send("L-air", MessageKind.TEXT, "back"), "russia-officer")
    with mech._store.read() as tx:
        resumed = tx.get(Message, "L-air#2")
    assert resumed is not None and not resumed.on_suspended_line


def test_restart_rebuilds_the_situation_from_the_store(
    mech: Deconfliction, clock: SimulatedClock
) -> None:
    mech.handle(_position(), "coalition-officer")
    fresh = Deconfliction(mech._store, clock, Situation(TimeSlicedIndex))
    fresh.start()
    assert len(fresh.situation) == 1
    assert [x.other.id for x in fresh.handle(_strike(), "russia-officer").conflicts] == ["D-1"]
