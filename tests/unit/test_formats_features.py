"""GeoJSON FeatureCollections: import into commands (every bad feature reported by index),
export of a selection (RFC 7946), and the round trip between them."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import pytest
from shapely.geometry import Polygon

from deconflict.adapters.formats.features import commands_from_features, features_from_selection
from deconflict.domain.arrangement import DeclarationKind, NoticeKind
from deconflict.domain.errors import InvalidDocument
from deconflict.domain.geometry import Footprint, Shape
from deconflict.domain.measures import MeasureKind, ZoneRule
from deconflict.domain.volume import UNTIL_FURTHER_NOTICE, AltitudeBand
from deconflict.service import commands as c
from deconflict.service.selection import Selected

from .factories import declaration, notice, river, volume, zone

START, END = "2030-01-01T10:00:00Z", "2030-01-01T12:00:00Z"


def feature(geometry: dict[str, Any], **props: Any) -> dict[str, Any]:
    """A Feature; a property given as ``...`` is left out."""
    kept = {k: v for k, v in props.items() if v is not ...}
    return {"type": "Feature", "geometry": geometry, "properties": kept}


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


POINT = {"type": "Point", "coordinates": [40.19, 35.41]}
PATH = {"type": "LineString", "coordinates": [[40.0, 35.0], [40.3, 35.2]]}
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[40.0, 35.0], [40.1, 35.0], [40.1, 35.1], [40.0, 35.1], [40.0, 35.0]]],
}


def notice_feature(id: str = "n-1", geometry: dict[str, Any] = POINT, **more: Any) -> Any:
    props = {
        "kind": "notice",
        "id": id,
        "line": "hotline-air",
        "notice_kind": "isr",
        "start": START,
        "end": END,
        "lower": "SFC",
        "upper": "FL200",
        "radius_m": 3000,
    } | more
    return feature(geometry, **props)


def declaration_feature(id: str = "d-1", **more: Any) -> Any:
    props = {
        "kind": "declaration",
        "id": id,
        "declaration_kind": "site",
        "start": START,
        "radius_m": 500,
    } | more
    return feature(POINT, **props)


def measure_feature(id: str = "m-1", geometry: dict[str, Any] = SQUARE, **more: Any) -> Any:
    props = {
        "kind": "measure",
        "id": id,
        "arrangement": "mou",
        "measure_kind": "zone",
        "name": "no-strike zone",
        "rule": "no_strike",
        "start": START,
        "end": None,
    } | more
    return feature(geometry, **props)


# -- import: each kind and shape --------------------------------------------------------------


def test_a_collection_of_each_kind_becomes_its_commands_in_order() -> None:
    imported = commands_from_features(
        collection(measure_feature(), declaration_feature(), notice_feature())
    )
    measure, declare, notify = imported.commands
    assert isinstance(measure, c.CreateMeasure) and isinstance(declare, c.Declare)
    assert isinstance(notify, c.Notify)
    assert measure.measure.kind is MeasureKind.ZONE and measure.measure.rule is ZoneRule.NO_STRIKE
    assert measure.measure.footprint.shape is Shape.POLYGON
    assert measure.measure.window.end == UNTIL_FURTHER_NOTICE  # end null: until further notice
    assert declare.kind is DeclarationKind.SITE and declare.footprint.radius_m == 500
    assert notify.kind is NoticeKind.ISR and notify.line == "hotline-air"
    assert notify.volumes[0].band == AltitudeBand(0.0, 6096.0)  # SFC to FL200
    assert notify.volumes[0].footprint.shape is Shape.CIRCLE


def test_each_geometry_makes_its_shape() -> None:
    imported = commands_from_features(
        collection(
            declaration_feature("point", radius_m=...),
            declaration_feature("circle"),
            feature(
                PATH,
                kind="declaration",
                id="corridor",
                declaration_kind="movement",
                start=START,
                width_m=800,
            ),
            feature(PATH, kind="declaration", id="route", declaration_kind="movement", start=START),
            feature(
                SQUARE,
                kind="declaration",
                id="area",
                declaration_kind="force_position",
                start=START,
            ),
        )
    )
    shapes = {cmd.id: cmd.footprint for cmd in imported.commands}  # type: ignore[union-attr]
    assert shapes["point"].shape is Shape.POINT
    assert shapes["circle"].shape is Shape.CIRCLE
    assert shapes["corridor"].shape is Shape.CORRIDOR and shapes["corridor"].width_m == 800
    assert shapes["route"].shape is Shape.LINE
    assert shapes["area"].shape is Shape.POLYGON and len(shapes["area"].coordinates) == 4


def _without_radius(id: str) -> dict[str, Any]:
    return {"kind": "declaration", "id": id, "declaration_kind": "site", "start": START}


def test_a_deconfliction_line_keeps_its_sides_and_reach() -> None:
    line = measure_feature(
        "euphrates",
        PATH,
        measure_kind="deconfliction_line",
        rule=...,
        sides={"coalition": "left", "russia": "right"},
        reach_m=30000,
        crossing_kinds=["river_crossing"],
    )
    (cmd,) = commands_from_features(collection(line)).commands
    assert isinstance(cmd, c.CreateMeasure)
    assert cmd.measure.sides == {"coalition": "left", "russia": "right"}
    assert cmd.measure.reach_m == 30000
    assert cmd.measure.crossing_kinds == (NoticeKind.RIVER_CROSSING,)


def test_times_may_be_dtg_and_altitudes_feet_flight_levels_or_ellipsoid_heights() -> None:
    imported = commands_from_features(
        collection(
            notice_feature(
                "ft", start="011000ZJAN30", end="011500CJAN30", lower=0, upper=10000, units="ft"
            ),
            notice_feature("fl", lower="FL100", upper="FL150", datum="W84", geoid_undulation_m=30),
            notice_feature("w84", lower=530, upper=1030, datum="W84", geoid_undulation_m=30),
            notice_feature("egm", lower=500, upper="1000 m", datum="EGM96"),
        )
    )
    volumes = {cmd.id: cmd.volumes[0] for cmd in imported.commands}  # type: ignore[union-attr]
    ft = volumes["ft"]
    assert ft.window.start == datetime(2030, 1, 1, 10, tzinfo=UTC)
    assert ft.window.end == datetime(2030, 1, 1, 12, tzinfo=UTC)  # C is UTC+3
    assert ft.band == AltitudeBand(0.0, 3048.0)
    assert volumes["fl"].band == AltitudeBand(3048.0, 4572.0)  # flight levels are not shifted
    assert volumes["w84"].band == AltitudeBand(500.0, 1000.0)  # ellipsoid less undulation
    assert volumes["egm"].band == AltitudeBand(500.0, 1000.0)  # the geoid is sea level


def test_a_notice_gathers_its_volumes_from_every_feature_with_its_id_in_volume_order() -> None:
    imported = commands_from_features(
        collection(
            notice_feature("n", SQUARE, volume=1, radius_m=...),
            declaration_feature(),
            notice_feature("n", volume=0),
        )
    )
    notify, declare = imported.commands
    assert isinstance(notify, c.Notify) and isinstance(declare, c.Declare)
    assert [v.footprint.shape for v in notify.volumes] == [Shape.CIRCLE, Shape.POLYGON]
    assert imported.locate(0, "id") == "features[0].properties.id"  # the notice's first feature
    assert imported.locate(1, "disclosed_to") == "features[1].properties.disclosed_to"


# -- import: every bad feature, by index --------------------------------------------------------


def problems(document: Any, party: str | None = None) -> dict[str, str]:
    with pytest.raises(InvalidDocument) as caught:
        commands_from_features(document, party)
    return {p.field or "": p.message for p in caught.value.problems}


def test_every_bad_feature_is_reported_by_index_and_path() -> None:
    found = problems(
        collection(
            notice_feature("ok"),
            declaration_feature(start="yesterday"),
            feature({"type": "Point", "coordinates": [400.0, 35.0]}, **_without_radius("far")),
            measure_feature(colour="red"),
            notice_feature("n2", end="010900ZJAN30"),
            notice_feature("n3", lower=2000, upper=1000),
            declaration_feature("d-9", declaration_kind="bunker"),
            notice_feature("n4", line=...),
        )
    )
    assert set(found) == {
        "features[1].properties.start",
        "features[2].geometry.coordinates[0]",
        "features[3].properties",
        "features[4].properties.end",
        "features[5].properties.upper",
        "features[6].properties.declaration_kind",
        "features[7].properties.line",
    }
    assert "yesterday" in found["features[1].properties.start"]
    assert "400" in found["features[2].geometry.coordinates[0]"]
    assert "colour" in found["features[3].properties"]


def test_each_kind_has_its_required_properties() -> None:
    found = problems(
        collection(
            feature(POINT, kind="notice", id="n"),
            feature(POINT, kind="declaration", id="d"),
            feature(SQUARE, kind="measure", id="m"),
            feature(POINT, id="x"),
        )
    )
    for field in ("line", "notice_kind", "start", "end", "lower", "upper"):
        assert f"features[0].properties.{field}" in found
    assert "features[1].properties.declaration_kind" in found
    for field in ("arrangement", "measure_kind", "name", "start"):
        assert f"features[2].properties.{field}" in found
    assert "features[3].properties.kind" in found


def test_a_corridor_with_no_width_or_a_circle_with_no_radius_is_named() -> None:
    found = problems(collection(declaration_feature(radius_m=0)))
    assert set(found) == {"features[0].properties.radius_m"}


def test_features_of_another_party_or_not_active_are_refused() -> None:
    found = problems(
        collection(
            declaration_feature("mine", party="coalition"),
            declaration_feature("theirs", party="russia"),
            declaration_feature("gone", state="withdrawn"),
        ),
        party="coalition",
    )
    assert set(found) == {"features[1].properties.party", "features[2].properties.state"}


def test_ids_twice_and_volumes_that_disagree_are_refused() -> None:
    found = problems(
        collection(
            declaration_feature("twice"),
            declaration_feature("twice"),
            notice_feature("n"),
            notice_feature("n", line="hotline-ground"),
            notice_feature("v", volume=0),
            notice_feature("v", volume=0),
        )
    )
    assert set(found) == {
        "features[1].properties.id",
        "features[3].properties.line",
        "features[5].properties.volume",
    }
    assert "features[0]" in found["features[1].properties.id"]


def test_what_is_not_a_feature_collection_is_refused_whole() -> None:
    assert problems({"type": "Feature"}) == {
        "features": "this field is required",
        "type": "'FeatureCollection' was expected",
    }
    assert "features[0].geometry" in problems(collection({"type": "Feature", "properties": {}}))


# -- export -------------------------------------------------------------------------------------

CIRCLE = Footprint.circle((40.19, 35.41), 3000)
CLOCKWISE = Footprint.polygon([(40.0, 35.0), (40.0, 35.1), (40.1, 35.1), (40.1, 35.0)])
CORRIDOR = Footprint.corridor([(40.0, 35.0), (40.3, 35.2)], 1000)


def selected() -> Selected:
    return Selected(
        party="coalition",
        notices=[notice(volume(CIRCLE, 0, 6096), volume(CLOCKWISE, 100, 200), party="russia")],
        declarations=[
            declaration(CORRIDOR, kind=DeclarationKind.MOVEMENT, disclosed_to=("russia",))
        ],
        measures=[
            zone(CIRCLE, ZoneRule.NO_ENTRY, band=AltitudeBand(0, 3000)),
            river([(40.0, 35.0), (40.5, 35.5)]),
        ],
    )


def test_an_export_is_rfc_7946() -> None:
    document = features_from_selection(selected())
    text = json.dumps(document)
    assert document["type"] == "FeatureCollection" and "crs" not in text
    kinds = [(f["properties"]["kind"], f["geometry"]["type"]) for f in document["features"]]
    assert kinds == [
        ("notice", "Point"),
        ("notice", "Polygon"),
        ("declaration", "LineString"),
        ("measure", "Point"),
        ("measure", "LineString"),
    ]
    assert document["features"][0]["geometry"]["coordinates"] == [40.19, 35.41]  # lon, lat
    ring = document["features"][1]["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and Polygon(ring).exterior.is_ccw  # right-hand rule
    assert len({f["id"] for f in document["features"]}) == 5


def test_an_export_carries_state_party_window_and_band() -> None:
    first, second, decl, zone_, line = features_from_selection(selected())["features"]
    p = first["properties"]
    assert p | {"id": "N-1"} == p
    assert (p["party"], p["state"], p["volume"], p["radius_m"]) == ("russia", "active", 0, 3000)
    assert (p["start"], p["end"]) == ("2017-09-16T10:00:00Z", "2017-09-16T12:00:00Z")
    assert (p["lower"], p["upper"], p["units"], p["datum"]) == (0, 6096, "m", "MSL")
    assert second["properties"]["volume"] == 1
    assert decl["properties"]["disclosed_to"] == ["russia"]
    assert decl["properties"]["width_m"] == 1000
    assert zone_["properties"]["rule"] == "no_entry" and zone_["properties"]["upper"] == 3000
    assert line["properties"]["sides"] == {"coalition": "left", "russia": "right"}
    assert line["properties"]["end"] == "2017-09-18T00:00:00Z"


def test_an_export_validates_against_the_published_schema() -> None:
    from jsonschema import Draft202012Validator

    text = resources.files("deconflict").joinpath("schemas/features-v1.json").read_text("utf-8")
    validator = Draft202012Validator(json.loads(text))
    assert list(validator.iter_errors(features_from_selection(selected()))) == []


def test_the_schema_knows_every_kind_of_the_domain() -> None:
    text = resources.files("deconflict").joinpath("schemas/features-v1.json").read_text("utf-8")
    props = json.loads(text)["$defs"]["properties"]["properties"]
    assert props["notice_kind"]["enum"] == [k.value for k in NoticeKind]
    assert props["declaration_kind"]["enum"] == [k.value for k in DeclarationKind]
    assert props["measure_kind"]["enum"] == [k.value for k in MeasureKind]
    assert props["rule"]["enum"] == [r.value for r in ZoneRule]


def test_an_export_reads_back_into_the_same_objects() -> None:
    original = selected()
    document = features_from_selection(original)
    commands = commands_from_features(copy.deepcopy(document)).commands
    notify, declare, measure, line = commands
    assert isinstance(notify, c.Notify) and isinstance(declare, c.Declare)
    assert notify.volumes == original.notices[0].volumes[:1] + (
        _ccw(original.notices[0].volumes[1]),
    )
    assert declare.footprint == original.declarations[0].footprint
    assert declare.window == original.declarations[0].window
    assert isinstance(measure, c.CreateMeasure) and isinstance(line, c.CreateMeasure)
    assert measure.measure == original.measures[0]
    assert line.measure == original.measures[1]


def _ccw(v: Any) -> Any:
    """The volume with its polygon's ring turned counter-clockwise (as RFC 7946 writes it)."""
    from dataclasses import replace

    ring = Polygon(v.footprint.coordinates)
    ring = ring if ring.exterior.is_ccw else ring.reverse()
    return replace(v, footprint=Footprint.polygon(list(ring.exterior.coords)))


def test_a_number_too_large_for_a_float_is_a_problem_not_a_crash() -> None:
    found = problems(collection(declaration_feature(radius_m=10**400)))
    assert found == {"features[0]": "a number is out of range"}
