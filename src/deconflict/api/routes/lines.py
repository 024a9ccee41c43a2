"""Lines and their numbered messages: send, acknowledge, suspend and resume."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from ...domain.errors import NotFound
from ...domain.lines import Line, Message
from ..context import Who, recorded_only
from ..presenters import present
from ..schemas import AcknowledgeIn, CommandOut, MessageIn, MessageOut

router = APIRouter(prefix="/lines", tags=["lines"])

#: The message kinds a member sends as they are, by the scenario action that sends them.
_ACTIONS = {
    "query": "query",
    "reply": "reply",
    "stop_request": "stop",
    "warning": "warn",
    "text": "message",
}


def _own_line(who: Who, line_id: str) -> Line:
    with who.services.store.read() as tx:
        line = tx.get(Line, line_id)
    if line is None or who.party not in line.parties:
        raise NotFound(f"no line {line_id!r} for {who.party}", field="line")
    return line


@router.get(
    "/{line_id}/messages",
    response_model=list[MessageOut],
    summary="The messages of a line, in order",
)
def messages(who: Who, line_id: str, after: int = Query(0, ge=0, le=2**31)) -> list[dict[str, Any]]:
    _own_line(who, line_id)
    with who.services.store.read() as tx:
        found = [m for m in tx.all(Message) if m.line == line_id and m.number > after]
    return [present(m) for m in sorted(found, key=lambda m: m.number)]


@router.post(
    "/{line_id}/messages",
    response_model=CommandOut,
    status_code=201,
    summary="Send a query, reply, stop request, warning or free text",
)
async def send(who: Who, line_id: str, body: MessageIn) -> Response:
    payload = {"line": line_id, **body.model_dump(exclude={"kind"}, exclude_none=True)}
    return await who.run(_ACTIONS[body.kind], payload, recorded_only)


@router.post(
    "/{line_id}/messages/{number}/acknowledge",
    response_model=CommandOut,
    status_code=201,
    summary="Answer a message: received, no objection, or objection with a reason",
)
async def acknowledge(who: Who, line_id: str, number: int, body: AcknowledgeIn) -> Response:
    payload = {"line": line_id, "number": number, **body.model_dump()}
    return await who.run("acknowledge", payload, recorded_only)


@router.post("/{line_id}/suspend", response_model=CommandOut, summary="Suspend a line (commander)")
async def suspend(who: Who, line_id: str) -> Response:
    return await who.run("suspend_line", {"line": line_id}, recorded_only, status=200)


@router.post("/{line_id}/resume", response_model=CommandOut, summary="Resume a line (commander)")
async def resume(who: Who, line_id: str) -> Response:
    return await who.run("resume_line", {"line": line_id}, recorded_only, status=200)
