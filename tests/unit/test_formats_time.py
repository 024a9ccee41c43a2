"""Times typed as ISO 8601 or military date-time groups read into aware UTC datetimes."""

from __future__ import annotations

import doctest
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deconflict.adapters.formats import timefmt
from deconflict.adapters.formats.timefmt import (
    MONTHS,
    ZONE_OFFSETS,
    format_dtg,
    format_iso,
    parse_time,
)
from deconflict.domain.errors import InvalidTime

NOON_16_SEP_2017 = datetime(2017, 9, 16, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2017-09-16T12:00:00Z",
        "2017-09-16T15:00+03:00",
        "2017-09-16 12:00Z",
        "2017-09-16t12:00z",
        "2017-09-16T07:00:00-05:00",
        " 2017-09-16T12:00Z ",
    ],
)
def test_iso_with_a_zone_is_read_as_utc(text: str) -> None:
    parsed = parse_time(text)
    assert parsed == NOON_16_SEP_2017
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    [
        "161200ZSEP17",
        "161500CSEP17",
        "160700RSEP17",
        "161200zsep17",
        "16 1200Z SEP 17",
        "161200ZSEP2017",
        "16120000ZSEP17",
        "170000MSEP17",
    ],
)
def test_date_time_groups_give_noon_utc_on_16_september_2017(text: str) -> None:
    parsed = parse_time(text)
    assert parsed == NOON_16_SEP_2017
    assert parsed.tzinfo is UTC


def test_zone_c_is_three_hours_ahead_of_utc() -> None:
    assert parse_time("161500CSEP17") == parse_time("161200ZSEP17")


def test_zone_r_is_five_hours_behind_utc() -> None:
    assert parse_time("160900RSEP17") == datetime(2017, 9, 16, 14, 0, tzinfo=UTC)


def test_zone_y_can_move_the_instant_to_the_next_day() -> None:
    assert parse_time("161200YSEP17") == datetime(2017, 9, 17, 0, 0, tzinfo=UTC)


def test_dtg_seconds_are_read() -> None:
    assert parse_time("16120030ZSEP17") == datetime(2017, 9, 16, 12, 0, 30, tzinfo=UTC)


def test_nato_zone_letters_cover_plus_and_minus_twelve_without_j() -> None:
    assert "J" not in ZONE_OFFSETS
    assert [ZONE_OFFSETS[c] for c in "ABCDEFGHIKLM"] == list(range(1, 13))
    assert [ZONE_OFFSETS[c] for c in "NOPQRSTUVWXY"] == list(range(-1, -13, -1))
    assert ZONE_OFFSETS["Z"] == 0


@pytest.mark.parametrize(("yy", "year"), [("70", 1970), ("99", 1999), ("00", 2000), ("69", 2069)])
def test_two_digit_years_fall_in_1970_to_2069(yy: str, year: int) -> None:
    assert parse_time(f"010000ZJAN{yy}").year == year


def test_format_dtg_writes_zone_z() -> None:
    in_damascus = datetime(2017, 9, 16, 15, 0, tzinfo=timezone(timedelta(hours=3)))
    assert format_dtg(in_damascus) == "161200ZSEP17"


def test_format_dtg_keeps_non_zero_seconds_and_four_digit_years_outside_the_window() -> None:
    assert format_dtg(datetime(2017, 9, 16, 12, 0, 30, tzinfo=UTC)) == "16120030ZSEP17"
    assert format_dtg(datetime(2070, 1, 2, 3, 4, tzinfo=UTC)) == "020304ZJAN2070"
    assert format_dtg(datetime(1969, 12, 31, 23, 59, tzinfo=UTC)) == "312359ZDEC1969"


def test_format_iso_writes_utc_with_z() -> None:
    in_damascus = datetime(2017, 9, 16, 15, 0, tzinfo=timezone(timedelta(hours=3)))
    assert format_iso(in_damascus) == "2017-09-16T12:00:00Z"


def test_formatting_a_naive_datetime_is_refused() -> None:
    with pytest.raises(InvalidTime, match="no time zone"):
        format_dtg(datetime(2017, 9, 16, 12, 0))
    with pytest.raises(InvalidTime, match="no time zone"):
        format_iso(datetime(2017, 9, 16, 12, 0))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2017-09-16T12:00:00", "add Z for UTC or an offset"),
        ("2017-09-16 12:00", "add Z for UTC or an offset"),
        ("2017-09-16", "date without a time"),
        ("310000ZSEP17", "day 31 does not exist in SEP 2017"),
        ("290000ZFEB17", "day 29 does not exist in FEB 2017"),
        ("000000ZSEP17", "day 00 does not exist"),
        ("162400ZSEP17", "hour 24 is not 00-23"),
        ("161260ZSEP17", "minute 60 is not 00-59"),
        ("16120060ZSEP17", "second 60 is not 00-59"),
        ("161200ZSPT17", "'SPT' is not a month"),
        ("161200JSEP17", "zone J"),
        ("1612ZSEP17", "is not a time"),
        ("161200ZSEP017", "is not a time"),
        ("2017-13-01T00:00Z", "is not a time"),
        ("tomorrow noon", "is not a time"),
        ("", "is not a time"),
        ("010000AJAN0001", "outside the representable years"),
    ],
)
def test_bad_times_raise_invalid_time_quoting_the_text(text: str, says: str) -> None:
    with pytest.raises(InvalidTime) as caught:
        parse_time(text)
    assert says in caught.value.message
    assert repr(text) in caught.value.message
    assert caught.value.field is None


def test_non_text_is_refused() -> None:
    with pytest.raises(InvalidTime):
        parse_time(1505563200)  # type: ignore[arg-type]


offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
utc_minutes = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2069, 12, 31, 23, 59)
).map(lambda t: t.replace(second=0, microsecond=0, tzinfo=UTC))


@given(utc_minutes, offsets)
def test_dtg_round_trips_any_aware_time_at_minute_precision(t: datetime, zone: timezone) -> None:
    local = t.astimezone(zone)
    written = format_dtg(local)
    assert parse_time(written) == t
    assert format_dtg(parse_time(written)) == written
    assert len(written) == 12


@given(utc_minutes, st.sampled_from(sorted(ZONE_OFFSETS)))
def test_a_dtg_written_in_any_zone_letter_reads_as_the_same_instant(
    t: datetime, letter: str
) -> None:
    local = t.astimezone(timezone(timedelta(hours=ZONE_OFFSETS[letter])))
    dtg = f"{local:%d%H%M}{letter}{MONTHS[local.month - 1]}{local.year}"
    assert parse_time(dtg) == t


@given(utc_minutes, offsets)
def test_iso_round_trips_any_aware_time(t: datetime, zone: timezone) -> None:
    assert parse_time(format_iso(t.astimezone(zone))) == t


def test_docstring_examples_hold() -> None:
    assert doctest.testmod(timefmt, optionflags=doctest.ELLIPSIS).failed == 0
