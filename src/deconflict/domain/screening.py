"""Screening: the exact test between a notice and one other object.

Finding *candidates* is the index's job (service layer); this module decides, for one pair,
whether the rules the parties agreed are broken, and records how (distance, time, band).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from .arrangement import AIR_KINDS, FIRE_KINDS, SURFACE_KINDS, Rules
from .conflicts import Conflict, ConflictRule, ObjectRef, Severity
from .declarations import Declaration
from .geometry import geodesic_distance, interiors_meet, may_be_within
from .measures import ControlMeasure, MeasureKind, ZoneRule
from .notices import Notice
from .volume import AltitudeBand, TimeWindow, Volume4D

__all__ = ["Screenable", "ref_of", "screen", "screen_pair", "short_notice", "Meeting"]

Screenable = Notice | Declaration | ControlMeasure


def ref_of(obj: Screenable) -> ObjectRef:
    """The reference a conflict keeps to an object (never its geometry)."""
    if isinstance(obj, Notice):
        return ObjectRef("notice", obj.id, obj.party, str(obj.kind), obj.version)
    if isinstance(obj, Declaration):
        return ObjectRef("declaration", obj.id, obj.party, str(obj.kind))
    party = obj.owner or obj.arrangement
    kind = str(obj.rule) if obj.rule else str(obj.kind)
    return ObjectRef("measure", obj.id, party, kind)


@dataclass(frozen=True)
class Meeting:
    """Where one volume of a notice meets another object."""

    distance_m: float
    window: TimeWindow
    band: AltitudeBand | None = None


def _closest(meetings: Iterable[Meeting]) -> Meeting | None:
    found = list(meetings)
    if not found:
        return None
    if len(found) == 1:
        return found[0]
    nearest = min(found, key=lambda m: m.distance_m)
    span = TimeWindow(min(m.window.start for m in found), max(m.window.end for m in found))
    return Meeting(nearest.distance_m, span, nearest.band)


def _near_declaration(notice: Notice, decl: Declaration, rules: Rules) -> Iterator[Meeting]:
    buffer = rules.buffer_for(decl.kind)
    for volume in notice.volumes:
        overlap = volume.window.overlap(decl.window)
        if overlap is None or not may_be_within(volume.footprint, decl.footprint, buffer):
            continue
        distance = geodesic_distance(volume.footprint, decl.footprint)
        if distance < buffer or (
            distance == 0 and interiors_meet(volume.footprint, decl.footprint)
        ):
            yield Meeting(distance, overlap)


def _lose_separation(a: Notice, b: Notice, rules: Rules) -> Iterator[Meeting]:
    for va in a.volumes:
        for vb in b.volumes:
            if (
                not va.window.meets(vb.window)
                or va.band.gap_to(vb.band) >= rules.vertical_separation_m
            ):
                continue
            if rules.vertical_separation_m == 0 and va.band.overlap(vb.band) is None:
                continue
            if not may_be_within(va.footprint, vb.footprint, rules.lateral_separation_m):
                continue
            distance = geodesic_distance(va.footprint, vb.footprint)
            overlap = va.window.overlap(vb.window)
            if distance < rules.lateral_separation_m and overlap is not None:
                yield Meeting(distance, overlap, va.band.overlap(vb.band))


def _zone_entries(notice: Notice, zone: ControlMeasure) -> Iterator[tuple[Volume4D, Meeting]]:
    for volume in notice.volumes:
        overlap = volume.window.overlap(zone.window)
        if overlap is None:
            continue
        band = volume.band if zone.band is None else volume.band.overlap(zone.band)
        if band is not None and interiors_meet(volume.footprint, zone.footprint):
            yield volume, Meeting(0.0, overlap, band)


def _zone_rule(notice: Notice, zone: ControlMeasure) -> ConflictRule | None:
    if not zone.applies_to_party(notice.party):
        return None
    if zone.rule is ZoneRule.NO_ENTRY:
        return ConflictRule.ZONE_NO_ENTRY
    if zone.rule is ZoneRule.NO_STRIKE:
        return ConflictRule.ZONE_NO_STRIKE if notice.kind in FIRE_KINDS else None
    return ConflictRule.ZONE_NOTIFY


def _screen_zone(notice: Notice, zone: ControlMeasure) -> tuple[ConflictRule, Meeting] | None:
    rule = _zone_rule(notice, zone)
    if rule is None:
        return None
    entries = list(_zone_entries(notice, zone))
    if rule is ConflictRule.ZONE_NOTIFY:
        # Entry was notified; it breaks the rule only when notified too late.
        entries = [
            (v, m) for v, m in entries if v.window.start - notice.filed_at < zone.notify_lead
        ]
    meeting = _closest(m for _, m in entries)
    return (rule, meeting) if meeting else None


def _line_meetings(
    notice: Notice, line: ControlMeasure, side: object
) -> Iterator[tuple[bool, Meeting]]:
    for volume in notice.volumes:
        overlap = volume.window.overlap(line.window)
        if overlap is None:
            continue
        if interiors_meet(volume.footprint, line.footprint):
            yield True, Meeting(0.0, overlap)
            continue
        distance = geodesic_distance(volume.footprint, line.footprint)
        if distance <= line.reach_m and line.side_of(volume.footprint.centre()) != side:
            yield False, Meeting(distance, overlap)


def _screen_line(notice: Notice, line: ControlMeasure) -> tuple[ConflictRule, Meeting] | None:
    side = line.sides.get(notice.party)
    if side is None:
        return None
    found = list(_line_meetings(notice, line, side))
    crossing = _closest(m for crossed, m in found if crossed)
    if crossing:
        return ConflictRule.LINE_CROSSING, crossing
    beyond = _closest(m for _, m in found)
    return (ConflictRule.LINE_SIDE, beyond) if beyond else None


def _conflict(
    rule: ConflictRule,
    notice: Notice,
    other: Screenable,
    meeting: Meeting,
    at: datetime,
    severity: Severity = Severity.VIOLATION,
    detail: str = "",
) -> Conflict:
    subject, other_ref = ref_of(notice), ref_of(other)
    return Conflict(
        id=Conflict.make_id(rule, subject, other_ref),
        rule=rule,
        severity=severity,
        subject=subject,
        other=other_ref,
        found_at=at,
        distance_m=round(meeting.distance_m, 1),
        window=meeting.window,
        band=meeting.band,
        detail=detail,
    )


def _pair_with_measure(notice: Notice, measure: ControlMeasure, at: datetime) -> Conflict | None:
    if measure.kind is MeasureKind.ZONE:
        found = _screen_zone(notice, measure)
        if found is None:
            return None
        rule, meeting = found
        return _conflict(rule, notice, measure, meeting, at, detail=f"enters {measure.name}")
    found = _screen_line(notice, measure)
    if found is None:
        return None
    rule, meeting = found
    notified = rule is ConflictRule.LINE_CROSSING and notice.kind in measure.crossing_kinds
    severity = Severity.ADVISORY if notified else Severity.VIOLATION
    verb = "crosses" if rule is ConflictRule.LINE_CROSSING else "lies beyond"
    return _conflict(rule, notice, measure, meeting, at, severity, f"{verb} {measure.name}")


def screen_pair(notice: Notice, other: Screenable, rules: Rules, at: datetime) -> Conflict | None:
    """The conflict between an active notice and one other active object, if any.

    ``rules`` are those of the arrangement the notice was filed under.
    """
    if not (notice.active and other.active):
        return None
    if isinstance(other, ControlMeasure):
        return _pair_with_measure(notice, other, at)
    if other.party == notice.party:
        return None
    if isinstance(other, Declaration):
        if notice.kind not in SURFACE_KINDS:
            return None
        meeting = _closest(_near_declaration(notice, other, rules))
        rule = ConflictRule.DECLARATION_BUFFER
        detail = f"within {rules.buffer_for(other.kind):.0f} m buffer of {other.kind}"
    else:
        if notice.kind not in AIR_KINDS or other.kind not in AIR_KINDS:
            return None
        meeting = _closest(_lose_separation(notice, other, rules))
        rule = ConflictRule.AIR_SEPARATION
        detail = "lateral, vertical and time separation all lost"
    return _conflict(rule, notice, other, meeting, at, detail=detail) if meeting else None


def short_notice(notice: Notice, rules: Rules, arrangement: str, at: datetime) -> Conflict | None:
    """A notice filed with less lead time than its kind's rule."""
    required = rules.lead_for(notice.kind)
    if not notice.active or notice.lead_time >= required:
        return None
    other = ObjectRef("arrangement", arrangement, arrangement, "min_lead")
    subject = ref_of(notice)
    lead_min = notice.lead_time.total_seconds() / 60
    filed = f"{lead_min:.0f} min ahead" if lead_min >= 0 else f"{-lead_min:.0f} min after its start"
    return Conflict(
        id=Conflict.make_id(ConflictRule.SHORT_NOTICE, subject, other),
        rule=ConflictRule.SHORT_NOTICE,
        severity=Severity.VIOLATION,
        subject=subject,
        other=other,
        found_at=at,
        window=notice.window,
        detail=f"filed {filed}; {required.total_seconds() / 60:.0f} min required",
    )


def screen(
    notice: Notice, others: Iterable[Screenable], rules: Rules, arrangement: str, at: datetime
) -> list[Conflict]:
    """Every conflict a notice makes with the given candidates, and its own lead time."""
    found = [c for other in others if (c := screen_pair(notice, other, rules, at))]
    late = short_notice(notice, rules, arrangement, at)
    return [late, *found] if late else found
