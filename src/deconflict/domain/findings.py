"""Findings: the facts the record holds about an incident — never a verdict.

Each fact names the object it comes from and the log sequence number that recorded it, so that
any party can check it against the log it verified on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .conflicts import distance_band
from .declarations import Declaration
from .geometry import geodesic_distance, interiors_meet
from .incidents import Incident, LadderStep
from .lines import Line, Message, MessageKind
from .measures import ControlMeasure, MeasureKind
from .notices import Notice
from .volume import TimeWindow

__all__ = [
    "Fact",
    "Evidence",
    "LineChange",
    "find",
    "NEAR_NOTICE_M",
    "NEAR_DECLARATION_M",
    "AROUND",
]

#: How far from the place a notice of the alleged party still counts as "near" (the 9 km case).
NEAR_NOTICE_M = 25_000.0
#: How far from the place a declaration counts as near.
NEAR_DECLARATION_M = 10_000.0
#: How long before and after the incident messages (overdue, stop requests) are looked at.
AROUND = timedelta(hours=2)


@dataclass(frozen=True)
class Fact:
    kind: str
    seq: int
    subject: str  # "notice:ru-strike-0916", "declaration:…", "message:hotline-air#5"
    summary: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LineChange:
    """A line suspended or resumed: when, and by which log entry."""

    line: Line
    suspended: bool
    at: datetime
    seq: int


@dataclass(frozen=True)
class Evidence:
    """Everything on record a finding may draw on, each with the sequence number of its state."""

    notices: Sequence[tuple[Notice, int]] = ()
    declarations: Sequence[tuple[Declaration, int]] = ()
    measures: Sequence[tuple[ControlMeasure, int]] = ()
    messages: Sequence[tuple[Message, int]] = ()
    ladder: Sequence[tuple[LadderStep, int]] = ()
    line_changes: Sequence[LineChange] = ()


def _meets_place(incident: Incident, notice: Notice) -> tuple[float, TimeWindow] | None:
    """The closest volume of the notice to the incident during its window: (metres, overlap)."""
    best: tuple[float, TimeWindow] | None = None
    for volume in notice.volumes:
        overlap = volume.window.overlap(incident.window)
        if overlap is None:
            continue
        metres = (
            0.0
            if interiors_meet(volume.footprint, incident.place)
            else geodesic_distance(volume.footprint, incident.place)
        )
        if best is None or metres < best[0]:
            best = (metres, overlap)
    return best


def _acks(message: Message | None) -> list[dict[str, Any]]:
    if message is None:
        return []
    return [
        {"party": a.party, "answer": str(a.answer), "at": a.at.isoformat(), "reason": a.reason}
        for a in message.acknowledgements
    ]


def _notice_facts(
    incident: Incident, evidence: Evidence, by_notice: dict[str, Message]
) -> Iterable[Fact]:
    for notice, seq in evidence.notices:
        met = _meets_place(incident, notice)
        if met is None:
            continue
        metres, overlap = met
        covering = metres == 0.0
        if not covering and (notice.party not in incident.alleged or metres > NEAR_NOTICE_M):
            continue
        acks = _acks(by_notice.get(notice.id))
        data: dict[str, Any] = {
            "notice": notice.id,
            "party": notice.party,
            "kind": str(notice.kind),
            "version": notice.version,
            "status": str(notice.status),
            "filed_at": notice.filed_at.isoformat(),
            "first_filed_at": (notice.first_filed_at or notice.filed_at).isoformat(),
            "lead_min": round(notice.lead_time.total_seconds() / 60),
            "offset_m": round(metres, 1),
            "window": [overlap.start.isoformat(), overlap.end.isoformat()],
            "acknowledgements": acks,
        }
        kind = "notice_covering" if covering else "notice_nearby"
        where = "covered the place" if covering else f"was {metres:,.0f} m from the place"
        answers = "; ".join(f"{a['party']} {a['answer']} at {a['at']}" for a in acks)
        summary = (
            f"{notice.party} notice {notice.id} v{notice.version} ({notice.kind}), filed "
            f"{data['lead_min']} min ahead, {where}; {('answered: ' + answers) if answers else 'unanswered'}"
        )
        yield Fact(kind, seq, f"notice:{notice.id}", summary, data)


def _declaration_facts(incident: Incident, evidence: Evidence) -> Iterable[Fact]:
    for decl, seq in evidence.declarations:
        if decl.window.overlap(incident.window) is None:
            continue
        metres = geodesic_distance(decl.footprint, incident.place)
        if metres > NEAR_DECLARATION_M:
            continue
        seen_by = {p: decl.visible_to(p) for p in incident.alleged}
        data = {
            "declaration": decl.id,
            "party": decl.party,
            "kind": str(decl.kind),
            "forces": decl.forces,
            "distance_m": round(metres, 1),
            "distance_band": distance_band(metres),
            "declared_at": decl.declared_at.isoformat(),
            "disclosed_to": list(decl.disclosed_to),
            "visible_to_alleged": seen_by,
            "withdrawn": decl.withdrawn,
        }
        unseen = [p for p, seen in seen_by.items() if not seen]
        note = f"; not disclosed to {', '.join(unseen)}" if unseen else ""
        summary = f"{decl.party} declared {decl.kind} {decl.id} {metres:,.0f} m away at {data['declared_at']}{note}"
        yield Fact("declaration_near", seq, f"declaration:{decl.id}", summary, data)


def _measure_facts(incident: Incident, evidence: Evidence) -> Iterable[Fact]:
    centre = incident.place.centre()
    for measure, seq in evidence.measures:
        if measure.window.overlap(incident.window) is None:
            continue
        if measure.kind is MeasureKind.ZONE:
            if (
                interiors_meet(incident.place, measure.footprint)
                or geodesic_distance(incident.place, measure.footprint) == 0
            ):
                yield Fact(
                    "zone_entered",
                    seq,
                    f"measure:{measure.id}",
                    f"the place lies in {measure.name} ({measure.rule})",
                    {"measure": measure.id, "rule": str(measure.rule), "owner": measure.owner},
                )
            continue
        if geodesic_distance(incident.place, measure.footprint) > measure.reach_m:
            continue
        side = measure.side_of(centre)
        keepers = sorted(p for p, s in measure.sides.items() if s == side)
        others = [p for p in incident.alleged if measure.sides.get(p) not in (None, side)]
        if others:
            summary = f"the place is on the {', '.join(keepers) or side} side of {measure.name}, not the side {', '.join(others)} keeps to"
            yield Fact(
                "line_side",
                seq,
                f"measure:{measure.id}",
                summary,
                {
                    "measure": measure.id,
                    "side": str(side),
                    "side_of": keepers,
                    "alleged_beyond": others,
                },
            )


#: Messages that speak about a notice involved in the incident ("are these yours?", "not ours").
_ATTRIBUTION = frozenset(
    {MessageKind.QUERY, MessageKind.REPLY, MessageKind.WARNING, MessageKind.TEXT}
)


def _message_facts(incident: Incident, evidence: Evidence, notices: set[str]) -> Iterable[Fact]:
    around = TimeWindow(incident.window.start - AROUND, incident.window.end + AROUND)
    parties = {incident.party, *incident.affected, *incident.alleged}
    for message, seq in evidence.messages:
        about_notice = message.notice in notices and message.kind in _ATTRIBUTION
        linked = message.incident == incident.id or about_notice
        acks = _acks(message)
        data: dict[str, Any] = {
            "line": message.line,
            "number": message.number,
            "kind": str(message.kind),
            "party": message.party,
            "sent_at": message.sent_at.isoformat(),
            "text": message.text,
            "acknowledgements": acks,
        }
        if linked:
            yield Fact(
                f"linked_{message.kind}",
                seq,
                f"message:{message.id}",
                f"{message.party} {message.kind} on {message.line} #{message.number}: {message.text}",
                data,
            )
        elif message.kind is MessageKind.STOP_REQUEST and (
            message.notice in notices or around.contains(message.sent_at)
        ):
            answered = (
                ", ".join(f"{a['party']} {a['answer']} at {a['at']}" for a in acks) or "unanswered"
            )
            yield Fact(
                "stop_request",
                seq,
                f"message:{message.id}",
                f"{message.party} asked to stop on {message.line} #{message.number} at {data['sent_at']} ({answered})",
                data,
            )
        elif (
            message.overdue_at is not None
            and around.contains(message.overdue_at)
            and message.party in parties
        ):
            data["overdue_at"] = message.overdue_at.isoformat()
            yield Fact(
                "overdue",
                seq,
                f"message:{message.id}",
                f"{message.line} #{message.number} from {message.party} went unanswered past its deadline",
                data,
            )


def _around(incident: Incident) -> TimeWindow:
    return TimeWindow(incident.window.start - AROUND, incident.window.end + AROUND)


def _ladder_facts(incident: Incident, evidence: Evidence) -> Iterable[Fact]:
    zones = {m.id: m for m, _ in evidence.measures}
    for step, seq in evidence.ladder:
        zone = zones.get(step.zone)
        in_zone = zone is not None and interiors_meet(incident.place, zone.footprint)
        if step.incident == incident.id or (in_zone and _around(incident).contains(step.at)):
            yield Fact(
                "ladder_step",
                seq,
                f"ladder_step:{step.id}",
                f"{step.party} at {step.rung} in zone {step.zone} at {step.at.isoformat()}",
                {
                    "zone": step.zone,
                    "rung": str(step.rung),
                    "party": step.party,
                    "at": step.at.isoformat(),
                    "text": step.text,
                },
            )


def _line_facts(incident: Incident, evidence: Evidence) -> Iterable[Fact]:
    involved = {incident.party, *incident.affected, *incident.alleged}
    for change in evidence.line_changes:
        if involved & set(change.line.parties) and _around(incident).contains(change.at):
            verb = "suspended" if change.suspended else "resumed"
            yield Fact(
                f"line_{verb}",
                change.seq,
                f"line:{change.line.id}",
                f"line {change.line.id} was {verb} at {change.at.isoformat()}",
                {
                    "line": change.line.id,
                    "at": change.at.isoformat(),
                    "parties": list(change.line.parties),
                },
            )


def find(incident: Incident, evidence: Evidence) -> list[Fact]:
    """Every fact on record about ``incident``, in a stable order (notices, declarations,
    measures, messages). Facts, with their sequence numbers; no verdict."""
    by_notice = {
        m.notice: m for m, _ in evidence.messages if m.kind is MessageKind.NOTICE and m.notice
    }
    facts = list(_notice_facts(incident, evidence, by_notice))
    involved = {f.data["notice"] for f in facts}
    facts += _declaration_facts(incident, evidence)
    facts += _measure_facts(incident, evidence)
    facts += _message_facts(incident, evidence, involved)
    facts += _ladder_facts(incident, evidence)
    facts += _line_facts(incident, evidence)
    return facts
