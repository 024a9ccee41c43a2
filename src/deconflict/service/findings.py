"""The finding for an incident, drawn from the store each time it is read, so it is always up to
date with the facts that have arrived since the report."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from ..domain.declarations import Declaration
from ..domain.errors import NotFound
from ..domain.findings import AROUND, Evidence, Fact, LineChange, find
from ..domain.incidents import Incident, LadderStep
from ..domain.lines import Line, Message
from ..domain.measures import ControlMeasure
from ..domain.notices import Notice
from ..domain.volume import TimeWindow
from .ports import Transaction
from .visibility import Visibility

__all__ = ["finding", "report_material", "ReportMaterial"]


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


@dataclass(frozen=True)
class ReportMaterial:
    """What a report for one reader may show: the facts, and the objects behind them that the
    reader may see (their geometry included), with the messages around the incident."""

    incident: Incident
    facts: list[Fact]
    notices: list[Notice]
    declarations: list[Declaration]
    measures: list[ControlMeasure]
    messages: list[Message]


def report_material(tx: Transaction, incident_id: str, party: str | None = None) -> ReportMaterial:
    incident, facts = finding(tx, incident_id, party)
    seen = Visibility(tx, party) if party else None
    named = {f.subject for f in facts}

    def shown(record: Notice | Declaration | ControlMeasure | Message) -> bool:
        return seen is None or seen.sees(record)

    around = TimeWindow(incident.window.start - AROUND, incident.window.end + AROUND)
    messages = [
        m
        for m in tx.all(Message)
        if shown(m)
        and (f"message:{m.id}" in named or m.incident == incident.id or around.contains(m.sent_at))
    ]
    return ReportMaterial(
        incident,
        facts,
        [n for n in tx.all(Notice) if f"notice:{n.id}" in named and shown(n)],
        [d for d in tx.all(Declaration) if f"declaration:{d.id}" in named and shown(d)],
        [m for m in tx.all(ControlMeasure) if f"measure:{m.id}" in named and shown(m)],
        sorted(messages, key=lambda m: (m.sent_at, m.line, m.number)),
    )
