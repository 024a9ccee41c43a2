"""Airspace Control Orders over HTTP: a USMTF ACO's airspace control means recorded as control
measures of an arrangement, all of them or none (docs/formats.md).

The import is one transaction of its own (``Deconfliction.handle_together``), run on the event
loop's thread like the writer's batches, so it never interleaves with them; the answer to an
``Idempotency-Key`` is kept in that transaction.
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import Field

from ...adapters.codec import iso
from ...adapters.formats.aco import AcoMeasure, AcoOptions, locate, read_aco
from ...domain.chain import canonical
from ...domain.errors import NotPermitted
from ...domain.measures import Side
from ...domain.parties import Role
from ...service.handlers import Outcome
from ...service.imports import record_together
from ...service.ports import Transaction
from ..context import Caller, IdempotencyMismatch, Who, recorded
from ..encoding import dumps_text
from ..schemas import ImportOut, In

router = APIRouter(tags=["formats: import and export"])

_ID = r"^[A-Za-z0-9_.:-]{1,64}$"


class AcoIn(In):
    """An ACO's text and how its measures are recorded."""

    arrangement: str = Field(pattern=_ID, description="The arrangement the measures belong to")
    text: str = Field(min_length=1, max_length=500_000, description="The ACO, as sent (USMTF)")
    owner: str | None = Field(
        None, pattern=_ID, description="The party owning the zones (default: they bind every party)"
    )
    sides: dict[str, Literal["left", "right"]] = Field(
        default_factory=dict, description="For LINE measures: the side each party keeps"
    )
    ground_m: float | None = Field(
        None, ge=-500, le=9000, description="Ground elevation (m AMSL) for heights above ground"
    )
    prefix: str = Field("aco-", pattern=r"^[A-Za-z0-9_.:-]{0,15}$", description="Ids' prefix")

    def options(self) -> AcoOptions:
        sides = {party: Side(side) for party, side in self.sides.items()}
        return AcoOptions(self.arrangement, self.prefix, self.owner, sides, self.ground_m)


def _may_import(who: Caller) -> None:
    """A viewer records nothing; the handler checks each measure as it would one posted
    alone (an admin, commander or officer of a party bound by the arrangement)."""
    if who.member.role is Role.VIEWER:
        raise NotPermitted(f"a viewer ({who.member.id}) may not record measures")


def _answer(who: Caller, outcomes: list[Outcome], dry_run: bool) -> dict[str, Any]:
    entries = [e for o in outcomes for e in o.entries]
    return {
        "objects": [
            {"type": "measure", "id": e.subject_id} for e in entries if e.kind == "measure.created"
        ],
        "recorded": [] if dry_run else recorded(Outcome(entries)),
        "conflicts": [v for o in outcomes for v in who.conflicts_seen(o)],
    }


def _record(who: Caller, measures: list[AcoMeasure], request: str) -> str:
    services, key = who.services, who.idempotency_key
    kept: list[str] = []

    def remember(outcomes: list[Outcome], tx: Transaction) -> None:
        kept.append(dumps_text(_answer(who, outcomes, dry_run=False)))
        if key is not None:
            tx.remember(who.member.id, key, request, 201, kept[0], iso(services.clock.now()))

    outcomes = record_together(
        services.mechanism,
        who.member.id,
        [m.command() for m in measures],
        locate(measures),
        then=remember,
    )
    services.notifier.notify()
    return kept[0] if kept else dumps_text(_answer(who, outcomes, dry_run=False))


@router.post(
    "/import/aco",
    response_model=ImportOut,
    status_code=201,
    summary="Record an Airspace Control Order's measures: all in one transaction, or nothing; "
    "every bad set reported with its line",
)
async def import_aco(who: Who, body: AcoIn) -> Response:
    _may_import(who)
    payload = body.model_dump(mode="json")
    request = hashlib.sha256(canonical([who.method, who.path, payload])).hexdigest()
    if who.idempotency_key is not None:
        with who.services.store.read() as tx:
            kept = tx.recall(who.member.id, who.idempotency_key)
        if kept is not None:
            digest, status, answer = kept
            if digest != request:
                raise IdempotencyMismatch(
                    "this Idempotency-Key was used for a different request",
                    field="Idempotency-Key",
                )
            return Response(answer, status, {"Idempotent-Replay": "true"}, "application/json")
    measures = read_aco(body.text, body.options())
    return Response(_record(who, measures, request), 201, media_type="application/json")


@router.post(
    "/import/aco/preview",
    response_model=ImportOut,
    summary="Check and screen an Airspace Control Order without recording it",
)
async def preview_aco(who: Who, body: AcoIn) -> dict[str, Any]:
    _may_import(who)
    measures = read_aco(body.text, body.options())
    outcomes = record_together(
        who.services.mechanism,
        who.member.id,
        [m.command() for m in measures],
        locate(measures),
        dry_run=True,
    )
    return _answer(who, outcomes, dry_run=True)
