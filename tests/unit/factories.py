"""Small builders for domain objects in tests (times in hours after a fixed origin)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from deconflict.domain.arrangement import DeclarationKind, NoticeKind, Rules
from deconflict.domain.declarations import Declaration
from deconflict.domain.geometry import Footprint
from deconflict.domain.measures import ControlMeasure, MeasureKind, Side, ZoneRule
from deconflict.domain.notices import Notice
from deconflict.domain.volume import AltitudeBand, TimeWindow, Volume4D

T0 = datetime(2017, 9, 16, 0, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def window(start_h: float, end_h: float) -> TimeWindow:
    return TimeWindow(at(start_h), at(end_h))


def volume(
    fp: Footprint, lower: float = 0, upper: float = 6000, start_h: float = 10, end_h: float = 12
) -> Volume4D:
    return Volume4D(fp, AltitudeBand(lower, upper), window(start_h, end_h))


def notice(
    *volumes: Volume4D,
    id: str = "N-1",
    party: str = "russia",
    kind: NoticeKind = NoticeKind.AIR_STRIKE,
    filed_h: float = 0,
) -> Notice:
    return Notice(id, party, "hotline-air", kind, tuple(volumes), at(filed_h))


def declaration(
    fp: Footprint,
    id: str = "D-1",
    party: str = "coalition",
    kind: DeclarationKind = DeclarationKind.FORCE_POSITION,
    start_h: float = 0,
    end_h: float = 48,
    disclosed_to: tuple[str, ...] = (),
) -> Declaration:
    return Declaration(id, party, kind, fp, window(start_h, end_h), at(start_h), disclosed_to)


def zone(
    fp: Footprint,
    rule: ZoneRule,
    owner: str = "coalition",
    band: AltitudeBand | None = None,
    start_h: float = 0,
    end_h: float = 48,
    notify_lead_h: float = 0,
) -> ControlMeasure:
    return ControlMeasure(
        "Z-1",
        "A-1",
        MeasureKind.ZONE,
        "zone",
        fp,
        window(start_h, end_h),
        rule=rule,
        band=band,
        owner=owner,
        notify_lead=timedelta(hours=notify_lead_h),
    )


def river(path: list[tuple[float, float]], crossing: tuple[NoticeKind, ...] = ()) -> ControlMeasure:
    return ControlMeasure(
        "L-1",
        "A-1",
        MeasureKind.DECONFLICTION_LINE,
        "river",
        Footprint.line(path),
        window(0, 48),
        sides={"coalition": Side.LEFT, "russia": Side.RIGHT},
        reach_m=30_000,
        crossing_kinds=crossing,
    )


RULES = Rules(lateral_separation_m=10_000, vertical_separation_m=300)
