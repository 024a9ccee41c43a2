"""Altitudes as typed in the field, read into metres above mean sea level.

:func:`parse_altitude` accepts:

* a number (``int`` or ``float``): metres;
* ``"3000"``, ``"3000m"``, ``"3000 m"``: metres; ``"10000ft"``, ``"10,000 FT"``: feet
  (a comma must separate groups of three digits, so ``"1,5"`` is refused rather than guessed);
* ``"FL250"``, ``"FL 250"``: a flight level, hundreds of feet on the standard pressure
  setting (1013.25 hPa).  It is converted with the **standard atmosphere** as if it were an
  altitude: FL250 = 25 000 ft x 0.3048 = 7620 m.  The true height of a flight level differs
  with the day's pressure and temperature (often by a few hundred feet);
* ``"SFC"`` and ``"MSL"``: 0.0.  ``"SFC"`` is taken as 0 m above mean sea level, *not* the
  local ground height.  ``"GND"`` and ``"AGL"`` heights are refused.

Altitudes below -500 m, NaN, infinities, unknown units and anything else raise
:class:`~deconflict.domain.errors.InvalidAltitude` quoting the input; ``field`` is left ``None``.

:func:`to_msl` and :func:`from_msl` convert between datums: heights above the WGS 84 ellipsoid
(``W84``, as GNSS and ASTM F3548 give them) differ from mean sea level by the local geoid
undulation, which there is no model of here: the caller gives it (docs/formats.md).
"""

from __future__ import annotations

import math
import re

from deconflict.domain.errors import InvalidAltitude

__all__ = [
    "DATUMS",
    "FEET",
    "GEOID_UNDULATION_RANGE_M",
    "LOWEST_METRES",
    "format_altitude",
    "from_msl",
    "parse_altitude",
    "to_msl",
]

FEET = 0.3048  # metres per international foot
LOWEST_METRES = -500.0

ACCEPTED = "metres ('3000', '3000 m'), feet ('10000 ft'), a flight level ('FL250'), SFC or MSL"

_ZERO_WORDS = frozenset({"SFC", "MSL"})
_GROUND_WORDS = ("GND", "AGL")
_FLIGHT_LEVEL = re.compile(r"^FL\s*(?P<level>\d{1,3})$")
_QUANTITY = re.compile(
    r"^(?P<number>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*(?P<unit>[A-Z]*)$"
)
_UNITS = {"": 1.0, "M": 1.0, "FT": FEET}


def parse_altitude(value: str | float | int) -> float:
    """Return the altitude in metres above mean sea level.

    >>> parse_altitude("FL250")
    7620.0
    >>> parse_altitude("10,000 FT")
    3048.0
    >>> parse_altitude(1200)
    1200.0
    >>> parse_altitude("3000 yd")
    Traceback (most recent call last):
    ...
    deconflict.domain.errors.InvalidAltitude: '3000 yd': unknown unit 'YD'; give ...
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidAltitude(f"expected an altitude, got {value!r}; give {ACCEPTED}")
    if isinstance(value, str):
        return _checked(_parse_text(value), repr(value))
    try:
        metres = float(value)
    except OverflowError as exc:
        raise InvalidAltitude(f"{value!r} is not a finite altitude; give {ACCEPTED}") from exc
    return _checked(metres, repr(value))


def _parse_text(text: str) -> float:
    """Metres for a typed altitude string, before the range check."""
    cleaned = " ".join(text.strip().upper().split())
    if cleaned in _ZERO_WORDS:
        return 0.0
    if any(word in cleaned for word in _GROUND_WORDS):
        raise InvalidAltitude(
            f"{text!r}: heights above ground are not supported; "
            "give an altitude above mean sea level (e.g. '3000 m', 'FL250')"
        )
    flight_level = _FLIGHT_LEVEL.match(cleaned)
    if flight_level:
        return int(flight_level["level"]) * 100 * FEET
    quantity = _QUANTITY.match(cleaned)
    if not quantity:
        raise InvalidAltitude(f"{text!r} is not an altitude; give {ACCEPTED}")
    unit = quantity["unit"]
    if unit not in _UNITS:
        raise InvalidAltitude(f"{text!r}: unknown unit {unit!r}; give {ACCEPTED}")
    return float(quantity["number"].replace(",", "")) * _UNITS[unit]


def _checked(metres: float, shown: str) -> float:
    """Refuse NaN, infinities and altitudes below :data:`LOWEST_METRES`."""
    if not math.isfinite(metres):
        raise InvalidAltitude(f"{shown} is not a finite altitude; give {ACCEPTED}")
    if metres < LOWEST_METRES:
        raise InvalidAltitude(
            f"{shown} is {metres:g} m, below the lowest accepted altitude of {LOWEST_METRES:g} m"
        )
    return metres + 0.0  # turn -0.0 into 0.0


def format_altitude(metres: float) -> str:
    """Write metres and feet, each rounded to a whole number.

    >>> format_altitude(7620.0)
    '7620 m (25000 ft)'
    >>> format_altitude(3048)
    '3048 m (10000 ft)'
    """
    metres = _checked(float(metres), repr(metres))
    return f"{round(metres)} m ({round(metres / FEET)} ft)"


# -- vertical datums ------------------------------------------------------------------------------

#: Datums an altitude may be given in. ``MSL`` is the project's own (metres above mean sea
#: level); ``W84`` is height above the WGS 84 ellipsoid (GNSS heights, ASTM F3548); ``EGM96``
#: is height above the EGM96 geoid, which is taken as mean sea level.
DATUMS = ("MSL", "W84", "EGM96")

#: How far the EGM96 geoid (mean sea level) lies above (+) or below (-) the WGS 84 ellipsoid,
#: at its extremes: about -107 m (south of India) to +86 m (New Guinea).
GEOID_UNDULATION_RANGE_M = (-107.0, 86.0)


def _undulation(value: float) -> float:
    low, high = GEOID_UNDULATION_RANGE_M
    if not (math.isfinite(value) and low <= value <= high):
        raise InvalidAltitude(
            f"a geoid undulation of {value!r} m is outside the Earth's {low:g}..{high:g} m"
        )
    return value


def to_msl(metres: float, datum: str, geoid_undulation_m: float = 0.0) -> float:
    """Metres in ``datum`` -> metres above mean sea level.

    There is no geoid model here: a ``W84`` height is reduced by ``geoid_undulation_m``, the
    local height of mean sea level above the ellipsoid (N, which the caller may know for its
    area of operations); left at 0 the ellipsoid is taken as sea level, which errs by N (at
    most about 107 m, see :data:`GEOID_UNDULATION_RANGE_M`).

    >>> to_msl(530.0, "W84", geoid_undulation_m=30.0)
    500.0
    >>> to_msl(500.0, "EGM96")
    500.0
    """
    if datum not in DATUMS:
        raise InvalidAltitude(f"unknown datum {datum!r}; give one of {', '.join(DATUMS)}")
    shift = _undulation(geoid_undulation_m) if datum == "W84" else 0.0
    return _checked(float(metres) - shift, repr(metres))


def from_msl(metres: float, datum: str, geoid_undulation_m: float = 0.0) -> float:
    """Metres above mean sea level -> metres in ``datum`` (the inverse of :func:`to_msl`).

    >>> from_msl(500.0, "W84", geoid_undulation_m=30.0)
    530.0
    """
    if datum not in DATUMS:
        raise InvalidAltitude(f"unknown datum {datum!r}; give one of {', '.join(DATUMS)}")
    shift = _undulation(geoid_undulation_m) if datum == "W84" else 0.0
    return float(metres) + shift
