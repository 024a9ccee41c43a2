"""A clock read from a file: exercises and end-to-end tests move time by writing it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from .formats.timefmt import parse_time

__all__ = ["FileClock"]


class FileClock:
    """``now()`` is the time written in the file (ISO 8601 or DTG); time never goes back."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._last: datetime | None = None

    def now(self) -> datetime:
        instant = parse_time(self.path.read_text("utf-8").strip())
        if self._last is not None and instant < self._last:
            return self._last
        self._last = instant
        return instant
