"""Clocks: the system's, and a simulated one that scenarios and tests move by hand."""

from __future__ import annotations

from datetime import UTC, datetime

from ..domain.errors import InvalidTime

__all__ = ["SystemClock", "SimulatedClock"]


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class SimulatedClock:
    """Time moves only when told to, and never backwards."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def move_to(self, instant: datetime) -> None:
        if instant < self._now:
            raise InvalidTime(
                f"{instant.isoformat()} is before the clock ({self._now.isoformat()})"
            )
        self._now = instant
