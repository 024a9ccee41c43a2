"""Notices: file or amend (or preview the screening of either), cancel; read with versions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from ...domain.notices import Notice
from ...service.handlers import Outcome
from ...service.views import notice_history, visible_notices
from ..context import Caller, Who, recorded
from ..presenters import present
from ..schemas import (
    AmendIn,
    CancelIn,
    NoticeCommandOut,
    NoticeIn,
    NoticeOut,
    NoticePreviewOut,
    VersionOut,
)

router = APIRouter(prefix="/notices", tags=["notices"])


def _answer(who: Caller, notice_id: str) -> Any:
    def respond(outcome: Outcome) -> dict[str, Any]:
        notice = outcome.result if isinstance(outcome.result, Notice) else None
        return {
            "recorded": recorded(outcome),
            "conflicts": who.conflicts_seen(outcome),
            "notice": present(notice) if notice else None,
        }

    return respond


@router.get("", response_model=list[NoticeOut], summary="The notices the caller's party may see")
def notices(who: Who, active: bool = False) -> list[dict[str, Any]]:
    with who.services.store.read() as tx:
        found = visible_notices(tx, who.party)
    return [present(n) for n in found if n.active or not active]


@router.post(
    "",
    response_model=NoticeCommandOut,
    status_code=201,
    summary="File a notice: screened at once; the answer holds the conflicts it made",
)
async def file_notice(who: Who, body: NoticeIn) -> Response:
    return await who.run(
        "notify", body.model_dump(mode="json", exclude_none=True), _answer(who, body.id)
    )


@router.post(
    "/preview",
    response_model=NoticePreviewOut,
    summary="Screen a notice without filing it: the conflicts it would make; nothing recorded",
)
async def preview_notice(who: Who, body: NoticeIn) -> dict[str, Any]:
    return await who.preview("notify", body.model_dump(mode="json", exclude_none=True))


@router.get("/{notice_id}", response_model=NoticeOut, summary="A notice's current version")
def notice(who: Who, notice_id: str) -> dict[str, Any]:
    with who.services.store.read() as tx:
        _, current = notice_history(tx, notice_id, who.party)[-1]
    return present(current)


@router.get(
    "/{notice_id}/versions", response_model=list[VersionOut], summary="Every version of a notice"
)
def versions(who: Who, notice_id: str) -> list[dict[str, Any]]:
    with who.services.store.read() as tx:
        history = notice_history(tx, notice_id, who.party)
    return [
        {"seq": e.seq, "kind": e.kind, "at": e.at, "actor": e.actor, "notice": present(n)}
        for e, n in history
    ]


@router.post(
    "/{notice_id}/amend",
    response_model=NoticeCommandOut,
    status_code=201,
    summary="Amend a notice: a new version, screened again",
)
async def amend(who: Who, notice_id: str, body: AmendIn) -> Response:
    payload = {"id": notice_id, **body.model_dump(mode="json", exclude_none=True)}
    return await who.run("amend", payload, _answer(who, notice_id))


@router.post(
    "/{notice_id}/amend/preview",
    response_model=NoticePreviewOut,
    summary="Screen an amendment without filing it: the conflicts the new version would make",
)
async def preview_amendment(who: Who, notice_id: str, body: AmendIn) -> dict[str, Any]:
    payload = {"id": notice_id, **body.model_dump(mode="json", exclude_none=True)}
    return await who.preview("amend", payload)


@router.post("/{notice_id}/cancel", response_model=NoticeCommandOut, summary="Cancel a notice")
async def cancel(who: Who, notice_id: str, body: CancelIn) -> Response:
    return await who.run(
        "cancel", {"id": notice_id, "reason": body.reason}, _answer(who, notice_id), status=200
    )
