"""Cursor-on-Target over HTTP: what the caller's party may see, as a file of CoT events for
TAK clients (docs/formats.md). The live stream is ``deconflict cot serve``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from ...adapters.formats.cot import export
from ...adapters.formats.timefmt import parse_time
from ...domain.errors import DeconflictError
from ...service.selection import Kind, Selection
from ..context import Who

router = APIRouter(tags=["formats: import and export"])

MEDIA_TYPE = "application/xml"


def _time(text: str | None, name: str) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_time(text)
    except DeconflictError as exc:
        raise exc.at(name) from None


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
    kind: Annotated[list[Kind] | None, Query(description="Only these kinds (repeat)")] = None,
    owner: Annotated[
        list[Annotated[str, Query(max_length=64)]] | None,
        Query(max_length=100, description="Only what these parties own (repeat)"),
    ] = None,
    start: Annotated[
        str | None,
        Query(alias="from", max_length=40, description="In force after (ISO or DTG)"),
    ] = None,
    to: Annotated[
        str | None, Query(max_length=40, description="In force before (ISO or DTG)")
    ] = None,
) -> Response:
    window = _time(start, "from"), _time(to, "to")
    try:
        selection = Selection(frozenset(kind or ()), frozenset(owner or ()), *window)
    except DeconflictError as exc:
        exc.field = "to"  # the only check: the end after the start
        raise
    with who.services.store.read() as tx:
        data = export(tx, who.party, selection, who.services.clock.now())
    return Response(data, media_type=MEDIA_TYPE)
