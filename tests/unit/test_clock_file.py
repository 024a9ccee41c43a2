"""The file clock sees every write, even two of the same length in one coarse time tick."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

from deconflict.adapters.clock_file import FileClock


def test_each_write_is_seen_and_time_never_goes_back(tmp_path: Path) -> None:
    path = tmp_path / "clock"
    path.write_text("2026-01-01T06:00:00Z")
    clock = FileClock(path)
    assert clock.now() == datetime(2026, 1, 1, 6, tzinfo=UTC)
    tick = time.time_ns()
    for hour in range(7, 10):  # same length, in one coarse tick: no time to tell them apart by
        path.write_text(f"2026-01-01T0{hour}:00:00Z")
        os.utime(path, ns=(tick, tick))
        assert clock.now() == datetime(2026, 1, 1, hour, tzinfo=UTC)
    path.write_text("2026-01-01T08:00:00Z")
    assert clock.now() == datetime(2026, 1, 1, 9, tzinfo=UTC)


def test_a_settled_file_is_read_again_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "clock"
    path.write_text("2026-01-01T06:00:00Z")
    os.utime(path, ns=(0, 10**18))  # changed long before it is read: known by that time
    clock = FileClock(path)
    assert clock.now() == datetime(2026, 1, 1, 6, tzinfo=UTC)
    assert clock.now() == datetime(2026, 1, 1, 6, tzinfo=UTC)
    path.write_text("2026-01-01T07:00:00Z")
    assert clock.now() == datetime(2026, 1, 1, 7, tzinfo=UTC)
