"""Times as typed in the field, read into aware UTC datetimes, and written back.

:func:`parse_time` accepts:

* **ISO 8601 with a zone**: ``2017-09-16T12:00:00Z``, ``2017-09-16T15:00+03:00``,
  ``2017-09-16 12:00Z``.  A time without ``Z`` or an offset is refused: its zone is unknown.
* **the military date-time group** ``DDHHMM[SS]<zone letter><MON><YY|YYYY>``, e.g.
  ``161200ZSEP17``.  Case does not matter and spaces are ignored (``16 1200Z SEP 17``).
  The zone letters are the NATO ones: ``A``-``M`` (no ``J``) are UTC+1 to UTC+12, ``N``-``Y``
  are UTC-1 to UTC-12 and ``Z`` is UTC, so ``161500CSEP17`` (C = UTC+3, Damascus in 2017) is
  ``161200ZSEP17``.  ``J`` means "the observer's local time" and cannot be converted.  Two-digit
  years ``70``-``99`` are 1970-1999 and ``00``-``69`` are 2000-2069.

Failures raise :class:`~deconflict.domain.errors.InvalidTime` quoting the text; ``field`` is
left ``None`` for callers to fill in.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from deconflict.domain.errors import InvalidTime

__all__ = ["format_dtg", "format_iso", "parse_time"]

ACCEPTED = (
    "ISO 8601 with a zone ('2017-09-16T12:00:00Z', '2017-09-16T15:00+03:00') "
    "or a date-time group ('161200ZSEP17')"
)

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

# NATO time zone letters -> hours east of UTC.  J (local time) has no fixed offset.
ZONE_OFFSETS: dict[str, int] = {
    **{letter: hours for hours, letter in enumerate("ABCDEFGHI", start=1)},
    "K": 10,
    "L": 11,
    "M": 12,
    **{letter: -hours for hours, letter in enumerate("NOPQRSTUVWXY", start=1)},
    "Z": 0,
}

_DTG = re.compile(
    r"^(?P<day>\d{2})(?P<hour>\d{2})(?P<minute>\d{2})(?P<second>\d{2})?"
    r"(?P<zone>[A-Z])(?P<month>[A-Z]{3})(?P<year>\d{4}|\d{2})$"
)
_ISO_DATE_ONLY = re.compile(r"^\d{4}-?\d{2}-?\d{2}$")
_PIVOT = 70  # two-digit years below this are 20xx, the rest 19xx


def parse_time(text: str) -> datetime:
    """Read an ISO 8601 time with a zone or a date-time group; return an aware UTC datetime.

    >>> parse_time("161500CSEP17")
    datetime.datetime(2017, 9, 16, 12, 0, tzinfo=datetime.timezone.utc)
    >>> parse_time("2017-09-16T15:00+03:00")
    datetime.datetime(2017, 9, 16, 12, 0, tzinfo=datetime.timezone.utc)
    >>> parse_time("2017-09-16T12:00")
    Traceback (most recent call last):
    ...
    deconflict.domain.errors.InvalidTime: '2017-09-16T12:00' has no time zone; add Z for UTC or an offset such as +03:00
    """
    if not isinstance(text, str):
        raise InvalidTime(f"expected a time as text, got {text!r}; give {ACCEPTED}")
    match = _DTG.match("".join(text.split()).upper())
    if match:
        return _from_dtg(match, text)
    return _from_iso(text)


def _from_iso(text: str) -> datetime:
    """ISO 8601 via :meth:`datetime.fromisoformat`, refusing times without a zone."""
    stripped = text.strip().upper()
    if _ISO_DATE_ONLY.match(stripped):
        raise InvalidTime(f"{text!r} is a date without a time; give e.g. '{stripped}T12:00Z'")
    try:
        parsed = datetime.fromisoformat(stripped)
    except ValueError as exc:
        raise InvalidTime(f"{text!r} is not a time; give {ACCEPTED}") from exc
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise InvalidTime(f"{text!r} has no time zone; add Z for UTC or an offset such as +03:00")
    return _to_utc(parsed, text)


def _from_dtg(match: re.Match[str], text: str) -> datetime:
    """``DDHHMM[SS]<zone><MON><YY|YYYY>`` in the zone's fixed offset, converted to UTC."""
    offset = _zone_offset(match["zone"], text)
    month = _month_number(match["month"], text)
    year = _full_year(match["year"])
    hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"] or 0)
    _check_clock(hour, minute, second, text)
    try:
        local = datetime(year, month, int(match["day"]), hour, minute, second, tzinfo=offset)
    except ValueError as exc:
        raise InvalidTime(
            f"{text!r}: day {match['day']} does not exist in {match['month']} {year}"
        ) from exc
    return _to_utc(local, text)


