"""KML export, read back with a KML library (fastkml): the same ids, coordinates within a
few metres, time spans, styles per party and state, and altitudes where there is a band."""

from __future__ import annotations

import warnings
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from deconflict.adapters.formats.kml import OWN, selection_to_kml
from deconflict.domain.arrangement import DeclarationKind
from deconflict.domain.geometry import GEOD, Footprint, geodesic_distance
from deconflict.domain.measures import ZoneRule
from deconflict.domain.notices import NoticeStatus
from deconflict.domain.volume import UNTIL_FURTHER_NOTICE, AltitudeBand, TimeWindow
from deconflict.service.selection import Selected

from .factories import declaration, notice, river, volume, zone

with warnings.catch_warnings():  # fastkml warns that lxml (pretty printing) is missing
    warnings.simplefilter("ignore")
    from fastkml import kml

CIRCLE = Footprint.circle((40.19, 35.41), 3000)
CORRIDOR = Footprint.corridor([(40.0, 35.0), (40.3, 35.2)], 1000)
SQUARE = Footprint.polygon([(40.0, 35.0), (40.1, 35.0), (40.1, 35.1), (40.0, 35.1)])


def selected() -> Selected:
    cancelled = replace(notice(volume(SQUARE, 0, 6096), id="N-2"), status=NoticeStatus.CANCELLED)
    forever = declaration(CORRIDOR, id="D-2", kind=DeclarationKind.MOVEMENT)
    forever = replace(forever, window=TimeWindow(forever.window.start, UNTIL_FURTHER_NOTICE))
    return Selected(
        party="coalition",
        notices=[notice(volume(CIRCLE, 1000, 6096), id="N-1"), cancelled],
        declarations=[declaration(CIRCLE, id="D-1"), forever],
        measures=[
            zone(SQUARE, ZoneRule.NO_ENTRY, band=AltitudeBand(0, 3000)),
            river([(40.0, 35.0), (40.5, 35.5)]),
        ],
    )


def placemarks(data: bytes) -> dict[str, Any]:
    document = kml.KML.from_string(data).features[0]
    return {_key(pm): pm for folder in document.features for pm in folder.features}


def _key(pm: Any) -> str:
    data = _data(pm)
    return data["id"] + (f"/{data['volume']}" if "volume" in data else "")


def _data(pm: Any) -> dict[str, str]:
    return {d.name: d.value for d in pm.extended_data.elements}


@pytest.fixture(scope="module")
def exported() -> bytes:
    return selection_to_kml(selected())


def test_every_object_comes_back_with_its_id_and_kind(exported: bytes) -> None:
    found = placemarks(exported)
    assert set(found) == {"N-1/0", "N-2/0", "D-1", "D-2", "Z-1", "L-1"}
    assert _data(found["N-1/0"])["kind"] == "notice" and _data(found["Z-1"])["kind"] == "measure"
    document = kml.KML.from_string(exported).features[0]
    assert [f.name for f in document.features] == ["Notices", "Declarations", "Control measures"]


def test_a_circle_is_a_polygon_on_its_radius(exported: bytes) -> None:
    ring = placemarks(exported)["D-1"].geometry.exterior.coords
    lon, lat = CIRCLE.coordinates[0]
    distances = [GEOD.inv(lon, lat, x, y)[2] for x, y, *_ in ring]
    assert len(ring) >= 60
    assert all(abs(d - 3000) < 1.0 for d in distances)


def test_a_corridor_is_its_outline_half_its_width_from_the_path(exported: bytes) -> None:
    ring = placemarks(exported)["D-2"].geometry.exterior.coords
    path = Footprint.line(CORRIDOR.coordinates)
    distances = [geodesic_distance(Footprint.point((x, y)), path) for x, y, *_ in ring]
    assert all(abs(d - 500) < 2.0 for d in distances)


def test_a_polygon_keeps_its_corners_and_a_line_its_path(exported: bytes) -> None:
    found = placemarks(exported)
    corners = {(round(x, 6), round(y, 6)) for x, y, *_ in found["Z-1"].geometry.exterior.coords}
    assert corners == {(x, y) for x, y in SQUARE.coordinates}
    assert [(x, y) for x, y, *_ in found["L-1"].geometry.coords] == [(40.0, 35.0), (40.5, 35.5)]


def test_a_band_puts_the_area_at_its_top_absolute_and_extruded(exported: bytes) -> None:
    found = placemarks(exported)
    notice_ = found["N-1/0"]
    assert {z for *_, z in notice_.geometry.exterior.coords} == {6096.0}
    assert str(notice_.kml_geometry.altitude_mode.value) == "absolute"
    assert notice_.kml_geometry.extrude is True
    assert float(_data(notice_)["lower"]) == 1000 and float(_data(notice_)["upper"]) == 6096
    declared = found["D-1"]  # no band: on the ground
    assert str(declared.kml_geometry.altitude_mode.value) == "clampToGround"
    assert not declared.geometry.has_z


def test_time_spans_begin_and_end_with_the_windows(exported: bytes) -> None:
    found = placemarks(exported)
    span = found["N-1/0"].times
    assert span.begin.dt == datetime(2017, 9, 16, 10, tzinfo=UTC)
    assert span.end.dt == datetime(2017, 9, 16, 12, tzinfo=UTC)
    until_further_notice = found["D-2"].times
    assert until_further_notice.begin.dt == datetime(2017, 9, 16, 0, tzinfo=UTC)
    assert until_further_notice.end is None


def test_styles_by_party_and_state(exported: bytes) -> None:
    document = kml.KML.from_string(exported).features[0]
    styles = {s.id: s for s in document.styles}
    assert set(styles) == {
        "style-russia-active",
        "style-russia-cancelled",
        "style-coalition-active",
        "style-agreed-active",
    }
    found = placemarks(exported)
    assert found["N-1/0"].style_url.url == "#style-russia-active"
    assert found["N-2/0"].style_url.url == "#style-russia-cancelled"
    assert found["D-1"].style_url.url == "#style-coalition-active"  # the reader's own
    assert found["Z-1"].style_url.url == "#style-coalition-active"  # owned by the coalition
    assert found["L-1"].style_url.url == "#style-agreed-active"  # agreed, owned by no party
    own = styles["style-coalition-active"]
    assert own.styles[0].color == OWN  # LineStyle: the reader's own in blue
    active, faded = styles["style-russia-active"], styles["style-russia-cancelled"]
    assert active.styles[0].color[2:] == faded.styles[0].color[2:]  # one colour per party
    assert int(faded.styles[1].color[:2], 16) < int(active.styles[1].color[:2], 16)


def test_an_empty_selection_is_an_empty_document() -> None:
    document = kml.KML.from_string(selection_to_kml(Selected(party="un-desk"))).features[0]
    assert [len(list(f.features)) for f in document.features] == [0, 0, 0]
