"""Declarations, control measures and conflicts, as the caller's party may see them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from ...adapters.codec import iso
from ...adapters.formats.timefmt import parse_time
from ...domain.conflicts import Conflict
from ...service.timeline import situation_at
from ...service.views import conflict_views, visible_declarations, visible_measures
from ..context import Who, recorded
from ..presenters import present
from ..schemas import (
    CommandOut,
    ConflictOut,
    DeclarationIn,
    DeclarationOut,
    MeasureIn,
    MeasureOut,
    NoticePreviewOut,
    SituationOut,
)

router = APIRouter(tags=["declarations, measures and conflicts"])


def _screened(who: Who) -> Any:
    return lambda outcome: {"recorded": recorded(outcome), "conflicts": who.conflicts_seen(outcome)}


@router.get(
    "/declarations",
    response_model=list[DeclarationOut],
    summary="Declarations: the party's own and those disclosed to it",
)
def declarations(who: Who) -> list[dict[str, Any]]:
    with who.services.store.read() as tx:
        return [present(d) for d in visible_declarations(tx, who.party)]


@router.post(
    "/declarations",
    response_model=CommandOut,
    status_code=201,
    summary="Declare a position, site or movement; screened against active notices",
)
async def declare(who: Who, body: DeclarationIn) -> Response:
    return await who.run("declare", body.model_dump(mode="json", exclude_none=True), _screened(who))


@router.post(
    "/declarations/preview",
    response_model=NoticePreviewOut,
    summary="Screen a declaration without recording it: the conflicts it would make",
)
async def preview_declaration(who: Who, body: DeclarationIn) -> dict[str, Any]:
    return await who.preview("declare", body.model_dump(mode="json", exclude_none=True))


@router.post(
    "/declarations/{declaration_id}/withdraw",
    response_model=CommandOut,
    summary="Withdraw a declaration",
)
async def withdraw(who: Who, declaration_id: str) -> Response:
    return await who.run("withdraw", {"id": declaration_id}, _screened(who), status=200)


@router.get(
    "/measures",
    response_model=list[MeasureOut],
    summary="The control measures of the party's arrangements",
)
def measures(who: Who) -> list[dict[str, Any]]:
    with who.services.store.read() as tx:
        return [present(m) for m in visible_measures(tx, who.party)]


@router.post(
    "/measures",
    response_model=CommandOut,
    status_code=201,
    summary="Record an agreed line or zone; screened against active notices",
)
async def create_measure(who: Who, body: MeasureIn) -> Response:
    return await who.run(
        "create_measure", body.model_dump(mode="json", exclude_none=True), _screened(who)
    )


@router.post(
    "/measures/preview",
    response_model=NoticePreviewOut,
    summary="Screen a line or zone without recording it: the conflicts it would make",
)
async def preview_measure(who: Who, body: MeasureIn) -> dict[str, Any]:
    return await who.preview("create_measure", body.model_dump(mode="json", exclude_none=True))


@router.get(
    "/conflicts",
    response_model=list[ConflictOut],
    summary="Conflicts the party takes part in, as it may see them (need-to-know)",
)
def conflicts(who: Who, active: bool = False) -> list[dict[str, Any]]:
    with who.services.store.read() as tx:
        views = conflict_views(tx, who.party, tx.all(Conflict))
    return [present(v) for v in views if v.active or not active]


@router.get(
    "/situation",
    response_model=SituationOut,
    summary="The situation at a past time, replayed from the log, as the party could read it then",
)
def situation(
    who: Who,
    at: str = Query(
        ..., max_length=40, description="ISO 8601 with a zone, or a DTG (161000ZSEP17)"
    ),
) -> dict[str, Any]:
    when = parse_time(at)
    past = situation_at(who.services.store, who.party, when)
    view = past.view
    return {
        "at": iso(past.at),
        "seq": past.seq,
        "notices": [present(n) for n in view.notices],
        "declarations": [present(d) for d in view.declarations],
        "measures": [present(m) for m in view.measures],
        "conflicts": [present(c) for c in view.conflicts],
        "messages": [present(m) for m in view.messages],
    }
