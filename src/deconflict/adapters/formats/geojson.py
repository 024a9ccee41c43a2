"""GeoJSON (RFC 7946) geometry for footprints: the only place that knows that format.

A footprint travels as a GeoJSON geometry plus, where GeoJSON has no word for it, a radius or
a width: a circle is a ``Point`` with ``radius_m``, a corridor a ``LineString`` with
``width_m``. Positions are ``[longitude, latitude]`` in WGS 84, as RFC 7946 says.
"""

from __future__ import annotations

from typing import Any

from ...domain.errors import DeconflictError, InvalidGeometry
from ...domain.geometry import Footprint, LonLat, Shape

__all__ = ["footprint_from_geojson", "footprint_to_geojson", "MAX_POSITIONS"]

#: More corners than any real notice needs; a bound on what one request can make us compute.
MAX_POSITIONS = 10_000


def _position(value: Any, where: str) -> LonLat:
    if (
        not isinstance(value, list | tuple)
        or len(value) not in (2, 3)  # an altitude, if given, is ignored: bands carry altitude
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        raise InvalidGeometry(f"a position is [longitude, latitude], not {value!r}", field=where)
    return (float(value[0]), float(value[1]))


def _positions(value: Any, where: str) -> list[LonLat]:
    if not isinstance(value, list):
        raise InvalidGeometry("expected a list of positions", field=where)
    if len(value) > MAX_POSITIONS:
        raise InvalidGeometry(f"{len(value)} positions; at most {MAX_POSITIONS}", field=where)
    return [_position(v, f"{where}[{i}]") for i, v in enumerate(value)]


def footprint_from_geojson(
    geometry: Any, radius_m: float | None = None, width_m: float | None = None
) -> Footprint:
    """A footprint from a GeoJSON geometry (Point, LineString or single-ring Polygon)."""
    if not isinstance(geometry, dict) or "type" not in geometry or "coordinates" not in geometry:
        raise InvalidGeometry("a GeoJSON geometry has a type and coordinates", field="geometry")
    kind, coords = geometry["type"], geometry["coordinates"]
    try:
        if kind == "Point":
            at = _position(coords, "coordinates")
            return (
                Footprint.circle(at, float(radius_m))
                if radius_m is not None
                else Footprint.point(at)
            )
        if kind == "LineString":
            path = _positions(coords, "coordinates")
            return (
                Footprint.corridor(path, float(width_m))
                if width_m is not None
                else Footprint.line(path)
            )
        if kind == "Polygon":
            if not isinstance(coords, list) or len(coords) != 1:
                raise InvalidGeometry(
                    "a footprint polygon has one ring and no holes", field="coordinates"
                )
            return Footprint.polygon(_positions(coords[0], "coordinates[0]"))
    except DeconflictError as exc:
        raise exc.at("geometry") from None
    raise InvalidGeometry(
        f"GeoJSON {kind!r} is not a footprint: use Point, LineString or Polygon",
        field="geometry.type",
    )


def footprint_to_geojson(fp: Footprint) -> dict[str, Any]:
    """``{"geometry": …, "shape": …}`` plus ``radius_m`` or ``width_m`` where they apply."""
    coords = [list(c) for c in fp.coordinates]
    if fp.shape in (Shape.POINT, Shape.CIRCLE):
        geometry: dict[str, Any] = {"type": "Point", "coordinates": coords[0]}
    elif fp.shape is Shape.POLYGON:
        geometry = {"type": "Polygon", "coordinates": [[*coords, coords[0]]]}
    else:
        geometry = {"type": "LineString", "coordinates": coords}
    out: dict[str, Any] = {"shape": str(fp.shape), "geometry": geometry}
    if fp.shape is Shape.CIRCLE:
        out["radius_m"] = fp.radius_m
    if fp.shape is Shape.CORRIDOR:
        out["width_m"] = fp.width_m
    return out
