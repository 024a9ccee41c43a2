"""ASTM F3548 Volume4D: an operation's volumes in as a notice (shapes, altitude references and
units, RFC 3339 times, every bad volume reported) and a notice's volumes out; and the
vertical datums behind them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from shapely.geometry import Polygon

from deconflict.adapters.formats.altitude import from_msl, to_msl
from deconflict.adapters.formats.f3548 import (
    POINT_RADIUS_M,
    NoticeFields,
    notices_to_f3548,
    notify_from_f3548,
    volume_to_f3548,
    volumes_from_f3548,
)
from deconflict.domain.arrangement import NoticeKind
from deconflict.domain.errors import InvalidAltitude, InvalidDocument, InvalidInput
from deconflict.domain.geometry import GEOD, Footprint, Shape, geodesic_distance
from deconflict.domain.volume import AltitudeBand

from .factories import notice, volume

FIELDS = NoticeFields("op-1", "hotline-air", "isr")


def altitude(value: float, reference: str = "W84", units: str = "M") -> dict[str, Any]:
    return {"value": value, "reference": reference, "units": units}


def time(value: str) -> dict[str, str]:
    return {"value": value, "format": "RFC3339"}


def volume4d(outline: dict[str, Any], lower: Any = None, upper: Any = None) -> dict[str, Any]:
    return {
        "volume": outline
        | {
            "altitude_lower": lower or altitude(100.0),
            "altitude_upper": upper or altitude(400.0),
        },
        "time_start": time("2030-01-01T10:00:00Z"),
        "time_end": time("2030-01-01T10:30:00.5Z"),
    }


CIRCLE = {
    "outline_circle": {
        "center": {"lat": 35.41, "lng": 40.19},
        "radius": {"value": 300.0, "units": "M"},
    }
}
POLYGON = {
    "outline_polygon": {
        "vertices": [
            {"lat": 35.0, "lng": 40.0},
            {"lat": 35.0, "lng": 40.1},
            {"lat": 35.1, "lng": 40.1},
        ]
    }
}


# -- datums -------------------------------------------------------------------------------------


def test_ellipsoid_heights_are_reduced_by_the_geoid_undulation() -> None:
    assert to_msl(130.0, "W84", 30.0) == 100.0
    assert to_msl(130.0, "W84") == 130.0  # no undulation given: the ellipsoid taken as sea level
    assert to_msl(130.0, "EGM96", 30.0) == 130.0  # the geoid is sea level
    assert to_msl(130.0, "MSL", 30.0) == 130.0
    assert from_msl(100.0, "W84", 30.0) == 130.0
    with pytest.raises(InvalidAltitude, match="outside the Earth"):
        to_msl(100.0, "W84", 250.0)
    with pytest.raises(InvalidAltitude, match="unknown datum"):
        to_msl(100.0, "NAVD88")


# -- import -------------------------------------------------------------------------------------


def test_an_operation_becomes_a_notice_with_a_circle_and_a_polygon() -> None:
    notify = notify_from_f3548([volume4d(CIRCLE), volume4d(POLYGON)], FIELDS)
    assert (notify.id, notify.line, notify.kind) == ("op-1", "hotline-air", NoticeKind.ISR)
    circle, polygon = notify.volumes
    assert circle.footprint == Footprint.circle((40.19, 35.41), 300.0)  # lng, lat -> lon, lat
    assert polygon.footprint.shape is Shape.POLYGON
    assert polygon.footprint.coordinates == ((40.0, 35.0), (40.1, 35.0), (40.1, 35.1))
    assert circle.band == AltitudeBand(100.0, 400.0)
    assert circle.window.start == datetime(2030, 1, 1, 10, tzinfo=UTC)
    assert circle.window.end == datetime(2030, 1, 1, 10, 30, 0, 500000, tzinfo=UTC)


def test_altitude_references_and_units() -> None:
    def band(lower: dict[str, Any], upper: dict[str, Any], undulation: float = 0.0) -> Any:
        (v,) = volumes_from_f3548([volume4d(CIRCLE, lower, upper)], undulation)
        return v.band

    assert band(altitude(130.0), altitude(430.0), 30.0) == AltitudeBand(100.0, 400.0)
    assert band(altitude(100.0, "EGM96"), altitude(400.0, "EGM96"), 30.0) == AltitudeBand(
        100.0, 400.0
    )
    assert band(altitude(0, units="FT"), altitude(1000, units="FT")) == AltitudeBand(0.0, 304.8)
    with pytest.raises(InvalidDocument) as caught:
        band(altitude(0, "SFC"), altitude(120, "SFC"))
    assert caught.value.problems[0].field == "volumes[0].volume.altitude_lower.reference"
    with pytest.raises(InvalidDocument) as caught:
        band(altitude(0, units="KM"), altitude(1))
    assert caught.value.problems[0].field == "volumes[0].volume.altitude_lower.units"


def test_every_bad_volume_is_reported_with_its_path() -> None:
    late = volume4d(CIRCLE)
    late["time_end"] = time("2030-01-01T09:00:00Z")
    both = volume4d(CIRCLE | POLYGON)
    no_zone = volume4d(CIRCLE)
    no_zone["time_start"] = time("2030-01-01T10:00:00")
    other_format = volume4d(CIRCLE)
    other_format["time_start"] = {"value": "2030-01-01T10:00:00Z", "format": "unix"}
    far = volume4d(
        {"outline_circle": {"center": {"lat": 95.0, "lng": 40.0}, "radius": {"value": 1}}}
    )
    upside_down = volume4d(CIRCLE, altitude(500.0), altitude(400.0))
    no_radius = volume4d({"outline_circle": {"center": {"lat": 35.0, "lng": 40.0}}})
    with pytest.raises(InvalidDocument) as caught:
        volumes_from_f3548(
            [volume4d(CIRCLE), late, both, no_zone, other_format, far, upside_down, no_radius]
        )
    fields = [p.field for p in caught.value.problems]
    assert fields == [
        "volumes[1].time_end.end",
        "volumes[2].volume",
        "volumes[3].time_start.value",
        "volumes[4].time_start.format",
        "volumes[5].volume.outline_circle.center",
        "volumes[6].volume.altitude_upper",
        "volumes[7].volume.outline_circle.radius",
    ]


def test_a_wrapper_object_gives_the_notice_fields_and_the_caller_may_fill_them_in() -> None:
    wrapped = {
        "id": "op-2",
        "line": "hotline-air",
        "kind": "isr",
        "remarks": "survey",
        "volumes": [volume4d(CIRCLE)],
    }
    notify = notify_from_f3548(wrapped, NoticeFields())
    assert (notify.id, notify.remarks) == ("op-2", "survey")
    partial = {"volumes": [volume4d(CIRCLE)], "geoid_undulation_m": 30.0}
    notify = notify_from_f3548(partial, NoticeFields("op-3", "hotline-air", "air_transit"))
    assert notify.kind is NoticeKind.AIR_TRANSIT and notify.volumes[0].band.lower_m == 70.0
    with pytest.raises(InvalidInput, match="given"):
        notify_from_f3548(wrapped, NoticeFields(id="other"))


def test_a_notice_without_id_line_or_kind_names_each_and_the_bad_volumes_at_once() -> None:
    bad = volume4d(CIRCLE)
    del bad["time_end"]
    with pytest.raises(InvalidDocument) as caught:
        notify_from_f3548([bad], NoticeFields(kind="picnic"))
    fields = {p.field for p in caught.value.problems}
    assert fields == {"id", "line", "kind", "volumes[0].time_end"}


def test_another_partys_or_a_cancelled_notice_and_unknown_fields_are_refused() -> None:
    wrapped = {"id": "op", "line": "l", "kind": "isr", "volumes": [volume4d(CIRCLE)]}
    with pytest.raises(InvalidInput, match="party"):
        notify_from_f3548(wrapped | {"party": "russia"}, NoticeFields(), party="coalition")
    with pytest.raises(InvalidInput, match="active"):
        notify_from_f3548(wrapped | {"state": "cancelled"}, NoticeFields())
    with pytest.raises(InvalidInput, match="unknown"):
        notify_from_f3548(wrapped | {"colour": "red"}, NoticeFields())
    # an OperationalIntentDetails' priority and off-nominal volumes are let be
    notify_from_f3548(wrapped | {"priority": 0, "off_nominal_volumes": []}, NoticeFields())


# -- export -------------------------------------------------------------------------------------


def test_a_circle_goes_out_as_a_circle_with_w84_heights_and_rfc3339_times() -> None:
    v = volume(Footprint.circle((40.19, 35.41), 300.0), 100.0, 400.0, 10, 12)
    out = volume_to_f3548(v, 30.0)
    assert out["volume"]["outline_circle"] == {
        "center": {"lat": 35.41, "lng": 40.19},
        "radius": {"value": 300.0, "units": "M"},
    }
    assert out["volume"]["altitude_lower"] == {"value": 130.0, "reference": "W84", "units": "M"}
    assert out["volume"]["altitude_upper"]["value"] == 430.0
    assert out["time_start"] == {"value": "2017-09-16T10:00:00Z", "format": "RFC3339"}
    assert out["time_end"]["value"] == "2017-09-16T12:00:00Z"


def test_polygons_corridors_points_and_lines_go_out_as_areas() -> None:
    clockwise = Footprint.polygon([(40.0, 35.0), (40.0, 35.1), (40.1, 35.1), (40.1, 35.0)])
    vertices = volume_to_f3548(volume(clockwise))["volume"]["outline_polygon"]["vertices"]
    ring = [(p["lng"], p["lat"]) for p in vertices]
    assert len(ring) == 4 and ring[0] != ring[-1]  # no repeated closing vertex
    assert Polygon(ring).exterior.is_ccw and set(ring) == set(clockwise.coordinates)
    corridor = Footprint.corridor([(40.0, 35.0), (40.3, 35.2)], 1000)
    vertices = volume_to_f3548(volume(corridor))["volume"]["outline_polygon"]["vertices"]
    path = Footprint.line(corridor.coordinates)
    gaps = [geodesic_distance(Footprint.point((p["lng"], p["lat"])), path) for p in vertices]
    assert all(abs(g - 500) < 2 for g in gaps)
    point = volume_to_f3548(volume(Footprint.point((40.0, 35.0))))["volume"]
    assert point["outline_circle"]["radius"]["value"] == POINT_RADIUS_M
    line = volume_to_f3548(volume(Footprint.line([(40.0, 35.0), (40.1, 35.0)])))["volume"]
    assert "outline_polygon" in line


def test_an_export_reads_back_into_the_same_notice() -> None:
    original = notice(
        volume(Footprint.circle((40.19, 35.41), 3000), 0, 6096),
        volume(Footprint.polygon([(40.0, 35.0), (40.1, 35.0), (40.1, 35.1)]), 100, 200, 12, 14),
        id="op-9",
        party="coalition",
    )
    (entry,) = notices_to_f3548([original], 25.0)["notices"]
    assert entry["party"] == "coalition" and entry["state"] == "active"
    notify = notify_from_f3548(entry, NoticeFields(), party="coalition")
    assert (notify.id, notify.line, notify.kind) == (original.id, original.line, original.kind)
    assert notify.volumes == original.volumes
    lon, lat = original.volumes[0].footprint.coordinates[0]
    assert GEOD.inv(lon, lat, *notify.volumes[0].footprint.coordinates[0])[2] == 0


def test_a_number_too_large_for_a_float_is_a_problem_not_a_crash() -> None:
    huge = volume4d(CIRCLE, altitude(0), altitude(10**400))
    with pytest.raises(InvalidDocument) as caught:
        volumes_from_f3548([huge])
    assert caught.value.problems[0].field == "volumes[0].volume.altitude_upper.value"
