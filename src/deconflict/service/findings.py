"""The finding for an incident, drawn from the store each time it is read, so it is always up to
date with the facts that have arrived since the report."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from ..domain.declarations import Declaration
from ..domain.errors import NotFound
from ..domain.findings import Evidence, Fact, LineChange, find
from ..domain.incidents import Incident, LadderStep
from ..domain.lines import Line, Message
from ..domain.measures import ControlMeasure
from ..domain.notices import Notice
from .ports import Transaction

__all__ = ["finding"]


def _for_party(fact: Fact, party: str, tx: Transaction) -> Fact:
    """A declaration the reader may not see is named by kind, owner and distance band only."""
    if fact.kind != "declaration_near":
        return fact
    decl = tx.get(Declaration, fact.data["declaration"])
    if decl is None or decl.visible_to(party):
        return fact
    data = {k: v for k, v in fact.data.items() if k not in ("declaration", "distance_m", "forces")}
    summary = f"{decl.party} declared a {decl.kind} {fact.data['distance_band']} from the place (not disclosed to {party})"
    return replace(fact, subject="declaration:(not disclosed)", summary=summary, data=data)


def _line_changes(tx: Transaction) -> list[LineChange]:
    return [
        LineChange(
            line,
            entry.kind == "line.suspended",
            datetime.fromisoformat(entry.at.replace("Z", "+00:00")),
            entry.seq,
        )
        for current in tx.all(Line)
        for entry, line in tx.history(Line, current.id)
        if entry.kind in ("line.suspended", "line.resumed")
    ]


def finding(
    tx: Transaction, incident_id: str, party: str | None = None
) -> tuple[Incident, list[Fact]]:
    """The incident and every fact on record about it, as ``party`` may read them."""
    incident = tx.get(Incident, incident_id)
    if incident is None or (
        party is not None and party not in (incident.party, *incident.affected, *incident.alleged)
    ):
        raise NotFound(f"no incident {incident_id!r}", field="id")
    evidence = Evidence(
        notices=tx.all_with_seq(Notice),
        declarations=tx.all_with_seq(Declaration),
        measures=tx.all_with_seq(ControlMeasure),
        messages=tx.all_with_seq(Message),
        ladder=tx.all_with_seq(LadderStep),
        line_changes=_line_changes(tx),
    )
    facts = find(incident, evidence)
    return incident, [_for_party(f, party, tx) for f in facts] if party else facts
