"""Cursor-on-Target over HTTP: what the caller's party may see, as a file of CoT events for
TAK clients (docs/formats.md). The live stream is ``deconflict cot serve``."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from ...adapters.formats.cot import export
from ..context import Who
from .formats import FromQuery, KindQuery, OwnerQuery, ToQuery, selection_of

router = APIRouter(tags=["formats: import and export"])

MEDIA_TYPE = "application/xml"


@router.get(
    "/export/cot",
    response_class=Response,
    responses={
        200: {
            "description": "An <events> document: one CoT 2.0 <event> per shape",
            "content": {MEDIA_TYPE: {"schema": {"type": "string"}}},
        }
    },
    summary="What the caller's party may see, as Cursor-on-Target events (default: in force "
    "or to come)",
)
def export_cot(
    who: Who,
    kind: KindQuery = None,
    owner: OwnerQuery = None,
    start: FromQuery = None,
    to: ToQuery = None,
) -> Response:
    selection = selection_of(kind, owner, start, to, False)
    with who.services.store.read() as tx:
        data = export(tx, who.party, selection, who.services.clock.now())
    return Response(data, media_type=MEDIA_TYPE)
