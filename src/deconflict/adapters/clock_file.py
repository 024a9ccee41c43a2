"""A clock read from a file: exercises and end-to-end tests move time by writing it."""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path

from .formats.timefmt import parse_time

__all__ = ["FileClock"]

#: A file written at least this long before it was read is known by its modification time: a
#: later write gets a later one, even where the file system keeps such times in coarse ticks.
_SETTLED_S = 0.05


class FileClock:
    """``now()`` is the time written in the file (ISO 8601 or DTG); time never goes back.

    Every command asks the clock, so the file is read again only when it changed (one ``stat``
    instead of an open, a read and a parse)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._last: datetime | None = None
        self._known: tuple[int, int, int] | None = None  # (inode, size, modification time) read

    def now(self) -> datetime:
        stat = os.stat(self.path)
        key = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if key != self._known or self._last is None:
            instant = parse_time(self.path.read_text("utf-8").strip())
            settled = time.time_ns() - stat.st_mtime_ns > _SETTLED_S * 1e9
            self._known = key if settled else None
            if self._last is None or instant >= self._last:
                self._last = instant
        return self._last
