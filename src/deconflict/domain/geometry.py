"""Footprints on the WGS 84 ellipsoid and the distances between them.

A footprint is a *core* geometry in longitude/latitude (a point, a path or a polygon) and a
*reach* in metres around it: a circle is a point with a radius, a corridor is a path with half
its width. The distance between two footprints is the geodesic distance between their cores
less both reaches, so circles and corridors are exact on the ellipsoid instead of being
approximated by polygons.

Nearest points are found in a local equirectangular plane (isotropic near the pair) and the
distance between them is then measured on the ellipsoid with ``pyproj.Geod``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

import shapely
from pyproj import Geod
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from .errors import InvalidCoordinate, InvalidGeometry

__all__ = ["Shape", "Footprint", "LonLat", "geodesic_distance", "GEOD", "degrees_for"]

GEOD = Geod(ellps="WGS84")
LonLat = tuple[float, float]

# Conservative metres per degree, so that boxes grown by a distance always contain it.
_MIN_METRES_PER_DEGREE_LAT = 110_574.0
_METRES_PER_DEGREE_LON_EQUATOR = 111_319.0  # a·π/180 = 111,319.49 m, rounded down


class Shape(StrEnum):
    POINT = "point"
    CIRCLE = "circle"
    CORRIDOR = "corridor"
    POLYGON = "polygon"
    LINE = "line"


def _check_position(lon: float, lat: float, where: str) -> None:
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise InvalidCoordinate(f"({lon}, {lat}) is not a finite position", field=where)
    if not -90.0 <= lat <= 90.0:
        raise InvalidCoordinate(f"latitude {lat} is outside -90..90", field=where)
    if not -180.0 <= lon <= 180.0:
        raise InvalidCoordinate(f"longitude {lon} is outside -180..180", field=where)


@dataclass(frozen=True)
class Footprint:
    """Where an operation, a declaration or a measure lies on the ground.

    ``coordinates`` are (lon, lat) pairs: one for a point or a circle, a path for a corridor or a
    line, the exterior ring for a polygon (closing point optional).

    >>> Footprint.circle((40.141, 35.336), 5_000).reach_m
    5000.0
    """

    shape: Shape
    coordinates: tuple[LonLat, ...]
    radius_m: float = 0.0
    width_m: float = 0.0

    @classmethod
    def point(cls, at: LonLat) -> Footprint:
        return cls(Shape.POINT, (at,))

    @classmethod
    def circle(cls, centre: LonLat, radius_m: float) -> Footprint:
        return cls(Shape.CIRCLE, (centre,), radius_m=radius_m)

    @classmethod
    def corridor(cls, path: Sequence[LonLat], width_m: float) -> Footprint:
        return cls(Shape.CORRIDOR, tuple(path), width_m=width_m)

    @classmethod
    def polygon(cls, ring: Sequence[LonLat]) -> Footprint:
        return cls(Shape.POLYGON, tuple(ring))

    @classmethod
    def line(cls, path: Sequence[LonLat]) -> Footprint:
        return cls(Shape.LINE, tuple(path))

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "coordinates", tuple((float(x), float(y)) for x, y in self.coordinates)
        )
        for i, (lon, lat) in enumerate(self.coordinates):
            _check_position(lon, lat, f"coordinates[{i}]")
        _VALIDATORS[self.shape](self)

    @property
    def reach_m(self) -> float:
        """How far the footprint extends around its core, in metres."""
        return self.radius_m if self.shape is Shape.CIRCLE else self.width_m / 2.0

    @cached_property
    def core(self) -> BaseGeometry:
        """The core geometry in lon/lat (shapely)."""
        if self.shape in (Shape.POINT, Shape.CIRCLE):
            return Point(self.coordinates[0])
        if self.shape is Shape.POLYGON:
            return Polygon(self.coordinates)
        return LineString(self.coordinates)

    @cached_property
    def _core_bounds(self) -> tuple[float, float, float, float]:
        minx, miny, maxx, maxy = self.core.bounds
        return (float(minx), float(miny), float(maxx), float(maxy))

    @cached_property
    def _grown(self) -> dict[float, tuple[float, float, float, float]]:
        return {}

    def bounds(self, grow_m: float = 0.0) -> tuple[float, float, float, float]:
        """(min lon, min lat, max lon, max lat) grown by reach + ``grow_m`` metres (cached:
        screening asks the same few distances of the same footprints again and again)."""
        found = self._grown.get(grow_m)
        if found is None:
            minx, miny, maxx, maxy = self._core_bounds
            dlat, dlon = degrees_for(self.reach_m + grow_m, max(abs(miny), abs(maxy)))
            found = self._grown[grow_m] = (minx - dlon, miny - dlat, maxx + dlon, maxy + dlat)
        return found

    @property
    def mid_lat(self) -> float:
        return (self._core_bounds[1] + self._core_bounds[3]) / 2.0

    @cached_property
    def _planar(self) -> dict[int, BaseGeometry]:
        return {}

    def planar(self, band: int) -> BaseGeometry:
        """The core on the local plane of a latitude band (x = lon·cos φ₀, y = lat), cached."""
        found = self._planar.get(band)
        if found is None:
            k, core = _plane_scale(band), self.core
            if isinstance(core, Point):
                found = Point(core.x * k, core.y)
            else:
                found = shapely.transform(core, lambda xy: xy * (k, 1.0))
            self._planar[band] = found
        return found

    def centre(self) -> LonLat:
        c = self.core.centroid
        return (float(c.x), float(c.y))


def degrees_for(metres: float, at_lat: float) -> tuple[float, float]:
    """(Δlat, Δlon) in degrees that certainly cover ``metres`` near latitude ``at_lat``."""
    if metres <= 0:
        return 0.0, 0.0
    dlat = metres / _MIN_METRES_PER_DEGREE_LAT
    cos_lat = math.cos(math.radians(min(abs(at_lat) + dlat, 89.9)))
    return dlat, min(metres / (_METRES_PER_DEGREE_LON_EQUATOR * cos_lat), 360.0)


def _validate_point(fp: Footprint) -> None:
    if len(fp.coordinates) != 1:
        raise InvalidGeometry(f"a {fp.shape} has exactly one position", field="coordinates")
    if fp.shape is Shape.CIRCLE and not (math.isfinite(fp.radius_m) and fp.radius_m > 0):
        raise InvalidGeometry(f"radius {fp.radius_m} m must be above 0", field="radius_m")


def _validate_path(fp: Footprint) -> None:
    if len(set(fp.coordinates)) < 2:
        raise InvalidGeometry(f"a {fp.shape} needs two distinct positions", field="coordinates")
    if fp.shape is Shape.CORRIDOR and not (math.isfinite(fp.width_m) and fp.width_m > 0):
        raise InvalidGeometry(f"corridor width {fp.width_m} m must be above 0", field="width_m")


def _validate_polygon(fp: Footprint) -> None:
    ring = list(fp.coordinates)
    if ring and ring[0] == ring[-1]:
        ring = ring[:-1]
    if len(set(ring)) < 3:
        raise InvalidGeometry("a polygon needs three distinct corners", field="coordinates")
    polygon = Polygon(ring)
    if not polygon.is_valid:
        reason = shapely.is_valid_reason(polygon)
        raise InvalidGeometry(f"the polygon is not valid: {reason}", field="coordinates")
    if polygon.area <= 0:
        raise InvalidGeometry(
            "the polygon has no area (its corners are in line)", field="coordinates"
        )
    object.__setattr__(fp, "coordinates", tuple(ring))


_VALIDATORS = {
    Shape.POINT: _validate_point,
    Shape.CIRCLE: _validate_point,
    Shape.CORRIDOR: _validate_path,
    Shape.LINE: _validate_path,
    Shape.POLYGON: _validate_polygon,
}


#: Footprints are drawn on a local equirectangular plane to find their nearest points; the
#: plane's scale is set per half degree of latitude, so each footprint is projected once per band.
_BANDS_PER_DEGREE = 2


def _plane_scale(band: int) -> float:
    return math.cos(math.radians(band / _BANDS_PER_DEGREE))


_POINTS = (Shape.POINT, Shape.CIRCLE)


def _core_gap(a: Footprint, b: Footprint) -> float:
    """Geodesic distance in metres between two footprints' cores (0 if they meet)."""
    if a.shape in _POINTS and b.shape in _POINTS:  # the positions themselves, not via shapely
        (ax, ay), (bx, by) = a.coordinates[0], b.coordinates[0]
        return float(GEOD.inv(ax, ay, bx, by)[2])
    ca, cb = a.core, b.core
    if ca.intersects(cb):
        return 0.0
    band = round((a.mid_lat + b.mid_lat) / 2 * _BANDS_PER_DEGREE)
    pa, pb = nearest_points(a.planar(band), b.planar(band))
    k = _plane_scale(band)
    return float(GEOD.inv(pa.x / k, pa.y, pb.x / k, pb.y)[2])


def geodesic_distance(a: Footprint, b: Footprint) -> float:
    """Shortest distance in metres between two footprints on WGS 84; 0 when they meet.

    >>> round(geodesic_distance(Footprint.point((40.0, 35.0)), Footprint.point((40.0, 35.1))))
    11094
    """
    return max(0.0, _core_gap(a, b) - a.reach_m - b.reach_m)


def may_be_within(a: Footprint, b: Footprint, limit_m: float) -> bool:
    """False only when the footprints are certainly more than ``limit_m`` apart: a box test
    that spares the exact geodesic measure for pairs the index returned but that are far."""
    ax0, ay0, ax1, ay1 = a.bounds(limit_m)
    bx0, by0, bx1, by1 = b.bounds()
    return ax0 <= bx1 and bx0 <= ax1 and ay0 <= by1 and by0 <= ay1


def interiors_meet(a: Footprint, b: Footprint) -> bool:
    """True when the footprints share more than a boundary (touching is not meeting)."""
    reach = a.reach_m + b.reach_m
    if reach > 0:
        return _core_gap(a, b) < reach
    if not a.core.intersects(b.core):
        return False
    return not a.core.touches(b.core)
