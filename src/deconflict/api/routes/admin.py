"""Parties, members and their tokens, arrangements, lines: the administrator's resources."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from ...domain.arrangement import Arrangement
from ...domain.credentials import token_digest
from ...domain.lines import Line
from ...domain.parties import Member, Party
from ..context import Who, recorded_only
from ..presenters import present
from ..schemas import (
    ArrangementIn,
    CommandOut,
    LineIn,
    LineOut,
    MemberIn,
    MemberOut,
    MeOut,
    NewMemberOut,
    PartyIn,
    PartyOut,
)

router = APIRouter(tags=["parties, members and agreements"])


@router.get("/me", response_model=MeOut, summary="Who the token belongs to")
def me(who: Who) -> dict[str, Any]:
    return {"member": present(who.member)}


@router.get("/parties", response_model=list[PartyOut], summary="Every party")
def parties(who: Who) -> list[dict[str, Any]]:
    with who.services.store.read() as tx:
        return [present(p) for p in tx.all(Party)]


@router.post(
    "/parties", response_model=CommandOut, status_code=201, summary="Create a party (admin)"
)
async def create_party(body: PartyIn, who: Who) -> Response:
    return await who.run("create_party", body.model_dump(), recorded_only)


@router.get("/members", response_model=list[MemberOut], summary="The members of the caller's party")
def members(who: Who) -> list[dict[str, Any]]:
    with who.services.store.read() as tx:
        return [present(m) for m in tx.all(Member) if m.party == who.party]


@router.post(
    "/members",
    response_model=NewMemberOut,
    status_code=201,
    summary="Add a member and issue its token, shown once (admin)",
)
async def add_member(body: MemberIn, who: Who) -> Response:
    token = secrets.token_urlsafe(32)
    payload = body.model_dump(mode="json") | {"token_sha256": token_digest(token)}

    def respond(_: Any) -> dict[str, Any]:
        return {"member": body.model_dump(mode="json"), "token": token}

    return await who.run("add_member", payload, respond)


@router.post(
    "/members/{member_id}/revoke",
    response_model=CommandOut,
    summary="Revoke a member's tokens (admin)",
)
async def revoke(member_id: str, who: Who) -> Response:
    return await who.run("revoke_credentials", {"member": member_id}, recorded_only, status=200)


@router.get("/arrangements", summary="The arrangements the caller's party is bound by")
def arrangements(who: Who) -> list[dict[str, Any]]:
    with who.services.store.read() as tx:
        return [present(a) for a in tx.all(Arrangement) if who.party in a.parties]


@router.post(
    "/arrangements",
    response_model=CommandOut,
    status_code=201,
    summary="Record an arrangement (admin)",
)
async def create_arrangement(body: ArrangementIn, who: Who) -> Response:
    return await who.run(
        "create_arrangement", body.model_dump(mode="json", exclude_none=True), recorded_only
    )


@router.get("/lines", response_model=list[LineOut], summary="The lines the caller's party is on")
def lines(who: Who) -> list[dict[str, Any]]:
    with who.services.store.read() as tx:
        return [present(line) for line in tx.all(Line) if who.party in line.parties]


@router.post("/lines", response_model=CommandOut, status_code=201, summary="Open a line (admin)")
async def open_line(body: LineIn, who: Who) -> Response:
    return await who.run("open_line", body.model_dump(mode="json"), recorded_only)
