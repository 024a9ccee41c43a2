"""Positions typed as decimal degrees, MGRS or ACO read into WGS 84 (lon, lat)."""

from __future__ import annotations

import doctest
import math

import mgrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyproj import Geod, Transformer

from deconflict.adapters.formats import position
from deconflict.adapters.formats.position import (
    format_aco,
    format_mgrs,
    parse_position,
    validate_lon_lat,
)
from deconflict.domain.errors import InvalidCoordinate

WGS84 = Geod(ellps="WGS84")
AT_TANF = (38.6178, 33.5058)  # (lon, lat)


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(WGS84.inv(a[0], a[1], b[0], b[1])[2])


@pytest.mark.parametrize(
    "text",
    [
        "35.336 40.141",
        "35.336, 40.141",
        "35.336N 40.141E",
        "35.336N, 40.141E",
        "35.336n 40.141e",
        "35.336N40.141E",
        "  35.336   40.141  ",
        "35.336° N 40.141° E",
        "40.141E 35.336N",
    ],
)
def test_decimal_degrees_read_latitude_first(text: str) -> None:
    assert parse_position(text) == (40.141, 35.336)


def test_decimal_degrees_with_spaced_hemisphere_letters() -> None:
    assert parse_position("33.5058 N 38.6178 E") == AT_TANF


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("33.5S 38.6W", (-38.6, -33.5)),
        ("33.5N 38.6W", (-38.6, 33.5)),
        ("-33.5 -38.6", (-38.6, -33.5)),
    ],
)
def test_south_and_west_give_negative_degrees(text: str, expected: tuple[float, float]) -> None:
    assert parse_position(text) == expected


def test_aco_degrees_minutes_seconds() -> None:
    lon, lat = parse_position("351000N0401200E")
    assert lat == pytest.approx(35.16667, abs=1e-5)
    assert lon == pytest.approx(40.2, abs=1e-12)


def test_aco_degrees_minutes_reads_the_same_point() -> None:
    assert parse_position("3510N04012E") == pytest.approx(parse_position("351000N0401200E"))


def test_aco_decimal_seconds() -> None:
    lon, lat = parse_position("351000.5N0401200.5E")
    assert lat == pytest.approx(35 + 10 / 60 + 0.5 / 3600, abs=1e-12)
    assert lon == pytest.approx(40 + 12 / 60 + 0.5 / 3600, abs=1e-12)


def test_aco_south_west_and_a_space_between_halves() -> None:
    lon, lat = parse_position("331500S 0703000W")
    assert (lon, lat) == pytest.approx((-70.5, -33.25))


def test_mgrs_with_and_without_spaces_and_in_lower_case_agree() -> None:
    expected = mgrs.MGRS().toLatLon("37SEV1234567890")
    for text in ("37SEV 12345 67890", "37SEV1234567890", "37sev 12345 67890", "37S EV 12345 67890"):
        lon, lat = parse_position(text)
        assert (lat, lon) == expected


@pytest.mark.parametrize(
    ("text", "easting", "northing"),
    [
        ("37SEV 12345 67890", 512345.5, 3967890.5),
        ("37SEV 123 678", 512350.0, 3967850.0),
        ("37SEV 1 6", 515000.0, 3965000.0),
    ],
)
def test_mgrs_reads_as_the_centre_of_the_referenced_square(
    text: str, easting: float, northing: float
) -> None:
    to_utm_37n = Transformer.from_crs(4326, 32637, always_xy=True)
    x, y = to_utm_37n.transform(*parse_position(text))
    assert (x, y) == pytest.approx((easting, northing), abs=0.001)


def test_at_tanf_mgrs_round_trip_is_within_one_and_a_half_metres() -> None:
    reference = format_mgrs(*AT_TANF)
    assert reference == "37SDT 64501 07427"
    assert reference.replace(" ", "") == mgrs.MGRS().toMGRS(AT_TANF[1], AT_TANF[0])
    assert metres_between(parse_position(reference), AT_TANF) < 1.5


@pytest.mark.parametrize(
    ("precision", "expected"), [(0, "37SDT"), (1, "37SDT 6 0"), (3, "37SDT 645 074")]
)
def test_format_mgrs_precision_sets_the_digit_count(precision: int, expected: str) -> None:
    assert format_mgrs(*AT_TANF, precision=precision) == expected


