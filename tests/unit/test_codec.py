"""Times as the log and the API write them: UTC ISO 8601 with a Z, one text per instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from deconflict.adapters.codec import iso


def test_utc_is_written_with_a_z_and_microseconds_only_when_there_are_some() -> None:
    assert iso(datetime(2026, 1, 1, 6, 0, tzinfo=UTC)) == "2026-01-01T06:00:00Z"
    assert iso(datetime(2026, 1, 1, 6, 0, 0, 1500, tzinfo=UTC)) == "2026-01-01T06:00:00.001500Z"


def test_a_fixed_offset_is_converted_to_utc_and_one_instant_has_one_text() -> None:
    plus_two = timezone(timedelta(hours=2))
    utc = datetime(2026, 1, 1, 6, 0, tzinfo=UTC)
    assert iso(utc) == "2026-01-01T06:00:00Z"  # now known
    assert iso(utc.astimezone(plus_two)) == "2026-01-01T06:00:00Z"
    assert iso(datetime(2026, 1, 1, 6, 0, tzinfo=plus_two)) == "2026-01-01T04:00:00Z"


def test_the_two_instants_of_a_repeated_hour_are_told_apart() -> None:
    # In a zone with daylight saving, 02:30 on the night clocks go back happens twice; the
    # two datetimes compare and hash equal, but are an hour apart.
    berlin = ZoneInfo("Europe/Berlin")
    first = datetime(2025, 10, 26, 2, 30, tzinfo=berlin)
    second = first.replace(fold=1)
    assert first == second
    assert iso(first) == "2025-10-26T00:30:00Z"
    assert iso(second) == "2025-10-26T01:30:00Z"
    assert iso(first) == "2025-10-26T00:30:00Z"
