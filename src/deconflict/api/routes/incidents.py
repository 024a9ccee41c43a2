"""Incidents: report them, read their findings and reports, climb a zone's ladder, and the
picture of tension."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from ...adapters.codec import to_dict
from ...adapters.report import write_report
from ...domain.incidents import Incident
from ...service.findings import finding, report_material
from ...service.tension import tension
from ..context import Who, recorded_only
from ..presenters import present
from ..schemas import CommandOut, FindingOut, IncidentIn, IncidentOut, LadderIn, TensionOut

router = APIRouter(tags=["incidents"])


def _involved(incident: Incident, party: str) -> bool:
    return party in (incident.party, *incident.affected, *incident.alleged)


@router.get(
    "/incidents",
    response_model=list[IncidentOut],
    summary="Incidents the caller's party reported, suffered or is alleged in",
)
def incidents(who: Who) -> list[dict[str, Any]]:
    with who.services.store.read() as tx:
        return [present(i) for i in tx.all(Incident) if _involved(i, who.party)]


@router.post("/incidents", response_model=CommandOut, status_code=201, summary="Report an incident")
async def report_incident(who: Who, body: IncidentIn) -> Response:
    return await who.run(
        "report_incident", body.model_dump(mode="json", exclude_none=True), recorded_only
    )


@router.get(
    "/incidents/{incident_id}/finding",
    response_model=FindingOut,
    summary="The facts on record about an incident, each with its log sequence number",
)
def incident_finding(who: Who, incident_id: str) -> dict[str, Any]:
    with who.services.store.read() as tx:
        incident, facts = finding(tx, incident_id, who.party)
    return {"incident": present(incident), "facts": [to_dict(f) for f in facts]}


@router.get(
    "/incidents/{incident_id}/report",
    response_class=HTMLResponse,
    summary="The finding as a self-contained HTML report (map inside), as the caller may read it",
)
def incident_report(who: Who, incident_id: str) -> HTMLResponse:
    with who.services.store.read() as tx:
        material = report_material(tx, incident_id, who.party)
    return HTMLResponse(write_report(material, who.party).html)


@router.post(
    "/measures/{zone_id}/ladder",
    response_model=CommandOut,
    status_code=201,
    summary="Record a step of a zone's escalation ladder (the zone's owner, commander)",
)
async def climb_ladder(who: Who, zone_id: str, body: LadderIn) -> Response:
    return await who.run(
        "climb_ladder",
        {"zone": zone_id, **body.model_dump(mode="json", exclude_none=True)},
        recorded_only,
    )


@router.get(
    "/tension",
    response_model=list[TensionOut],
    summary="Per day and pair of parties the caller belongs to",
)
def tension_picture(who: Who) -> list[dict[str, Any]]:
    with who.services.store.read() as tx:
        rows = tension(tx, who.party)
    return [{"day": r.day.isoformat(), "parties": list(r.pair), **r.counts} for r in rows]