def test_format_aco_rounds_to_the_second() -> None:
    assert format_aco(40.2, 35.166667) == "351000N0401200E"
    assert format_aco(40.2 + 0.6 / 3600, 35.166667) == "351000N0401201E"


def test_format_aco_carries_rounded_seconds_into_degrees() -> None:
    assert format_aco(40.99999, -12.999999) == "130000S0410000E"


def test_format_aco_writes_south_and_west() -> None:
    assert format_aco(-70.5, -33.25) == "331500S0703000W"


@given(
    lon=st.floats(min_value=-180, max_value=180, allow_nan=False),
    lat=st.floats(min_value=-90, max_value=90, allow_nan=False),
)
def test_format_aco_reads_back_within_one_arc_second(lon: float, lat: float) -> None:
    back_lon, back_lat = parse_position(format_aco(lon, lat))
    assert abs(back_lat - lat) <= 1 / 3600
    assert abs(back_lon - lon) <= 1 / 3600


def test_validate_lon_lat_returns_floats() -> None:
    assert validate_lon_lat(40, 35) == (40.0, 35.0)
    assert validate_lon_lat(-180, -90) == (-180.0, -90.0)


@pytest.mark.parametrize(
    ("lon", "lat"),
    [
        (math.nan, 0.0),
        (0.0, math.nan),
        (math.inf, 0.0),
        (0.0, -math.inf),
        (0.0, 90.001),
        (0.0, -90.001),
        (180.001, 0.0),
        (-180.001, 0.0),
    ],
)
def test_validate_lon_lat_rejects_non_finite_and_out_of_range(lon: float, lat: float) -> None:
    with pytest.raises(InvalidCoordinate) as caught:
        validate_lon_lat(lon, lat)
    assert caught.value.field is None


def test_validate_lon_lat_rejects_non_numbers() -> None:
    with pytest.raises(InvalidCoordinate):
        validate_lon_lat("east", 1.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("nan 40", "is not a position"),
        ("inf 40", "is not a position"),
        ("95 40", "latitude 95.0 is outside -90..90"),
        ("-90.5 40", "latitude -90.5 is outside"),
        ("35 190", "longitude 190.0 is outside -180..180"),
        ("40.141E 95N", "latitude 95.0"),
        ("356000N0401200E", "minutes 60 must be below 60"),
        ("351060N0401200E", "seconds 60 must be below 60"),
        ("351059.9N0406000E", "minutes 60"),
        ("351000N0401259.99E", None),
        ("910000N0401200E", "latitude"),
        ("351000N1810000E", "longitude"),
        ("35.3N 40.1", "hemisphere letter on only one number"),
        ("-35N 40E", "both a minus sign and a hemisphere letter"),
        ("35N 40N", "one of N/S and one of E/W"),
        ("35.33640.141", "is not a position"),
        ("37SEV 1234 567890", "same number of digits"),
        ("37SEV123456789", "even number of digits"),
        ("37SEV 123456 789012", "at most 10"),
        ("37XEV1234567890", "not a valid MGRS grid reference"),
        ("37SIV12345678", "is not a position"),
        ("near the wadi", "is not a position"),
        ("", "is not a position"),
    ],
)
def test_bad_positions_raise_invalid_coordinate_quoting_the_text(
    text: str, says: str | None
) -> None:
    if says is None:  # a valid edge case among the invalid ones
        parse_position(text)
        return
    with pytest.raises(InvalidCoordinate) as caught:
        parse_position(text)
    assert says in caught.value.message
    assert repr(text) in caught.value.message or says.startswith(("latitude", "longitude"))
    assert caught.value.field is None


def test_out_of_range_message_quotes_text_and_hints_latitude_first() -> None:
    with pytest.raises(InvalidCoordinate, match=r"'95.2 40.1'.*latitude comes first"):
        parse_position("95.2 40.1")


def test_format_functions_reject_out_of_range_input() -> None:
    with pytest.raises(InvalidCoordinate):
        format_aco(0.0, 91.0)
    with pytest.raises(InvalidCoordinate):
        format_mgrs(math.nan, 0.0)
    with pytest.raises(InvalidCoordinate, match="precision 6"):
        format_mgrs(*AT_TANF, precision=6)


def test_docstring_examples_hold() -> None:
    assert doctest.testmod(position, optionflags=doctest.ELLIPSIS).failed == 0