def _zone_offset(letter: str, text: str) -> timezone:
    """The fixed offset of a NATO zone letter."""
    if letter == "J":
        raise InvalidTime(
            f"{text!r} uses zone J (the writer's local time), which has no fixed offset; "
            "give the zone letter (Z for UTC, C for UTC+3)"
        )
    return timezone(timedelta(hours=ZONE_OFFSETS[letter]))


def _month_number(name: str, text: str) -> int:
    """1-12 for a three-letter English month abbreviation."""
    if name not in MONTHS:
        raise InvalidTime(f"{text!r}: {name!r} is not a month; use JAN, FEB, ... DEC")
    return MONTHS.index(name) + 1


def _full_year(digits: str) -> int:
    """Expand a two-digit year into 1970-2069; four digits are taken as written.

    >>> _full_year("17"), _full_year("85"), _full_year("2071")
    (2017, 1985, 2071)
    """
    year = int(digits)
    if len(digits) == 4:
        return year
    return year + (2000 if year < _PIVOT else 1900)


def _check_clock(hour: int, minute: int, second: int, text: str) -> None:
    """Refuse hours above 23 (no 2400) and minutes or seconds above 59."""
    if hour > 23:
        raise InvalidTime(f"{text!r}: hour {hour:02d} is not 00-23 (write 2400 as 0000 next day)")
    if minute > 59:
        raise InvalidTime(f"{text!r}: minute {minute:02d} is not 00-59")
    if second > 59:
        raise InvalidTime(f"{text!r}: second {second:02d} is not 00-59")


def _to_utc(t: datetime, text: str) -> datetime:
    """Convert to UTC, turning an overflow past year 1 or 9999 into :class:`InvalidTime`."""
    try:
        return t.astimezone(UTC)
    except OverflowError as exc:
        raise InvalidTime(f"{text!r} is outside the representable years 1-9999") from exc


def _require_aware(t: datetime) -> datetime:
    """``t`` in UTC; a naive datetime is refused since its zone is unknown."""
    if t.tzinfo is None or t.utcoffset() is None:
        raise InvalidTime(f"{t.isoformat()!r} has no time zone; attach one before formatting")
    return _to_utc(t, t.isoformat())


def format_dtg(t: datetime) -> str:
    """Write a date-time group in zone Z.

    Seconds appear only when they are not zero (``DDHHMMSS``); fractions of a second are
    dropped.  The year has two digits within 1970-2069 (the window :func:`parse_time` reads
    back) and four digits outside it.

    >>> format_dtg(datetime(2017, 9, 16, 15, 0, tzinfo=timezone(timedelta(hours=3))))
    '161200ZSEP17'
    >>> format_dtg(datetime(2071, 1, 2, 3, 4, 5, tzinfo=UTC))
    '02030405ZJAN2071'
    """
    utc = _require_aware(t)
    seconds = f"{utc.second:02d}" if utc.second else ""
    year = (
        f"{utc.year % 100:02d}" if 1900 + _PIVOT <= utc.year < 2000 + _PIVOT else f"{utc.year:04d}"
    )
    return f"{utc:%d%H%M}{seconds}Z{MONTHS[utc.month - 1]}{year}"


def format_iso(t: datetime) -> str:
    """Write ISO 8601 in UTC with a ``Z``, to the second (microseconds only when present).

    >>> format_iso(datetime(2017, 9, 16, 15, 0, tzinfo=timezone(timedelta(hours=3))))
    '2017-09-16T12:00:00Z'
    """
    return _require_aware(t).replace(tzinfo=None).isoformat() + "Z"
