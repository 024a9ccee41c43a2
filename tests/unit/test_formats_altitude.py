"""Altitudes typed in metres, feet or flight levels read into metres above mean sea level."""

from __future__ import annotations

import doctest
import math

import pytest

from deconflict.adapters.formats import altitude
from deconflict.adapters.formats.altitude import format_altitude, parse_altitude
from deconflict.domain.errors import InvalidAltitude


@pytest.mark.parametrize("value", ["3000", "3000m", "3000 m", "3000 M", " 3,000 m ", 3000, 3000.0])
def test_plain_numbers_and_m_are_metres(value: str | float) -> None:
    assert parse_altitude(value) == 3000.0


@pytest.mark.parametrize("value", ["10000ft", "10000 ft", "10,000 FT", "10000FT", "10000 Ft"])
def test_feet_are_converted_with_the_international_foot(value: str) -> None:
    assert parse_altitude(value) == 3048.0


@pytest.mark.parametrize("value", ["FL250", "FL 250", "fl250", "Fl 250"])
def test_flight_level_250_is_7620_metres_in_the_standard_atmosphere(value: str) -> None:
    assert parse_altitude(value) == 7620.0


def test_flight_level_zero_and_low_levels() -> None:
    assert parse_altitude("FL000") == 0.0
    assert parse_altitude("FL50") == pytest.approx(1524.0)


@pytest.mark.parametrize("value", ["SFC", "sfc", "MSL", " msl "])
def test_sfc_and_msl_are_zero(value: str) -> None:
    assert parse_altitude(value) == 0.0


def test_altitudes_down_to_minus_500_metres_are_accepted() -> None:
    assert parse_altitude("-500") == -500.0
    assert parse_altitude(-430.5) == -430.5  # Dead Sea shore
    assert parse_altitude("-1500 ft") == pytest.approx(-457.2)


def test_result_is_a_float_without_negative_zero() -> None:
    assert isinstance(parse_altitude(1200), float)
    assert math.copysign(1.0, parse_altitude(-0.0)) == 1.0


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (math.nan, "not a finite altitude"),
        (math.inf, "not a finite altitude"),
        (-math.inf, "not a finite altitude"),
        (10**400, "not a finite altitude"),
        ("nan", "is not an altitude"),
        ("inf ft", "is not an altitude"),
        (-500.1, "below the lowest accepted altitude of -500 m"),
        ("-600", "below the lowest accepted altitude"),
        ("-2000 ft", "-609.6 m, below"),
        ("3000 yd", "unknown unit 'YD'"),
        ("3000 km", "unknown unit 'KM'"),
        ("GND", "heights above ground are not supported"),
        ("3000 ft AGL", "heights above ground are not supported"),
        ("1,5", "is not an altitude"),
        ("10,00 ft", "is not an altitude"),
        ("FL2500", "is not an altitude"),
        ("FL", "is not an altitude"),
        ("1e3", "is not an altitude"),
        ("high", "is not an altitude"),
        ("", "is not an altitude"),
        (True, "expected an altitude"),
        (None, "expected an altitude"),
    ],
)
def test_bad_altitudes_raise_invalid_altitude_quoting_the_input(value: object, says: str) -> None:
    with pytest.raises(InvalidAltitude) as caught:
        parse_altitude(value)  # type: ignore[arg-type]
    assert says in caught.value.message
    if isinstance(value, str):
        assert repr(value) in caught.value.message
    assert caught.value.field is None


@pytest.mark.parametrize(
    ("metres", "text"),
    [
        (7620.0, "7620 m (25000 ft)"),
        (3048, "3048 m (10000 ft)"),
        (0.0, "0 m (0 ft)"),
        (-430.4, "-430 m (-1412 ft)"),
    ],
)
def test_format_altitude_gives_whole_metres_and_feet(metres: float, text: str) -> None:
    assert format_altitude(metres) == text


def test_format_altitude_refuses_nan() -> None:
    with pytest.raises(InvalidAltitude):
        format_altitude(math.nan)


def test_docstring_examples_hold() -> None:
    assert doctest.testmod(altitude, optionflags=doctest.ELLIPSIS).failed == 0
