"""Distances on WGS 84 checked against pyproj and a densified reference; bad footprints refused."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely.geometry import Point, Polygon

from deconflict.domain.errors import InvalidCoordinate, InvalidGeometry
from deconflict.domain.geometry import Footprint, geodesic_distance, interiors_meet

GEOD = Geod(ellps="WGS84")
PROPERTY = settings(max_examples=200, deadline=None)

lons = st.floats(35.0, 43.0)
lats = st.floats(31.0, 38.0)
azimuths = st.floats(-180.0, 180.0)
distances = st.floats(0.0, 200_000.0)


def fwd(origin: tuple[float, float], azimuth: float, distance_m: float) -> tuple[float, float]:
    lon, lat, _ = GEOD.fwd(origin[0], origin[1], azimuth, distance_m)
    return (float(lon), float(lat))


def geod_distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(GEOD.inv(a[0], a[1], b[0], b[1])[2])


def tolerance(expected: float) -> float:
    return 1.0 + 0.001 * expected


def distance_to_segment(
    p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]
) -> float:
    """Minimum geodesic distance from p to the lon/lat-straight segment a–b, by brute force.

    Samples the segment (linear in lon/lat, as shapely sees it) every ~50 m, then samples
    again every ~0.5 m around the best sample so the reference is good to well under a metre.
    """
    length = geod_distance(a, b)
    n = max(2, math.ceil(length / 50.0) + 1)
    ts = np.linspace(0.0, 1.0, n)

    def at(ts: np.ndarray) -> np.ndarray:
        lon = a[0] + (b[0] - a[0]) * ts
        lat = a[1] + (b[1] - a[1]) * ts
        _, _, d = GEOD.inv(np.full_like(ts, p[0]), np.full_like(ts, p[1]), lon, lat)
        return np.asarray(d)

    coarse = at(ts)
    i = int(np.argmin(coarse))
    lo, hi = ts[max(i - 1, 0)], ts[min(i + 1, n - 1)]
    fine = at(np.linspace(lo, hi, 201))
    return float(min(coarse.min(), fine.min()))


def distance_to_ring(p: tuple[float, float], ring: list[tuple[float, float]]) -> float:
    return min(distance_to_segment(p, a, b) for a, b in zip(ring, ring[1:] + ring[:1], strict=True))


# --- distances ---------------------------------------------------------------------------------


@PROPERTY
@given(lons, lats, azimuths, distances)
def test_point_to_point_distance_matches_pyproj_geod(
    lon: float, lat: float, azimuth: float, distance: float
) -> None:
    start = (lon, lat)
    end = fwd(start, azimuth, distance)
    expected = geod_distance(start, end)
    got = geodesic_distance(Footprint.point(start), Footprint.point(end))
    assert abs(got - expected) <= tolerance(expected)
    assert abs(got - distance) <= tolerance(distance)


@PROPERTY
@given(lons, lats, azimuths, distances, st.floats(1.0, 50_000.0))
def test_point_to_circle_is_distance_to_centre_less_radius_but_never_negative(
    lon: float, lat: float, azimuth: float, distance: float, radius: float
) -> None:
    centre = (lon, lat)
    p = fwd(centre, azimuth, distance)
    expected = max(0.0, geod_distance(centre, p) - radius)
    got = geodesic_distance(Footprint.point(p), Footprint.circle(centre, radius))
    assert got >= 0.0
    assert abs(got - expected) <= tolerance(expected)
    # Symmetric.
    assert geodesic_distance(Footprint.circle(centre, radius), Footprint.point(p)) == got


@PROPERTY
@given(
    lons,
    lats,
    azimuths,
    st.floats(1_000.0, 50_000.0),
    azimuths,
    distances,
    st.floats(1.0, 20_000.0),
)
def test_point_to_corridor_matches_a_densified_segment_less_half_the_width(
    lon: float,
    lat: float,
    heading: float,
    length: float,
    azimuth: float,
    distance: float,
    width: float,
) -> None:
    a = (lon, lat)
    b = fwd(a, heading, length)
    # The point is placed from the segment's midpoint, so it falls on every side of it.
    mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
    p = fwd(mid, azimuth, distance)
    expected = max(0.0, distance_to_segment(p, a, b) - width / 2)
    got = geodesic_distance(Footprint.point(p), Footprint.corridor([a, b], width))
    assert abs(got - expected) <= tolerance(expected)


@st.composite
def small_polygons(draw: st.DrawFn) -> list[tuple[float, float]]:
    """A triangle or quadrilateral around a centre (corners sorted by azimuth: star-shaped)."""
    centre = (draw(lons), draw(lats))
    corners = draw(st.integers(3, 4))
    bearings = sorted(draw(st.lists(azimuths, min_size=corners, max_size=corners, unique=True)))
    ring = [fwd(centre, b, draw(st.floats(500.0, 20_000.0))) for b in bearings]
    try:
        Footprint.polygon(ring)
    except InvalidGeometry:
        assume(False)
    return ring


@PROPERTY
@given(small_polygons(), azimuths, st.floats(0.0, 100_000.0))
def test_point_to_polygon_matches_densified_boundary_and_is_zero_inside(
    ring: list[tuple[float, float]], azimuth: float, distance: float
) -> None:
    centre = Polygon(ring).centroid
    p = fwd((centre.x, centre.y), azimuth, distance)
    inside = Polygon(ring).contains(Point(p))
    expected = 0.0 if inside else distance_to_ring(p, ring)
    got = geodesic_distance(Footprint.point(p), Footprint.polygon(ring))
    assert abs(got - expected) <= tolerance(expected)


def test_one_degree_of_latitude_at_35_north_is_about_110_941_m() -> None:
    got = geodesic_distance(Footprint.point((40.0, 34.5)), Footprint.point((40.0, 35.5)))
    assert got == pytest.approx(geod_distance((40.0, 34.5), (40.0, 35.5)), abs=0.01)
    assert got == pytest.approx(110_941, abs=5)


def test_a_tenth_of_a_degree_north_from_35_is_11_094_149_m() -> None:
    got = geodesic_distance(Footprint.point((40.0, 35.0)), Footprint.point((40.0, 35.1)))
    assert got == pytest.approx(11_094.149, abs=0.01)


def test_overlapping_reaches_give_zero_not_a_negative_distance() -> None:
    a = Footprint.circle((40.0, 35.0), 10_000)
    b = Footprint.circle((40.0, 35.1), 10_000)
    assert geodesic_distance(a, b) == 0.0


# --- interiors_meet ----------------------------------------------------------------------------


def test_polygons_sharing_only_an_edge_do_not_meet() -> None:
    left = Footprint.polygon([(40.0, 35.0), (40.1, 35.0), (40.1, 35.1), (40.0, 35.1)])
    right = Footprint.polygon([(40.1, 35.0), (40.2, 35.0), (40.2, 35.1), (40.1, 35.1)])
    assert geodesic_distance(left, right) == 0.0
    assert not interiors_meet(left, right)


def test_overlapping_polygons_meet() -> None:
    left = Footprint.polygon([(40.0, 35.0), (40.1, 35.0), (40.1, 35.1), (40.0, 35.1)])
    right = Footprint.polygon([(40.05, 35.0), (40.2, 35.0), (40.2, 35.1), (40.05, 35.1)])
    assert interiors_meet(left, right)


def test_point_exactly_on_a_circle_does_not_meet_it_and_just_inside_does() -> None:
    centre = (40.141, 35.336)
    radius = geod_distance(centre, fwd(centre, 90.0, 5_000.0))
    on_edge = Footprint.point(fwd(centre, 90.0, 5_000.0))
    inside = Footprint.point(fwd(centre, 90.0, 4_999.0))
    circle = Footprint.circle(centre, radius)
    assert not interiors_meet(on_edge, circle)
    assert interiors_meet(inside, circle)


# --- bad input ---------------------------------------------------------------------------------


def test_bow_tie_polygon_is_refused_as_self_intersecting() -> None:
    with pytest.raises(InvalidGeometry) as caught:
        Footprint.polygon([(40.0, 35.0), (40.1, 35.2), (40.1, 35.0), (40.0, 35.1)])
    assert "Self-intersection" in caught.value.message
    assert caught.value.field == "coordinates"


def test_symmetric_bow_tie_is_reported_as_self_intersecting_not_as_corners_in_line() -> None:
    with pytest.raises(InvalidGeometry) as caught:
        Footprint.polygon([(40.0, 35.0), (40.1, 35.1), (40.1, 35.0), (40.0, 35.1)])
    assert "Self-intersection" in caught.value.message


def test_polygon_with_three_corners_in_line_is_refused() -> None:
    with pytest.raises(InvalidGeometry) as caught:
        Footprint.polygon([(40.0, 35.0), (40.1, 35.1), (40.2, 35.2)])
    assert caught.value.field == "coordinates"


@pytest.mark.parametrize(
    ("position", "field"),
    [
        ((math.nan, 35.0), "coordinates[0]"),
        ((40.0, math.nan), "coordinates[0]"),
        ((math.inf, 35.0), "coordinates[0]"),
        ((40.0, 91.0), "coordinates[0]"),
        ((181.0, 35.0), "coordinates[0]"),
        ((-180.5, 35.0), "coordinates[0]"),
    ],
)
def test_positions_that_are_not_finite_or_off_the_globe_are_refused(
    position: tuple[float, float], field: str
) -> None:
    with pytest.raises(InvalidCoordinate) as caught:
        Footprint.point(position)
    assert caught.value.field == field


def test_bad_position_in_a_path_names_its_index() -> None:
    with pytest.raises(InvalidCoordinate) as caught:
        Footprint.corridor([(40.0, 35.0), (40.1, 91.0)], 1_000)
    assert caught.value.field == "coordinates[1]"


@pytest.mark.parametrize("radius", [0.0, -5.0, math.nan, math.inf])
def test_circle_radius_must_be_a_positive_finite_number(radius: float) -> None:
    with pytest.raises(InvalidGeometry) as caught:
        Footprint.circle((40.0, 35.0), radius)
    assert caught.value.field == "radius_m"


@pytest.mark.parametrize("width", [0.0, -1.0, math.nan])
def test_corridor_width_must_be_positive(width: float) -> None:
    with pytest.raises(InvalidGeometry) as caught:
        Footprint.corridor([(40.0, 35.0), (40.1, 35.0)], width)
    assert caught.value.field == "width_m"


def test_corridor_with_one_distinct_point_is_refused() -> None:
    with pytest.raises(InvalidGeometry) as caught:
        Footprint.corridor([(40.0, 35.0), (40.0, 35.0)], 1_000)
    assert caught.value.field == "coordinates"


def test_closing_point_of_a_polygon_is_optional_and_dropped() -> None:
    open_ring = [(40.0, 35.0), (40.1, 35.0), (40.1, 35.1)]
    closed = Footprint.polygon([*open_ring, open_ring[0]])
    assert closed.coordinates == Footprint.polygon(open_ring).coordinates == tuple(open_ring)


# --- bounds: what keeps the index a superset ---------------------------------------------------


@st.composite
def footprints(draw: st.DrawFn) -> Footprint:
    origin = (draw(lons), draw(lats))
    shape = draw(st.sampled_from(["point", "circle", "corridor", "polygon"]))
    if shape == "point":
        return Footprint.point(origin)
    if shape == "circle":
        return Footprint.circle(origin, draw(st.floats(1.0, 50_000.0)))
    if shape == "corridor":
        end = fwd(origin, draw(azimuths), draw(st.floats(100.0, 100_000.0)))
        return Footprint.corridor([origin, end], draw(st.floats(1.0, 20_000.0)))
    return Footprint.polygon(draw(small_polygons()))


def contains(bounds: tuple[float, float, float, float], p: tuple[float, float]) -> bool:
    # 1e-9 degrees (0.1 mm) absorbs Geod.fwd's rounding when it moves a point by 0 m.
    eps = 1e-9
    return bounds[0] - eps <= p[0] <= bounds[2] + eps and bounds[1] - eps <= p[1] <= bounds[3] + eps


@PROPERTY
@given(footprints(), st.floats(0.0, 200_000.0), azimuths, st.floats(0.0, 1.0), st.data())
def test_bounds_grown_by_a_distance_contain_every_point_that_close(
    fp: Footprint, grow: float, azimuth: float, fraction: float, data: st.DataObject
) -> None:
    # Any position of the core, moved by up to reach + grow metres, stays inside the bounds.
    corner = data.draw(st.sampled_from(fp.coordinates))
    reach = fp.reach_m + grow
    moved = fwd(corner, azimuth, fraction * reach)
    assert contains(fp.bounds(grow), moved)
    assert geodesic_distance(fp, Footprint.point(moved)) <= grow + tolerance(grow)


@PROPERTY
@given(
    st.floats(3.0, 80.0),
    st.booleans(),
    st.floats(-170.0, 170.0),
    st.floats(0.0, 200_000.0),
    azimuths,
)
def test_bounds_of_a_point_cover_the_distance_away_from_the_equator(
    lat: float, south: bool, lon: float, grow: float, azimuth: float
) -> None:
    lat = -lat if south else lat
    fp = Footprint.point((lon, lat))
    assert contains(fp.bounds(grow), fwd((lon, lat), azimuth, grow))


@pytest.mark.parametrize("grow", [25.0, 1_000.0, 10_000.0])
def test_bounds_of_a_point_on_the_equator_cover_the_distance_due_east(grow: float) -> None:
    fp = Footprint.point((0.0, 0.0))
    east = fwd((0.0, 0.0), 90.0, grow)
    assert fp.bounds(grow)[2] >= east[0]
