"""Each element of a finding, positive and negative, on hand-built records."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from pyproj import Geod

from deconflict.domain.arrangement import LineDomain
from deconflict.domain.findings import Evidence, LineChange, find
from deconflict.domain.geometry import Footprint
from deconflict.domain.incidents import Incident, IncidentKind, LadderStep, Rung
from deconflict.domain.lines import Acknowledgement, Answer, Line, Message, MessageKind
from deconflict.domain.measures import ZoneRule

from .factories import at, declaration, notice, river, volume, window, zone

GEOD = Geod(ellps="WGS84")
PLACE = (40.21, 35.40)


def east(metres: float) -> tuple[float, float]:
    lon, lat, _ = GEOD.fwd(PLACE[0], PLACE[1], 90, metres)
    return (lon, lat)


def incident(**changes: object) -> Incident:
    base = Incident(
        "I-1",
        IncidentKind.STRIKE_ON_FORCES,
        "coalition",
        window(10, 12),
        Footprint.circle(PLACE, 1_000),
        at(12.5),
        ("coalition",),
        ("russia",),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def kinds(evidence: Evidence, inc: Incident | None = None) -> list[str]:
    return [f.kind for f in find(inc or incident(), evidence)]


def test_a_notice_covering_the_place_is_listed_with_its_lead_time_and_answers() -> None:
    strike = notice(volume(Footprint.circle(PLACE, 3_000)), filed_h=8.5)
    message = Message(
        "hotline-air",
        3,
        MessageKind.NOTICE,
        "russia",
        "russia-air",
        at(8.5),
        notice="N-1",
        deadline=at(8.75),
        acknowledgements=(
            Acknowledgement("coalition", "coalition-air", at(8.67), Answer.RECEIVED, 4),
        ),
    )
    [fact] = find(incident(), Evidence(notices=[(strike, 27)], messages=[(message, 30)]))[:1]
    assert (fact.kind, fact.seq, fact.data["notice"], fact.data["lead_min"]) == (
        "notice_covering",
        27,
        "N-1",
        90,
    )
    assert fact.data["acknowledgements"][0]["party"] == "coalition"
    assert fact.data["acknowledgements"][0]["answer"] == "received"


def test_a_notice_of_another_time_is_not_listed() -> None:
    later = notice(volume(Footprint.circle(PLACE, 3_000), start_h=12, end_h=14))
    assert kinds(Evidence(notices=[(later, 1)])) == []


def test_the_alleged_partys_notice_given_nine_km_off_is_listed_with_its_offset() -> None:
    off = notice(volume(Footprint.point(east(10_000))))  # 9 km from the 1 km uncertainty circle
    [fact] = find(incident(), Evidence(notices=[(off, 5)]))
    assert fact.kind == "notice_nearby" and abs(fact.data["offset_m"] - 9_000) < 10
    other_party = notice(volume(Footprint.point(east(10_000))), party="turkey")
    assert kinds(Evidence(notices=[(other_party, 6)])) == []  # only the alleged party's near misses
    too_far = notice(volume(Footprint.point(east(30_000))))
    assert kinds(Evidence(notices=[(too_far, 7)])) == []


def test_declarations_near_say_when_they_were_made_and_who_could_see_them() -> None:
    hidden = declaration(Footprint.point(east(1_500)), id="D-hidden", start_h=9.5)  # declared late
    shown = declaration(Footprint.point(east(3_000)), id="D-shown", disclosed_to=("russia",))
    far = declaration(Footprint.point(east(20_000)), id="D-far")
    facts = find(incident(), Evidence(declarations=[(hidden, 11), (shown, 12), (far, 13)]))
    by_id = {f.data["declaration"]: f for f in facts}
    assert set(by_id) == {"D-hidden", "D-shown"}
    assert by_id["D-hidden"].data["visible_to_alleged"] == {"russia": False}
    assert by_id["D-hidden"].data["declared_at"] == at(9.5).isoformat()
    assert abs(by_id["D-hidden"].data["distance_m"] - 500) < 5
    assert by_id["D-shown"].data["visible_to_alleged"] == {"russia": True}


def test_an_overdue_acknowledgement_around_the_incident_is_listed() -> None:
    base = Message(
        "hotline-air",
        7,
        MessageKind.TEXT,
        "coalition",
        "c",
        at(9),
        text="SDF moving",
        deadline=at(9.25),
    )
    overdue = replace(base, overdue_at=at(9.5))
    long_before = replace(base, overdue_at=at(2))
    assert kinds(Evidence(messages=[(overdue, 40)])) == ["overdue"]
    assert kinds(Evidence(messages=[(long_before, 41)])) == []
    assert kinds(Evidence(messages=[(base, 42)])) == []


def test_a_stop_request_is_listed_with_when_it_was_answered() -> None:
    stop = Message(
        "hotline-air",
        5,
        MessageKind.STOP_REQUEST,
        "coalition",
        "c",
        at(10.67),
        text="stop",
        deadline=at(10.9),
        acknowledgements=(Acknowledgement("russia", "r", at(10.83), Answer.RECEIVED, 6),),
    )
    [fact] = find(incident(), Evidence(messages=[(stop, 38)]))
    assert fact.kind == "stop_request" and "russia received" in fact.summary
    days_later = replace(stop, sent_at=at(40))
    assert kinds(Evidence(messages=[(days_later, 39)])) == []


def test_entering_a_zone_and_the_wrong_side_of_a_line_are_listed() -> None:
    inside = zone(Footprint.circle(PLACE, 5_000), ZoneRule.NO_ENTRY)
    elsewhere = zone(Footprint.circle(east(50_000), 5_000), ZoneRule.NO_ENTRY)
    assert kinds(Evidence(measures=[(inside, 3)])) == ["zone_entered"]
    assert kinds(Evidence(measures=[(elsewhere, 3)])) == []
    # A north-running line through 40.141 E: the place (40.21 E) is on its right, Russia's side.
    line = river([(40.141, 35.0), (40.141, 35.8)])
    assert kinds(Evidence(measures=[(line, 4)])) == []
    [beyond] = find(incident(alleged=("coalition",)), Evidence(measures=[(line, 4)]))
    assert beyond.kind == "line_side" and beyond.data["alleged_beyond"] == ["coalition"]


def test_queries_replies_and_warnings_linked_to_the_incident_are_listed() -> None:
    query = Message(
        "hotline-ground",
        5,
        MessageKind.QUERY,
        "russia",
        "r",
        at(30),
        text="yours?",
        incident="I-1",
        deadline=at(30.5),
    )
    unrelated = replace(query, incident="I-2")
    assert kinds(Evidence(messages=[(query, 70), (unrelated, 71)])) == ["linked_query"]


def test_a_finding_is_facts_in_a_stable_order_each_with_its_sequence_number() -> None:
    strike = notice(volume(Footprint.circle(PLACE, 3_000)))
    decl = declaration(Footprint.point(PLACE))
    facts = find(incident(), Evidence(notices=[(strike, 27)], declarations=[(decl, 16)]))
    assert [(f.kind, f.seq) for f in facts] == [("notice_covering", 27), ("declaration_near", 16)]
    assert all("guilty" not in f.summary and "violat" not in f.summary for f in facts)


def test_ladder_steps_in_the_zone_or_linked_to_the_incident_are_listed() -> None:
    tanf = replace(zone(Footprint.circle(PLACE, 5_000), ZoneRule.NO_ENTRY), id="tanf")
    step = LadderStep("S-1", "tanf", "coalition", Rung.WARNING_SHOTS, at(10.5), text="flares fired")
    later = replace(step, id="S-2", at=at(30))
    linked = replace(later, id="S-3", incident="I-1")
    facts = find(
        incident(), Evidence(measures=[(tanf, 1)], ladder=[(step, 50), (later, 51), (linked, 52)])
    )
    assert [(f.kind, f.seq, f.data.get("rung")) for f in facts if f.kind == "ladder_step"] == [
        ("ladder_step", 50, "warning_shots"),
        ("ladder_step", 52, "warning_shots"),
    ]


def test_a_line_suspended_around_the_incident_is_listed() -> None:
    line = Line(
        "hotline-air", "A-1", LineDomain.AIR, ("russia", "coalition"), timedelta(minutes=15)
    )
    other = Line("hotline-x", "A-2", LineDomain.AIR, ("turkey", "iran"), timedelta(minutes=15))
    changes = [
        LineChange(line, True, at(9), 60),
        LineChange(line, False, at(40), 61),
        LineChange(other, True, at(10), 62),
    ]
    facts = find(incident(), Evidence(line_changes=changes))
    assert [(f.kind, f.seq) for f in facts] == [("line_suspended", 60)]


def test_a_reply_about_a_covering_notice_is_part_of_its_finding() -> None:
    strike = notice(volume(Footprint.circle(PLACE, 3_000)))
    reply = Message(
        "hotline-air",
        9,
        MessageKind.REPLY,
        "russia",
        "r",
        at(13),
        text="not ours",
        refers_to=8,
        notice="N-1",
    )
    about_other = replace(reply, notice="N-7")
    facts = find(
        incident(), Evidence(notices=[(strike, 27)], messages=[(reply, 80), (about_other, 81)])
    )
    assert [(f.kind, f.seq) for f in facts] == [("notice_covering", 27), ("linked_reply", 80)]
