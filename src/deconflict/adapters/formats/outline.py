"""A footprint's outline as a polygon ring in lon/lat, for formats that only know polygons
(KML, F3548): circles and corridors are drawn on the ellipsoid, not in degrees.

A circle's corners are geodesic points at its radius (``pyproj.Geod``); a corridor is buffered
by half its width in an azimuthal equidistant projection centred on it (distances from the
centre true on the ellipsoid, so the outline is within a few metres over hundreds of km).
"""

from __future__ import annotations

from functools import partial

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import LineString, Polygon
from shapely.geometry.polygon import orient

from ...domain.geometry import GEOD, Footprint, LonLat, Shape

__all__ = ["outline", "CIRCLE_CORNERS", "THIN_M"]

#: Corners of a circle's outline: 72 puts each side within 0.1 % of the radius of the arc.
CIRCLE_CORNERS = 72
#: The outline of what has no area (a point, a line) is this many metres around it.
THIN_M = 1.0


def _circle(centre: LonLat, radius_m: float) -> list[LonLat]:
    lon, lat = centre
    ring = []
    for i in range(CIRCLE_CORNERS):
        x, y, _ = GEOD.fwd(lon, lat, 360.0 * i / CIRCLE_CORNERS, radius_m)
        ring.append((float(x), float(y)))
    return [*ring, ring[0]]


def _through(transformer: Transformer, xy: np.ndarray) -> np.ndarray:
    x, y = transformer.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def _buffered(fp: Footprint, reach_m: float) -> list[LonLat]:
    lon, lat = fp.centre()
    local = CRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +ellps=WGS84 +units=m")
    there = Transformer.from_crs("EPSG:4326", local, always_xy=True)
    back = Transformer.from_crs(local, "EPSG:4326", always_xy=True)
    core = shapely.transform(LineString(fp.coordinates), partial(_through, there))
    grown = shapely.transform(core.buffer(reach_m, quad_segs=8), partial(_through, back))
    return [(float(x), float(y)) for x, y in grown.exterior.coords]


def outline(fp: Footprint) -> list[LonLat]:
    """The closed ring (first point repeated last, counter-clockwise) around the footprint."""
    if fp.shape is Shape.POLYGON:
        ring = [*fp.coordinates, fp.coordinates[0]]
    elif fp.shape is Shape.CIRCLE:
        ring = _circle(fp.coordinates[0], fp.radius_m)
    elif fp.shape is Shape.POINT:
        ring = _circle(fp.coordinates[0], THIN_M)
    else:
        ring = _buffered(fp, fp.reach_m if fp.shape is Shape.CORRIDOR else THIN_M)
    ccw = orient(Polygon(ring), sign=1.0).exterior.coords
    return [(float(x), float(y)) for x, y in ccw]
