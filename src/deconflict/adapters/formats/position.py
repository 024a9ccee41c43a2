"""Positions as liaison officers type them, read into WGS 84 ``(lon, lat)`` decimal degrees.

Three notations are accepted by :func:`parse_position`:

* **decimal degrees, latitude first**, signed or with hemisphere letters::

      35.336 40.141        35.336, 40.141       -33.9 -70.6
      35.336N 40.141E      35.336N, 40.141E     33.5058 N 38.6178 E

  With hemisphere letters on both numbers the order is unambiguous, so ``40.141E 35.336N`` is
  read too.  A degree sign after a number is ignored.
* **MGRS** grid references, with or without spaces, at any precision (0 to 5 digit pairs):
  ``37SEV 12345 67890``, ``37SEV1234567890``, ``37S EV 123 678``.  They are converted with the
  ``mgrs`` library (1.6), which returns the **centre** of the referenced square, not its
  south-west corner: ``37SEV 123 678`` reads as UTM 37N E 512350 N 3967850 and even a
  10-digit reference is moved 0.5 m east and north.  A 6-digit reference is therefore only
  good to its 100 m square (up to 71 m from the point meant).
* **ACO / USMTF** degrees-minutes(-seconds): ``351000N0401200E`` (DDMMSS N DDDMMSS E),
  ``3510N04012E`` (DDMM N DDDMM E), with an optional decimal fraction on the last field
  (``351000.5N0401200.5E``); a space between the two halves is tolerated.

Everything else raises :class:`~deconflict.domain.errors.InvalidCoordinate` with a message that
quotes the text and lists what is accepted.  ``field`` is left ``None``: callers prefix it.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable

import mgrs

from deconflict.domain.errors import InvalidCoordinate

__all__ = ["format_aco", "format_mgrs", "parse_position", "validate_lon_lat"]

LonLat = tuple[float, float]

ACCEPTED = (
    "decimal degrees latitude first ('35.336 40.141', '35.336N 40.141E'), "
    "an MGRS grid reference ('37SEV 12345 67890') "
    "or ACO degrees-minutes-seconds ('351000N0401200E', '3510N04012E')"
)

_NUMBER = r"[+-]?\d+(?:\.\d+)?"
# Between the numbers: a hemisphere letter, a comma or semicolon, or at least one space.
_DECIMAL_PAIR = re.compile(
    rf"^(?P<a>{_NUMBER})\s*°?(?:\s*(?P<ha>[NSEW])\s*[,;]?|\s*[,;]|\s)\s*"
    rf"(?P<b>{_NUMBER})\s*°?\s*(?P<hb>[NSEW])?$"
)
_ACO = re.compile(
    r"^(?P<lat>\d{4}(?:\d{2})?(?:\.\d+)?)(?P<ns>[NS])\s*,?\s*"
    r"(?P<lon>\d{5}(?:\d{2})?(?:\.\d+)?)(?P<ew>[EW])$"
)
_MGRS = re.compile(
    r"^(?P<square>(?:\d{1,2}\s*[C-HJ-NP-X]|[ABYZ])\s*[A-HJ-NP-Z][A-HJ-NP-V])"
    r"\s*(?P<first>\d*)\s*(?P<second>\d*)$"
)


def validate_lon_lat(lon: float, lat: float) -> LonLat:
    """Return ``(lon, lat)`` as floats if both are finite and in range, else raise.

    >>> validate_lon_lat(40.2, 35.5)
    (40.2, 35.5)
    >>> validate_lon_lat(40.2, 95)
    Traceback (most recent call last):
    ...
    deconflict.domain.errors.InvalidCoordinate: latitude 95.0 is outside -90..90
    """
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError) as exc:
        raise InvalidCoordinate(
            f"coordinates must be numbers, got lon={lon!r}, lat={lat!r}"
        ) from exc
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise InvalidCoordinate(f"coordinates must be finite numbers, got lon={lon}, lat={lat}")
    if not -90.0 <= lat <= 90.0:
        raise InvalidCoordinate(f"latitude {lat} is outside -90..90")
    if not -180.0 <= lon <= 180.0:
        raise InvalidCoordinate(f"longitude {lon} is outside -180..180")
    return lon, lat


def parse_position(text: str) -> LonLat:
    """Read a typed position and return WGS 84 ``(lon, lat)`` in decimal degrees.

    >>> parse_position("35.336N, 40.141E")
    (40.141, 35.336)
    >>> parse_position("-33.9 -70.6")
    (-70.6, -33.9)
    >>> lon, lat = parse_position("351000N0401200E")
    >>> round(lon, 5), round(lat, 5)
    (40.2, 35.16667)
    >>> lon, lat = parse_position("37SDT 64501 07427")  # centre of the 1 m square
    >>> round(lon, 5), round(lat, 5)
    (38.6178, 33.5058)
    >>> parse_position("somewhere near Tanf")
    Traceback (most recent call last):
    ...
    deconflict.domain.errors.InvalidCoordinate: 'somewhere near Tanf' is not a position; ...
    """
    if not isinstance(text, str):
        raise InvalidCoordinate(f"expected a position as text, got {text!r}; give {ACCEPTED}")
    cleaned = " ".join(text.strip().upper().split())
    parsers: tuple[tuple[re.Pattern[str], Callable[[re.Match[str], str], LonLat]], ...] = (
        (_ACO, _from_aco),
        (_MGRS, _from_mgrs),
        (_DECIMAL_PAIR, _from_decimal),
    )
    for pattern, convert in parsers:
        match = pattern.match(cleaned)
        if match:
            return convert(match, text)
    raise InvalidCoordinate(f"{text!r} is not a position; give {ACCEPTED}")


def _from_decimal(match: re.Match[str], text: str) -> LonLat:
    """Decimal degrees: latitude first, unless both hemisphere letters say otherwise."""
    a, b = float(match["a"]), float(match["b"])
    ha, hb = match["ha"], match["hb"]
    if (ha is None) != (hb is None):
        raise InvalidCoordinate(
            f"{text!r} has a hemisphere letter on only one number; "
            "give both ('35.336N 40.141E') or neither ('35.336 40.141')"
        )
    if ha is None or hb is None:
        return _in_range(b, a, text)
    if ha in "EW" and hb in "NS":
        a, ha, b, hb = b, hb, a, ha
    if ha not in "NS" or hb not in "EW":
        raise InvalidCoordinate(f"{text!r} needs one of N/S and one of E/W")
    if a < 0 or b < 0:
        raise InvalidCoordinate(
            f"{text!r} has both a minus sign and a hemisphere letter; use one or the other"
        )
    return _in_range(_signed(b, hb), _signed(a, ha), text)


def _in_range(lon: float, lat: float, text: str) -> LonLat:
    """:func:`validate_lon_lat`, with the typed text quoted in the message."""
    try:
        return validate_lon_lat(lon, lat)
    except InvalidCoordinate as exc:
        hint = ""
        if abs(lat) > 90.0 and abs(lon) <= 90.0:
            hint = " (latitude comes first)"
        raise InvalidCoordinate(f"{text!r}: {exc.message}{hint}") from exc


def _signed(value: float, hemisphere: str) -> float:
    """Negate ``value`` for the southern and western hemispheres."""
    return -value if hemisphere in "SW" else value


def _from_aco(match: re.Match[str], text: str) -> LonLat:
    """ACO / USMTF ``DDMM[SS][.s]N DDDMM[SS][.s]E``."""
    lat = _dms(match["lat"], 2, text)
    lon = _dms(match["lon"], 3, text)
    return _in_range(_signed(lon, match["ew"]), _signed(lat, match["ns"]), text)


def _dms(field: str, degree_digits: int, text: str) -> float:
    """Convert ``DDMM[SS][.fraction]`` (``degree_digits`` wide degrees) to decimal degrees.

    >>> _dms("351030", 2, "")
    35.175
    """
    whole, _, fraction = field.partition(".")
    degrees = int(whole[:degree_digits])
    parts = [float(whole[i : i + 2]) for i in range(degree_digits, len(whole), 2)]
    if fraction:
        parts[-1] += float(f"0.{fraction}")
    for name, value in zip(("minutes", "seconds"), parts, strict=False):
        if value >= 60:
            raise InvalidCoordinate(f"{text!r}: {name} {value:g} must be below 60")
    return degrees + sum(value / 60.0 ** (i + 1) for i, value in enumerate(parts))


def _from_mgrs(match: re.Match[str], text: str) -> LonLat:
    """MGRS via the ``mgrs`` library: the centre of the referenced square."""
    first, second = match["first"], match["second"]
    digits = first + second
    if second and len(first) != len(second):
        raise InvalidCoordinate(
            f"{text!r}: MGRS easting {first} and northing {second} must have the same number of digits"
        )
    if len(digits) % 2 or len(digits) > 10:
        raise InvalidCoordinate(
            f"{text!r}: an MGRS reference needs an even number of digits, at most 10 "
            "('37SEV 12345 67890')"
        )
    reference = "".join(match["square"].split()) + digits
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            lat, lon = mgrs.MGRS().toLatLon(reference)
    except Exception as exc:  # mgrs raises MGRSError (errors) and RuntimeWarning (band mismatch)
        raise InvalidCoordinate(
            f"{text!r} is not a valid MGRS grid reference ({exc}); e.g. '37SEV 12345 67890'"
        ) from exc
    return _in_range(lon, lat, text)


def format_mgrs(lon: float, lat: float, precision: int = 5) -> str:
    """Write an MGRS reference: grid zone and square, then easting and northing.

    ``precision`` is the number of digits in each of easting and northing (0 to 5: 5 is 1 m,
    3 is 100 m).  The ``mgrs`` library truncates, so the reference names the square that
    *contains* the point; :func:`parse_position` reads it back as that square's centre (within
    0.71 m of the point at precision 5).

    >>> format_mgrs(38.6178, 33.5058)
    '37SDT 64501 07427'
    >>> format_mgrs(38.6178, 33.5058, precision=3)
    '37SDT 645 074'
    """
    lon, lat = validate_lon_lat(lon, lat)
    if not 0 <= precision <= 5:
        raise InvalidCoordinate(f"MGRS precision {precision} is outside 0..5")
    reference = str(mgrs.MGRS().toMGRS(lat, lon, MGRSPrecision=precision))
    digits = 2 * precision
    square, numbers = reference[: len(reference) - digits], reference[len(reference) - digits :]
    if not precision:
        return square
    return f"{square} {numbers[:precision]} {numbers[precision:]}"


def format_aco(lon: float, lat: float) -> str:
    """Write ``DDMMSSN DDDMMSSE`` without a space, rounded to the nearest second.

    >>> format_aco(40.2, 35.166667)
    '351000N0401200E'
    >>> format_aco(-0.5, -12.999999)
    '130000S0003000W'
    """
    lon, lat = validate_lon_lat(lon, lat)
    return _aco_field(lat, 2, "NS") + _aco_field(lon, 3, "EW")


def _aco_field(value: float, degree_digits: int, hemispheres: str) -> str:
    """One half of an ACO position; the hemisphere follows the sign after rounding."""
    total = round(abs(value) * 3600)
    minutes, seconds = divmod(total, 60)
    degrees, minutes = divmod(minutes, 60)
    hemisphere = hemispheres[1] if value < 0 and total else hemispheres[0]
    return f"{degrees:0{degree_digits}d}{minutes:02d}{seconds:02d}{hemisphere}"
