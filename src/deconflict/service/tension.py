"""The picture of tension: per pair of parties and per UTC day, how often things went wrong."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from ..domain.conflicts import Conflict, ConflictRule
from ..domain.incidents import Incident
from ..domain.lines import Line, Message, MessageKind
from ..domain.measures import ControlMeasure
from .ports import Transaction

__all__ = ["TensionRow", "tension", "COUNTS"]

#: What each row counts, in the order it is shown.
COUNTS = ("incidents", "line_crossings", "zone_entries", "overdue", "warnings")
_LINE_RULES = {ConflictRule.LINE_CROSSING, ConflictRule.LINE_SIDE}
_ZONE_RULES = {ConflictRule.ZONE_NO_ENTRY, ConflictRule.ZONE_NO_STRIKE, ConflictRule.ZONE_NOTIFY}


@dataclass
class TensionRow:
    day: date
    pair: tuple[str, str]
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))


def _pairs(one: str, others: Iterable[str]) -> list[tuple[str, str]]:
    return [(min(one, o), max(one, o)) for o in others if o != one]


def tension(tx: Transaction, party: str | None = None) -> list[TensionRow]:
    """Rows by day then pair; a party sees the pairs it belongs to."""
    rows: dict[tuple[date, tuple[str, str]], TensionRow] = {}

    def count(day: date, pairs: Iterable[tuple[str, str]], what: str) -> None:
        for pair in pairs:
            rows.setdefault((day, pair), TensionRow(day, pair)).counts[what] += 1

    for incident in tx.all(Incident):
        count(incident.window.start.date(), _pairs(incident.party, incident.alleged), "incidents")
    measures = {m.id: m for m in tx.all(ControlMeasure)}
    for conflict in tx.all(Conflict):
        measure = measures.get(conflict.other.id) if conflict.other.type == "measure" else None
        if not conflict.active or measure is None or conflict.window is None:
            continue
        if conflict.rule in _LINE_RULES:
            count(
                conflict.window.start.date(),
                _pairs(conflict.subject.party, measure.sides),
                "line_crossings",
            )
        elif conflict.rule in _ZONE_RULES and measure.owner:
            count(
                conflict.window.start.date(),
                _pairs(conflict.subject.party, [measure.owner]),
                "zone_entries",
            )
    lines = {line.id: line for line in tx.all(Line)}
    for message in tx.all(Message):
        line = lines[message.line]
        if message.overdue_at is not None:
            count(
                message.overdue_at.date(),
                _pairs(message.party, message.awaiting(line.parties)),
                "overdue",
            )
        if message.kind is MessageKind.WARNING:
            count(message.sent_at.date(), _pairs(message.party, line.parties), "warnings")
    picked = [r for r in rows.values() if party is None or party in r.pair]
    return sorted(picked, key=lambda r: (r.day, r.pair))
