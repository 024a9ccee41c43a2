"""Domain objects refuse bad input with the named error and field; lines number their messages."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest

from deconflict.domain.arrangement import Arrangement, DeclarationKind, LineDomain
from deconflict.domain.declarations import Declaration
from deconflict.domain.errors import (
    Conflicting,
    InvalidAltitude,
    InvalidInput,
    InvalidTime,
    NotFound,
    NotPermitted,
)
from deconflict.domain.geometry import Footprint
from deconflict.domain.lines import (
    Acknowledgement,
    Answer,
    Line,
    LineStatus,
    MessageKind,
)
from deconflict.domain.measures import ControlMeasure, MeasureKind, Side, ZoneRule
from deconflict.domain.notices import Notice, NoticeStatus
from deconflict.domain.parties import Member, Party, Role
from deconflict.domain.volume import AltitudeBand, TimeWindow

from .factories import at, declaration, notice, volume, window

DEZ = (40.141, 35.336)


# --- altitude bands ----------------------------------------------------------------------------


@pytest.mark.parametrize(("lower", "upper"), [(1000.0, 1000.0), (1000.0, 999.0), (0.0, -100.0)])
def test_band_whose_top_is_not_above_its_bottom_is_refused_on_upper(
    lower: float, upper: float
) -> None:
    with pytest.raises(InvalidAltitude) as caught:
        AltitudeBand(lower, upper)
    assert caught.value.field == "upper_m"


@pytest.mark.parametrize(
    ("lower", "upper", "field"),
    [
        (math.nan, 1000.0, "lower_m"),
        (0.0, math.nan, "upper_m"),
        (0.0, math.inf, "upper_m"),
        (-math.inf, 0.0, "lower_m"),
    ],
)
def test_band_with_a_non_finite_altitude_is_refused(lower: float, upper: float, field: str) -> None:
    with pytest.raises(InvalidAltitude) as caught:
        AltitudeBand(lower, upper)
    assert caught.value.field == field


def test_band_below_minus_500_m_is_refused_and_minus_500_is_allowed() -> None:
    with pytest.raises(InvalidAltitude) as caught:
        AltitudeBand(-500.5, 0.0)
    assert caught.value.field == "lower_m"
    assert AltitudeBand(-500.0, 0.0).lower_m == -500.0


# --- time windows ------------------------------------------------------------------------------


@pytest.mark.parametrize("end_h", [10.0, 9.0])
def test_window_that_does_not_end_after_it_starts_is_refused_on_end(end_h: float) -> None:
    with pytest.raises(InvalidTime) as caught:
        TimeWindow(at(10), at(end_h))
    assert caught.value.field == "end"


def test_window_with_a_naive_datetime_is_refused() -> None:
    naive = datetime(2017, 9, 16, 10, 0)
    with pytest.raises(InvalidTime) as caught:
        TimeWindow(naive, at(12))
    assert caught.value.field == "start"
    with pytest.raises(InvalidTime) as caught:
        TimeWindow(at(0), naive + timedelta(days=1))
    assert caught.value.field == "end"


# --- identifiers, notices, arrangements --------------------------------------------------------


def test_notice_without_volumes_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        Notice("N-1", "russia", "hotline-air", notice(volume(Footprint.point(DEZ))).kind, (), at(0))
    assert caught.value.field == "volumes"


@pytest.mark.parametrize("bad", ["N 1", " N-1", "N-1 ", "a" * 65, "", "-N1", "N/1"])
def test_identifiers_with_spaces_or_over_64_characters_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        notice(volume(Footprint.point(DEZ)), id=bad)
    assert caught.value.field == "id"


def test_identifier_of_exactly_64_characters_is_accepted() -> None:
    ident = "N" + "-" * 62 + "1"
    assert len(ident) == 64
    assert notice(volume(Footprint.point(DEZ)), id=ident).id == ident


@pytest.mark.parametrize("parties", [("russia",), ("russia", "russia"), ()])
def test_arrangement_binding_fewer_than_two_parties_is_refused(parties: tuple[str, ...]) -> None:
    with pytest.raises(InvalidInput) as caught:
        Arrangement("A-1", parties)
    assert caught.value.field == "parties"


def test_party_without_a_name_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        Party("russia", "   ")
    assert caught.value.field == "name"


# --- permissions -------------------------------------------------------------------------------


def test_officer_of_one_party_cannot_act_for_another() -> None:
    officer = Member("ru-officer", "russia", Role.OFFICER)
    with pytest.raises(NotPermitted):
        officer.require("notify", "coalition")
    officer.require("notify", "russia")  # for its own party it may


def test_viewer_cannot_send() -> None:
    viewer = Member("ru-viewer", "russia", Role.VIEWER)
    with pytest.raises(NotPermitted):
        viewer.require("send")
    with pytest.raises(NotPermitted):
        viewer.require("send", "russia")


@pytest.mark.parametrize(
    ("role", "permission", "allowed"),
    [
        (Role.COMMANDER, "command", True),
        (Role.OFFICER, "command", False),
        (Role.OFFICER, "send", True),
        (Role.ADMIN, "send", False),
        (Role.ADMIN, "administer", True),
    ],
)
def test_each_role_has_only_its_permissions(role: Role, permission: str, allowed: bool) -> None:
    member = Member("m-1", "russia", role)
    if allowed:
        member.require(permission)
    else:
        with pytest.raises(NotPermitted):
            member.require(permission)


# --- lines and messages ------------------------------------------------------------------------

RU = Member("ru-officer", "russia", Role.OFFICER)
US = Member("us-officer", "coalition", Role.OFFICER)
TR = Member("tr-officer", "turkey", Role.OFFICER)
DEADLINE = timedelta(minutes=15)


def hotline(status: LineStatus = LineStatus.ACTIVE) -> Line:
    return Line(
        "hotline-air", "A-1", LineDomain.AIR, ("russia", "coalition", "turkey"), DEADLINE, status
    )


def ack(member: Member, number: int, answer: Answer = Answer.RECEIVED) -> Acknowledgement:
    return Acknowledgement(member.party, member.id, at(1), answer, number)


def test_line_numbers_messages_one_two_three() -> None:
    line = hotline()
    numbers = []
    for kind in (MessageKind.NOTICE, MessageKind.TEXT, MessageKind.QUERY):
        line, message = line.post(kind, RU, at(1))
        numbers.append(message.number)
        assert message.id == f"hotline-air#{message.number}"
        assert not message.on_suspended_line
    assert numbers == [1, 2, 3]
    assert line.last_number == 3


def test_message_on_a_suspended_line_is_recorded_and_flagged() -> None:
    line = hotline().with_status(LineStatus.SUSPENDED)
    line, message = line.post(MessageKind.WARNING, US, at(2))
    assert message.on_suspended_line
    assert message.number == 1 and line.last_number == 1
    line = line.with_status(LineStatus.ACTIVE)
    _, after = line.post(MessageKind.TEXT, US, at(3))
    assert not after.on_suspended_line and after.number == 2


def test_setting_a_line_to_its_current_status_conflicts() -> None:
    with pytest.raises(Conflicting):
        hotline().with_status(LineStatus.ACTIVE)


def test_a_line_joining_one_party_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        Line("hotline-air", "A-1", LineDomain.AIR, ("russia", "russia"), DEADLINE)
    assert caught.value.field == "parties"


def test_a_line_a_party_is_not_on_does_not_exist_for_it() -> None:
    line = Line("hotline-air", "A-1", LineDomain.AIR, ("russia", "coalition"), DEADLINE)
    with pytest.raises(NotFound, match="no line 'hotline-air'"):
        line.post(MessageKind.TEXT, TR, at(1))


@pytest.mark.parametrize("kind", [MessageKind.ACKNOWLEDGEMENT, MessageKind.REPLY])
def test_answers_have_no_deadline_and_await_nobody(kind: MessageKind) -> None:
    _, message = hotline().post(kind, US, at(1), refers_to=1)
    assert message.deadline is None
    assert message.awaiting(hotline().parties) == ()


@pytest.mark.parametrize(
    "kind",
    [k for k in MessageKind if k not in (MessageKind.ACKNOWLEDGEMENT, MessageKind.REPLY)],
)
def test_other_messages_are_due_an_answer_by_sent_at_plus_the_ack_deadline(
    kind: MessageKind,
) -> None:
    _, message = hotline().post(kind, RU, at(1))
    assert message.deadline == at(1) + DEADLINE


def test_awaiting_lists_the_other_parties_that_have_not_yet_answered() -> None:
    _, message = hotline().post(MessageKind.NOTICE, RU, at(1))
    parties = hotline().parties
    assert message.awaiting(parties) == ("coalition", "turkey")
    message = message.acknowledged(ack(US, 2, Answer.NO_OBJECTION))
    assert message.awaiting(parties) == ("turkey",)
    message = message.acknowledged(ack(TR, 3))
    assert message.awaiting(parties) == ()


def test_a_party_cannot_answer_the_same_message_twice() -> None:
    _, message = hotline().post(MessageKind.NOTICE, RU, at(1))
    message = message.acknowledged(ack(US, 2))
    second_member = Member("us-other", "coalition", Role.COMMANDER)
    with pytest.raises(Conflicting):
        message.acknowledged(ack(second_member, 3, Answer.OBJECTION))
    assert len(message.acknowledgements) == 1


def test_a_party_cannot_acknowledge_its_own_message() -> None:
    _, message = hotline().post(MessageKind.NOTICE, RU, at(1))
    colleague = Member("ru-other", "russia", Role.COMMANDER)
    with pytest.raises(NotPermitted):
        message.acknowledged(ack(colleague, 2))


def test_an_answer_cannot_itself_be_acknowledged() -> None:
    _, reply = hotline().post(MessageKind.REPLY, RU, at(1), refers_to=1)
    with pytest.raises(Conflicting):
        reply.acknowledged(ack(US, 2))


# --- notices and declarations ------------------------------------------------------------------


def test_amending_or_cancelling_a_cancelled_notice_conflicts() -> None:
    original = notice(volume(Footprint.point(DEZ)))
    cancelled = original.cancelled(at(1))
    assert cancelled.status is NoticeStatus.CANCELLED and cancelled.version == 2
    with pytest.raises(Conflicting):
        cancelled.amended(original.volumes, at(2), "again")
    with pytest.raises(Conflicting):
        cancelled.cancelled(at(2))


def test_amendment_is_a_new_version_keeping_the_first_filing_time() -> None:
    original = notice(volume(Footprint.point(DEZ)), filed_h=0)
    amended = original.amended((volume(Footprint.circle(DEZ, 1_000)),), at(2), "wider")
    assert (amended.version, amended.filed_at, amended.first_filed_at) == (2, at(2), at(0))


def test_movement_declared_at_a_point_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        declaration(Footprint.point(DEZ), kind=DeclarationKind.MOVEMENT)
    assert caught.value.field == "footprint"


def test_movement_declared_as_a_corridor_is_accepted() -> None:
    route = Footprint.corridor([DEZ, (40.3, 35.4)], 2_000)
    made = declaration(route, kind=DeclarationKind.MOVEMENT)
    assert isinstance(made, Declaration) and made.footprint == route


def test_withdrawing_a_withdrawn_declaration_conflicts() -> None:
    withdrawn = declaration(Footprint.point(DEZ)).withdrawn_copy()
    assert not withdrawn.active
    with pytest.raises(Conflicting):
        withdrawn.withdrawn_copy()


# --- control measures --------------------------------------------------------------------------


def _zone(**changes: object) -> ControlMeasure:
    base = {
        "id": "Z-1",
        "arrangement": "A-1",
        "kind": MeasureKind.ZONE,
        "name": "zone",
        "footprint": Footprint.circle(DEZ, 5_000),
        "window": window(0, 48),
        "rule": ZoneRule.NO_ENTRY,
    }
    return ControlMeasure(**(base | changes))  # type: ignore[arg-type]


def _line(path: list[tuple[float, float]], **changes: object) -> ControlMeasure:
    base = {
        "id": "L-1",
        "arrangement": "A-1",
        "kind": MeasureKind.DECONFLICTION_LINE,
        "name": "line",
        "footprint": Footprint.line(path),
        "window": window(0, 48),
        "sides": {"coalition": Side.LEFT, "russia": Side.RIGHT},
    }
    return ControlMeasure(**(base | changes))  # type: ignore[arg-type]


def test_zone_without_a_rule_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        _zone(rule=None)
    assert caught.value.field == "rule"


def test_zone_drawn_as_a_point_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        _zone(footprint=Footprint.point(DEZ))
    assert caught.value.field == "footprint"


def test_deconfliction_line_without_sides_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        _line([(40.0, 35.0), (40.0, 35.5)], sides={})
    assert caught.value.field == "sides"


@pytest.mark.parametrize("reach", [0.0, -1.0, math.nan])
def test_deconfliction_line_needs_a_positive_reach(reach: float) -> None:
    with pytest.raises(InvalidInput) as caught:
        _line([(40.0, 35.0), (40.0, 35.5)], reach_m=reach)
    assert caught.value.field == "reach_m"


def test_north_running_line_has_west_on_its_left_and_east_on_its_right() -> None:
    line = _line([(40.0, 35.0), (40.0, 35.5)])
    assert line.side_of((39.9, 35.25)) is Side.LEFT
    assert line.side_of((40.1, 35.25)) is Side.RIGHT
    # Beyond the ends, judged by the nearest segment all the same.
    assert line.side_of((39.99, 36.0)) is Side.LEFT
    assert line.side_of((40.01, 34.9)) is Side.RIGHT


def test_reversing_the_line_swaps_its_sides() -> None:
    south = _line([(40.0, 35.5), (40.0, 35.0)])
    assert south.side_of((39.9, 35.25)) is Side.RIGHT
    assert south.side_of((40.1, 35.25)) is Side.LEFT


def test_side_of_a_bent_line_follows_its_nearest_segment() -> None:
    # North, then east: a point north of the second leg is on its left.
    bent = _line([(40.0, 35.0), (40.0, 35.5), (40.5, 35.5)])
    assert bent.side_of((40.3, 35.6)) is Side.LEFT
    assert bent.side_of((40.3, 35.4)) is Side.RIGHT
    assert bent.side_of((39.9, 35.1)) is Side.LEFT
