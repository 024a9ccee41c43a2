"""The map picture of an incident report, drawn offline (matplotlib, no tiles, no network):
borders, rivers and coastlines from the datasets installed with the project, under the
report's own layers."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # no display: files only

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Polygon as Patch  # noqa: E402

from ..domain.geometry import GEOD, Footprint, Shape  # noqa: E402
from .basemap import base_layer  # noqa: E402

__all__ = ["Layer", "render_map", "SIZE_PX"]

SIZE_PX = (900, 700)
_DPI = 100
#: How the base layer (datasets installed with the project) is drawn under the report's layers.
_BASE_STYLE = {
    "coast": {"color": "#5b6770", "linewidth": 0.9},
    "border": {"color": "#8a7f8d", "linewidth": 1.0, "linestyle": (0, (6, 3))},
    "river": {"color": "#6fa8dc", "linewidth": 1.2},
}


@dataclass(frozen=True)
class Layer:
    footprint: Footprint
    label: str
    colour: str
    filled: bool = True


def _ring(fp: Footprint, steps: int = 72) -> list[tuple[float, float]]:
    """The outline of a footprint in lon/lat (circles and corridors drawn on the ellipsoid)."""
    if fp.shape in (Shape.CIRCLE, Shape.POINT):
        lon, lat = fp.coordinates[0]
        radius = fp.radius_m or 150.0
        points = [GEOD.fwd(lon, lat, 360.0 * i / steps, radius)[:2] for i in range(steps)]
        return [(float(x), float(y)) for x, y in points]
    if fp.shape is Shape.POLYGON:
        return list(fp.coordinates)
    # A corridor: its outline, half the width each side of the path (degrees of latitude: a
    # drawing, not a measure — distances are never read off the picture).
    outline = fp.core.buffer(max(fp.reach_m, 100.0) / 110_574.0, cap_style="flat")
    return [(float(x), float(y)) for x, y in outline.exterior.coords]


def render_map(
    layers: Sequence[Layer], centre: tuple[float, float], span_m: float, title: str
) -> bytes:
    """A PNG of the layers around ``centre`` (``span_m`` across), with a scale and north up."""
    lon0, lat0 = centre
    dlat = span_m / 2 / 110_574.0
    dlon = dlat / max(math.cos(math.radians(lat0)), 0.01)
    fig, ax = plt.subplots(figsize=(SIZE_PX[0] / _DPI, SIZE_PX[1] / _DPI), dpi=_DPI)
    ax.set_facecolor("#f4f1e8")
    bbox = (lon0 - dlon, lat0 - dlat, lon0 + dlon, lat0 + dlat)
    for feature in base_layer(bbox, "i", simplify=False)["features"]:
        xs, ys = zip(*feature["geometry"]["coordinates"], strict=True)
        ax.plot(xs, ys, zorder=0, **_BASE_STYLE[feature["properties"]["layer"]])  # type: ignore[arg-type]
    for layer in layers:
        if layer.footprint.shape is Shape.LINE:
            xs, ys = zip(*layer.footprint.coordinates, strict=True)
            ax.plot(xs, ys, color=layer.colour, linewidth=2.5, label=layer.label)
            continue
        ax.add_patch(
            Patch(
                _ring(layer.footprint),
                closed=True,
                facecolor=layer.colour if layer.filled else "none",
                edgecolor=layer.colour,
                alpha=0.35 if layer.filled else 1.0,
                linewidth=1.8,
                label=layer.label,
            )
        )
    ax.set_xlim(lon0 - dlon, lon0 + dlon)
    ax.set_ylim(lat0 - dlat, lat0 + dlat)
    ax.set_aspect(1 / max(math.cos(math.radians(lat0)), 0.01))
    ax.set_xlabel("longitude (WGS 84)")
    ax.set_ylabel("latitude (WGS 84)")
    ax.set_title(title, fontsize=11)
    ax.grid(True, linewidth=0.3)
    if layers:
        ax.legend(loc="upper right", fontsize=8, framealpha=0.9)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI)
    plt.close(fig)
    return buffer.getvalue()
