"""ASTM F3548-21 ``Volume4D`` JSON (as InterUSS and drone traffic management tools write it):
the only place that knows that format.

A ``Volume4D`` is ``{"volume": {"outline_polygon": {"vertices": [{"lat", "lng"}, ...]}`` or
``"outline_circle": {"center": {"lat", "lng"}, "radius": {"value", "units": "M"}}``,
``"altitude_lower"`` / ``"altitude_upper"``: ``{"value", "reference": "W84", "units": "M"}}``,
``"time_start"`` / ``"time_end"``: ``{"value": "…Z", "format": "RFC3339"}}``.

Altitudes: F3548 gives heights above the WGS 84 ellipsoid (``W84``); deconflict keeps metres
above mean sea level. Without a geoid model, a ``W84`` height is reduced by the caller's
``geoid_undulation_m`` (N, the local height of mean sea level above the ellipsoid), 0 unless
given: the ellipsoid is then taken as sea level, which errs by N (|N| ≤ 107 m; about +20 to
+30 m over Syria). ``EGM96`` (the geoid) is read as mean sea level and ``FT`` as feet, as the
InterUSS flight-planning interface allows; ``SFC`` (above ground) is refused. Export always
writes ``W84`` and ``M``, F3548's only values, shifted by the same N.

F3548 knows only areas: on export a corridor becomes its outline polygon, a point a circle of
:data:`POINT_RADIUS_M` and a line its outline :data:`LINE_WIDTH_M` wide.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, TypeVar

from shapely.geometry import Polygon
from shapely.geometry.polygon import orient

from ...domain.arrangement import NoticeKind
from ...domain.errors import DeconflictError, InvalidDocument, InvalidInput, InvalidTime
from ...domain.geometry import Footprint, LonLat, Shape
from ...domain.notices import Notice
from ...domain.volume import AltitudeBand, TimeWindow, Volume4D
from ...service import commands as c
from .altitude import FEET, from_msl, to_msl
from .outline import outline
from .timefmt import format_iso, parse_time

__all__ = [
    "NoticeFields",
    "notify_from_f3548",
    "volumes_from_f3548",
    "volume_to_f3548",
    "notices_to_f3548",
    "POINT_RADIUS_M",
    "LINE_WIDTH_M",
]

T = TypeVar("T")

POINT_RADIUS_M = 1.0
LINE_WIDTH_M = 2.0
MAX_VOLUMES = 100

#: Keys of the wrapper object beside ``volumes``; ``off_nominal_volumes`` and ``priority``
#: (of an F3548 ``OperationalIntentDetails``) are read and left aside.
_WRAPPER = {"id", "line", "kind", "forces", "remarks", "geoid_undulation_m", "volumes"}
_EXPORT_ONLY = {"party", "state", "version", "off_nominal_volumes", "priority"}


def _need(obj: Any, key: str, kind: type | tuple[type, ...], what: str) -> Any:
    if not isinstance(obj, Mapping):
        raise InvalidInput(f"expected an object with {key!r}")
    if key not in obj:
        raise InvalidInput("this field is required", field=key)
    value = obj[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise InvalidInput(f"{value!r} is not {what}", field=key)
    return value


def _number(obj: Any, key: str) -> float:
    value = _need(obj, key, (int, float), "a number")
    try:
        return float(value)
    except OverflowError:  # an integer too large for a float (JSON has no bound)
        raise InvalidInput("the number is out of range", field=key) from None


def _at(field: str, parse: Callable[..., T], *args: Any) -> T:
    try:
        return parse(*args)
    except DeconflictError as exc:
        raise exc.at(field) from None


def _point(obj: Any) -> LonLat:
    return (_number(obj, "lng"), _number(obj, "lat"))


def _circle(obj: Any) -> Footprint:
    centre = _at("center", _point, _need(obj, "center", dict, "a point"))
    radius = _need(obj, "radius", dict, "a radius")
    units = radius.get("units", "M")
    if units not in ("M", "FT"):
        raise InvalidInput(f"radius units {units!r}: give M (or FT)", field="radius.units")
    metres = _at("radius", _number, radius, "value") * (FEET if units == "FT" else 1.0)
    try:
        return Footprint.circle(centre, metres)
    except DeconflictError as exc:
        exc.field = "center" if (exc.field or "").startswith("coordinates") else "radius.value"
        raise


def _polygon(obj: Any) -> Footprint:
    vertices = _need(obj, "vertices", list, "a list of vertices")
    if len(vertices) > 10_000:
        raise InvalidInput(f"{len(vertices)} vertices; at most 10000", field="vertices")
    ring = [_at(f"vertices[{i}]", _point, v) for i, v in enumerate(vertices)]
    try:
        return Footprint.polygon(ring)
    except DeconflictError as exc:
        exc.field = (exc.field or "").replace("coordinates", "vertices") or "vertices"
        raise


def _outline(volume: Any) -> Footprint:
    shapes = [k for k in ("outline_polygon", "outline_circle") if volume.get(k) is not None]
    if len(shapes) != 1:
        raise InvalidInput("give exactly one of outline_polygon and outline_circle")
    read = _polygon if shapes[0] == "outline_polygon" else _circle
    return _at(shapes[0], read, volume[shapes[0]])


def _altitude(obj: Any, undulation: float) -> float:
    value = _number(obj, "value")
    units, reference = obj.get("units", "M"), obj.get("reference", "W84")
    if units not in ("M", "FT"):
        raise InvalidInput(f"altitude units {units!r}: give M (or FT)", field="units")
    if reference == "SFC":
        raise InvalidInput(
            "heights above ground (SFC) are not supported: give W84 or EGM96", field="reference"
        )
    if reference not in ("W84", "EGM96"):
        raise InvalidInput(f"altitude reference {reference!r}: give W84", field="reference")
    metres = value * (FEET if units == "FT" else 1.0)
    return _at("value", to_msl, metres, reference, undulation)


def _time(obj: Any) -> datetime:
    if obj.get("format", "RFC3339") != "RFC3339":
        raise InvalidTime(f"time format {obj.get('format')!r}: give RFC3339", field="format")
    value = _need(obj, "value", str, "an RFC 3339 time")
    return _at("value", parse_time, value)


def volume_from_f3548(doc: Any, undulation: float = 0.0) -> Volume4D:
    """One ``Volume4D`` as a 4D volume in metres AMSL and UTC."""
    volume = _need(doc, "volume", dict, "a Volume3D")
    footprint = _at("volume", _outline, volume)
    lower = _at("volume.altitude_lower", _altitude, _need_at(volume, "altitude_lower"), undulation)
    upper = _at("volume.altitude_upper", _altitude, _need_at(volume, "altitude_upper"), undulation)
    try:
        band = AltitudeBand(lower, upper)
    except DeconflictError as exc:
        exc.field = "volume.altitude_lower" if exc.field == "lower_m" else "volume.altitude_upper"
        raise
    start = _at("time_start", _time, _need(doc, "time_start", dict, "a time"))
    end = _at("time_end", _time, _need(doc, "time_end", dict, "a time"))
    return Volume4D(footprint, band, _at("time_end", TimeWindow, start, end))


def _need_at(volume: Any, key: str) -> Any:
    try:
        return _need(volume, key, dict, "an altitude")
    except DeconflictError as exc:
        raise exc.at("volume") from None


def volumes_from_f3548(docs: Any, undulation: float = 0.0) -> tuple[Volume4D, ...]:
    """A list of ``Volume4D`` (an operation's volumes); every bad volume is reported at once
    (:class:`InvalidDocument`, fields such as ``volumes[2].time_end.value``)."""
    if not isinstance(docs, list) or not docs:
        raise InvalidInput("expected a non-empty list of Volume4D", field="volumes")
    if len(docs) > MAX_VOLUMES:
        raise InvalidInput(f"{len(docs)} volumes; at most {MAX_VOLUMES}", field="volumes")
    volumes: list[Volume4D] = []
    problems: list[DeconflictError] = []
    for i, doc in enumerate(docs):
        try:
            volumes.append(volume_from_f3548(doc, undulation))
        except DeconflictError as exc:
            problems.append(exc.at(f"volumes[{i}]"))
    if problems:
        raise InvalidDocument(problems)
    return tuple(volumes)


@dataclass(frozen=True)
class NoticeFields:
    """What a notice needs beside its volumes, given by the caller (CLI options, query)."""

    id: str | None = None
    line: str | None = None
    kind: str | None = None
    forces: str | None = None
    remarks: str | None = None
    geoid_undulation_m: float | None = None

    @property
    def given(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _merged(doc: Any, fields: NoticeFields, party: str | None) -> dict[str, Any]:
    """The wrapper's fields with the caller's: a field given both ways must agree."""
    if isinstance(doc, list):
        return {"volumes": doc} | fields.given
    if not isinstance(doc, Mapping):
        raise InvalidInput("expected a list of Volume4D or an object with volumes")
    unknown = sorted(set(doc) - _WRAPPER - _EXPORT_ONLY)
    if unknown:
        raise InvalidInput(
            f"unknown field(s) {unknown}; known: {sorted(_WRAPPER)}", field=unknown[0]
        )
    if party is not None and doc.get("party", party) != party:
        raise InvalidInput(
            f"the notice is imported for the importing member's party {party!r}", field="party"
        )
    if doc.get("state", "active") != "active":
        raise InvalidInput("only active notices are imported", field="state")
    for key, value in fields.given.items():
        if key in doc and doc[key] != value:
            raise InvalidInput(f"{doc[key]!r} in the document, {value!r} given", field=key)
    return {k: v for k, v in doc.items() if k in _WRAPPER} | fields.given


def notify_from_f3548(doc: Any, fields: NoticeFields, party: str | None = None) -> c.Notify:
    """A notice from an operation's volumes: a bare list of ``Volume4D`` (with the notice's
    id, line and kind given in ``fields``) or an object ``{"id", "line", "kind", "forces",
    "remarks", "geoid_undulation_m", "volumes": [...]}`` (as :func:`notices_to_f3548` writes)."""
    merged = _merged(doc, fields, party)
    undulation = merged.get("geoid_undulation_m", 0.0)
    if isinstance(undulation, bool) or not isinstance(undulation, int | float):
        raise InvalidInput(f"{undulation!r} is not a number", field="geoid_undulation_m")
    problems: list[DeconflictError] = []
    for key in ("id", "line", "kind"):
        if not isinstance(merged.get(key), str) or not merged[key]:
            problems.append(
                InvalidInput("this field is required (or give it as an option)", field=key)
            )
    if isinstance(merged.get("kind"), str) and merged["kind"] not in set(NoticeKind):
        allowed = ", ".join(NoticeKind)
        problems.append(InvalidInput(f"{merged['kind']!r} is not one of: {allowed}", field="kind"))
    try:
        volumes = volumes_from_f3548(merged.get("volumes"), float(undulation))
    except InvalidDocument as exc:
        problems += exc.problems
    except DeconflictError as exc:
        problems.append(exc)
    if problems:
        raise InvalidDocument(problems)
    return c.Notify(
        merged["id"],
        merged["line"],
        NoticeKind(merged["kind"]),
        volumes,
        str(merged.get("forces", "")),
        str(merged.get("remarks", "")),
    )


# -- export -----------------------------------------------------------------------------------


def _vertices(ring: list[LonLat]) -> list[dict[str, float]]:
    """F3548 vertices: counter-clockwise, the first not repeated at the end."""
    ccw = list(orient(Polygon(ring), sign=1.0).exterior.coords)[:-1]
    return [{"lat": float(lat), "lng": float(lon)} for lon, lat in ccw]


def _volume3d(fp: Footprint) -> dict[str, Any]:
    if fp.shape is Shape.CIRCLE or fp.shape is Shape.POINT:
        lon, lat = fp.coordinates[0]
        radius = fp.radius_m if fp.shape is Shape.CIRCLE else POINT_RADIUS_M
        return {
            "outline_circle": {
                "center": {"lat": lat, "lng": lon},
                "radius": {"value": radius, "units": "M"},
            }
        }
    if fp.shape is Shape.LINE:
        fp = Footprint.corridor(fp.coordinates, LINE_WIDTH_M)
    return {"outline_polygon": {"vertices": _vertices(outline(fp))}}


def _alt(metres: float, undulation: float) -> dict[str, Any]:
    return {"value": from_msl(metres, "W84", undulation), "reference": "W84", "units": "M"}


def _rfc3339(t: datetime) -> dict[str, str]:
    return {"value": format_iso(t), "format": "RFC3339"}


def volume_to_f3548(v: Volume4D, undulation: float = 0.0) -> dict[str, Any]:
    """One 4D volume as an F3548 ``Volume4D`` (heights W84: AMSL plus ``undulation``)."""
    return {
        "volume": _volume3d(v.footprint)
        | {
            "altitude_lower": _alt(v.band.lower_m, undulation),
            "altitude_upper": _alt(v.band.upper_m, undulation),
        },
        "time_start": _rfc3339(v.window.start),
        "time_end": _rfc3339(v.window.end),
    }


def notices_to_f3548(notices: list[Notice], undulation: float = 0.0) -> dict[str, Any]:
    """``{"notices": [{"id", "party", "line", "kind", "state", "version", "volumes"}, …]}``:
    each entry readable back by :func:`notify_from_f3548` (by its own party)."""
    return {
        "notices": [
            {
                "id": n.id,
                "party": n.party,
                "line": n.line,
                "kind": str(n.kind),
                "state": str(n.status),
                "version": n.version,
                **({"forces": n.forces} if n.forces else {}),
                **({"remarks": n.remarks} if n.remarks else {}),
                **({"geoid_undulation_m": undulation} if undulation else {}),
                "volumes": [volume_to_f3548(v, undulation) for v in n.volumes],
            }
            for n in notices
        ]
    }
