"""Cursor-on-Target events: each kind of object and shape, windows as start/stale, deletions,
and every event valid against the published CoT 2.0 event schema."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from deconflict.adapters.formats.cot import (
    CotEvent,
    changes,
    declaration_event,
    document,
    measure_event,
    notice_events,
    picture,
)
from deconflict.domain.geometry import GEOD, Footprint, geodesic_distance
from deconflict.domain.measures import ZoneRule
from deconflict.domain.notices import Notice
from deconflict.domain.volume import UNTIL_FURTHER_NOTICE, AltitudeBand, TimeWindow
from deconflict.service.selection import Selected, Selection

from .factories import at, declaration, notice, river, volume, zone

SCHEMA = xmlschema.XMLSchema(Path(__file__).parents[1] / "data" / "cot-event-2.0.xsd")
NOW = at(9)
EVERYTHING = Selection()

SQUARE = Footprint.polygon([(40.0, 35.0), (40.1, 35.0), (40.1, 35.1), (40.0, 35.1)])
CIRCLE = Footprint.circle((40.2, 35.3), 3000)
CORRIDOR = Footprint.corridor([(40.0, 35.0), (40.3, 35.2)], 4000)


def xml(event: CotEvent) -> ET.Element:
    data = event.xml(NOW)
    SCHEMA.validate(data.decode())
    return ET.fromstring(data)


def vertices(element: ET.Element) -> list[tuple[float, float]]:
    points = [link.attrib["point"] for link in element.iter("link") if "point" in link.attrib]
    return [(float(lat), float(lon)) for lat, lon in (p.split(",") for p in points)]


def test_a_polygon_volume_is_a_closed_freehand_drawing_with_its_band_and_window() -> None:
    [event] = notice_events(notice(volume(SQUARE, 0, 6000, 10, 12), id="N7"), EVERYTHING)
    element = xml(event)
    assert element.get("type") == "u-d-f" and element.get("how") == "h-e"
    assert element.get("uid") == "deconflict.notice.N7.1"
    assert element.get("start") == "2017-09-16T10:00:00.000Z"
    assert element.get("stale") == "2017-09-16T12:00:00.000Z"
    assert element.get("time") == "2017-09-16T09:00:00.000Z"
    corners = vertices(element)
    assert corners[0] == corners[-1] and len(corners) == 5  # closed, as ATAK draws shapes
    assert (35.0, 40.0) in corners and (35.1, 40.1) in corners
    point = element.find("point")
    assert point is not None
    assert float(point.get("hae", 0)) == 3000.0 and float(point.get("le", 0)) == 3000.0
    mark = element.find("detail/__deconflict")
    assert mark is not None
    assert mark.get("kind") == "notice"
    assert (mark.get("party"), mark.get("lower_m"), mark.get("upper_m")) == (
        "russia",
        "0.0",
        "6000.0",
    )
    assert element.find("detail/contact") is not None
    assert "air_strike" in (element.findtext("detail/remarks") or "")


def test_the_point_encloses_the_whole_shape() -> None:
    [event] = notice_events(notice(volume(SQUARE)), EVERYTHING)
    _, _, farthest = GEOD.inv(event.lon, event.lat, 40.1, 35.1)
    assert event.ce >= farthest


def test_a_circle_is_an_ellipse_of_its_radius() -> None:
    [event] = notice_events(notice(volume(CIRCLE)), EVERYTHING)
    element = xml(event)
    assert element.get("type") == "u-d-c-c"
    ellipse = element.find("detail/shape/ellipse")
    assert ellipse is not None
    assert float(ellipse.get("major", 0)) == float(ellipse.get("minor", 0)) == 3000.0
    point = element.find("point")
    assert point is not None and (point.get("lat"), point.get("lon")) == (
        "35.3000000",
        "40.2000000",
    )


def test_a_corridor_is_drawn_as_its_outline() -> None:
    [event] = notice_events(notice(volume(CORRIDOR)), EVERYTHING)
    element = xml(event)
    outline = vertices(element)
    assert element.get("type") == "u-d-f" and outline[0] == outline[-1]
    # Every vertex of the outline lies half the width from the path (round ends included).
    path = Footprint.line(CORRIDOR.coordinates)
    for lat, lon in outline:
        assert geodesic_distance(Footprint.point((lon, lat)), path) == pytest.approx(2000, rel=0.01)


def test_each_volume_is_its_own_shape_and_the_uid_survives_an_amendment() -> None:
    filed = notice(volume(SQUARE, start_h=10, end_h=11), volume(CIRCLE, start_h=11, end_h=12))
    uids = [e.uid for e in notice_events(filed, EVERYTHING)]
    assert uids == ["deconflict.notice.N-1.1", "deconflict.notice.N-1.2"]
    amended = filed.amended((volume(CIRCLE, start_h=10, end_h=13),), at(8), "moved")
    [event] = notice_events(amended, EVERYTHING)
    element = xml(event)
    assert event.uid == uids[0]
    mark = element.find("detail/__deconflict")
    assert mark is not None and (mark.get("version"), mark.get("state")) == ("2", "amended")


def test_a_declaration_point_is_a_spot_marker_and_a_route_an_open_line() -> None:
    site = declaration_event(declaration(Footprint.point((40.5, 35.1)), id="D-site"))
    element = xml(site)
    assert (
        element.get("type") == "b-m-p-s-m" and element.get("uid") == "deconflict.declaration.D-site"
    )
    point = element.find("point")
    assert point is not None and point.get("hae") == "9999999.0"  # no band: unknown
    route = measure_event(river([(40.0, 35.0), (40.2, 35.2), (40.4, 35.3)]))
    element = xml(route)
    path = vertices(element)
    assert element.get("type") == "u-d-f" and len(path) == 3 and path[0] != path[-1]
    assert "deconfliction line" in (element.findtext("detail/remarks") or "")


def test_a_zone_open_until_further_notice_stays_valid_until_the_end_of_time() -> None:
    measure = zone(SQUARE, ZoneRule.NO_ENTRY, band=AltitudeBand(0, 3000))
    measure = type(measure)(
        **{**measure.__dict__, "window": TimeWindow(at(0), UNTIL_FURTHER_NOTICE)}
    )
    element = xml(measure_event(measure))
    assert element.get("stale") == "9999-12-31T00:00:00.000Z"
    assert "UFN" in (element.findtext("detail/remarks") or "")


def test_colours_are_signed_argb_and_by_party() -> None:
    russian = xml(notice_events(notice(volume(SQUARE), party="russia"), EVERYTHING)[0])
    coalition = xml(notice_events(notice(volume(SQUARE), party="coalition"), EVERYTHING)[0])
    colours = [e.find("detail/strokeColor") for e in (russian, coalition)]
    values = [int(c.get("value", "0")) for c in colours if c is not None]
    assert len(set(values)) == 2 and all(-(2**31) <= v < 2**31 for v in values)
    fill = russian.find("detail/fillColor")
    assert fill is not None and (int(fill.get("value", "0")) >> 24) & 0xFF == 0x40


def _picture(*notices: Notice, selection: Selection = EVERYTHING) -> dict[str, CotEvent]:
    return picture(Selected("russia", notices=list(notices)), selection)


def test_a_cancelled_notice_becomes_a_deletion_of_each_of_its_shapes() -> None:
    filed = notice(volume(SQUARE), volume(CIRCLE), id="N7")
    before, after = _picture(filed), _picture()
    moves = [ET.fromstring(m) for m in changes(before, after, NOW)]
    assert [m.get("type") for m in moves] == ["t-x-d-d", "t-x-d-d"]
    for move in moves:
        SCHEMA.validate(ET.tostring(move).decode())
        link = move.find("detail/link")
        assert link is not None and link.get("relation") == "none"
        assert link.get("uid") in before and link.get("type") == before[link.get("uid", "")].type
        assert move.find("detail/__forcedelete") is not None
        assert move.get("uid") != link.get("uid")


def test_only_what_changed_is_sent_again() -> None:
    first = notice(volume(SQUARE), id="N7")
    other = notice(volume(CIRCLE), id="N8")
    before = _picture(first, other)
    assert changes(before, _picture(first, other), NOW) == []
    amended = first.amended((volume(CORRIDOR),), at(8), "")
    moves = [ET.fromstring(m) for m in changes(before, _picture(amended, other), NOW)]
    assert [(m.get("uid"), m.get("type")) for m in moves] == [("deconflict.notice.N7.1", "u-d-f")]


def test_a_volume_whose_window_ended_drops_out_of_the_picture_taken_after_it() -> None:
    filed = notice(volume(SQUARE, start_h=10, end_h=11), volume(CIRCLE, start_h=11, end_h=14))
    before = _picture(filed, selection=Selection(start=at(9)))
    after = _picture(filed, selection=Selection(start=at(12)))
    assert set(before) == {"deconflict.notice.N-1.1", "deconflict.notice.N-1.2"}
    moves = [ET.fromstring(m) for m in changes(before, after, at(12))]
    assert [(m.get("type"), m.find("detail/link").get("uid")) for m in moves] == [  # type: ignore[union-attr]
        ("t-x-d-d", "deconflict.notice.N-1.1")
    ]


def test_an_export_document_holds_each_event_as_tak_streams_it() -> None:
    events = _picture(notice(volume(SQUARE), volume(CIRCLE))).values()
    root = ET.fromstring(document(events, NOW))
    assert root.tag == "events" and len(root) == 2
    for event in root:
        SCHEMA.validate(ET.tostring(event).decode())


def test_the_schema_refuses_what_is_not_a_cot_event() -> None:
    good = notice_events(notice(volume(SQUARE)), EVERYTHING)[0].xml(NOW).decode()
    assert SCHEMA.is_valid(good)
    assert not SCHEMA.is_valid(good.replace('how="h-e"', 'how="-"'))
    assert not SCHEMA.is_valid(good.replace('lat="35.0', 'lat="95.0'))
    assert not SCHEMA.is_valid(good.replace('version="2.0"', 'version="1.1"'))
