"""Altitude bands, UTC time windows and the 4D volume (footprint × band × window).

Canonical units only: metres above mean sea level and aware UTC datetimes. Conversion from
feet, flight levels, DTG and the like happens at the boundary (adapters/formats).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from .errors import InvalidAltitude, InvalidTime
from .geometry import Footprint

__all__ = ["AltitudeBand", "TimeWindow", "Volume4D", "UNTIL_FURTHER_NOTICE", "SURFACE_TO_SPACE"]

#: The end of a window that has no end ("until further notice", UFN).
UNTIL_FURTHER_NOTICE = datetime(9999, 12, 31, tzinfo=UTC)


@dataclass(frozen=True)
class AltitudeBand:
    """A closed-open band of altitude in metres AMSL; bands that only touch do not overlap.

    >>> AltitudeBand(0, 1000).gap_to(AltitudeBand(1000, 2000))
    0.0
    """

    lower_m: float
    upper_m: float

    def __post_init__(self) -> None:
        for name, value in (("lower_m", self.lower_m), ("upper_m", self.upper_m)):
            if not math.isfinite(value):
                raise InvalidAltitude(f"altitude {value!r} is not a finite number", field=name)
        if self.lower_m < -500:
            raise InvalidAltitude(
                f"lower altitude {self.lower_m} m is below -500 m", field="lower_m"
            )
        if self.upper_m <= self.lower_m:
            raise InvalidAltitude(
                f"upper altitude {self.upper_m} m must be above lower altitude {self.lower_m} m",
                field="upper_m",
            )

    def gap_to(self, other: AltitudeBand) -> float:
        """Vertical distance between the bands in metres; negative when they overlap."""
        return float(max(other.lower_m - self.upper_m, self.lower_m - other.upper_m))

    def overlap(self, other: AltitudeBand) -> AltitudeBand | None:
        lower, upper = max(self.lower_m, other.lower_m), min(self.upper_m, other.upper_m)
        return AltitudeBand(lower, upper) if upper > lower else None


SURFACE_TO_SPACE = AltitudeBand(-500.0, 100_000.0)


@dataclass(frozen=True)
class TimeWindow:
    """A half-open UTC window [start, end): windows that only touch do not overlap."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        for name, value in (("start", self.start), ("end", self.end)):
            if value.tzinfo is None or value.utcoffset() is None:
                raise InvalidTime(f"{value.isoformat()} has no time zone; use UTC", field=name)
        if self.end <= self.start:
            raise InvalidTime(
                f"end {self.end.isoformat()} must be after start {self.start.isoformat()}",
                field="end",
            )

    @property
    def open_ended(self) -> bool:
        return self.end >= UNTIL_FURTHER_NOTICE

    def meets(self, other: TimeWindow) -> bool:
        return self.start < other.end and other.start < self.end

    def overlap(self, other: TimeWindow) -> TimeWindow | None:
        start, end = max(self.start, other.start), min(self.end, other.end)
        return _trusted(start, end) if end > start else None

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant < self.end


def _trusted(start: datetime, end: datetime) -> TimeWindow:
    """A window derived from valid windows: no need to check it again (a hot path)."""
    window = object.__new__(TimeWindow)
    object.__setattr__(window, "start", start)
    object.__setattr__(window, "end", end)
    return window


@dataclass(frozen=True)
class Volume4D:
    """Where, how high and when: the unit that screening compares."""

    footprint: Footprint
    band: AltitudeBand
    window: TimeWindow
