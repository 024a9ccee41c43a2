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
"""

from __future__ import annotations

import math
import re

from deconflict.domain.errors import InvalidAltitude

__all__ = ["FEET", "LOWEST_METRES", "format_altitude", "parse_altitude"]

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
