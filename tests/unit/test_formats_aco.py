"""Airspace Control Orders read into control measures: each shape, each form of effective
level and period, and malformed orders reported line by line with nothing returned."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from deconflict.adapters.formats.aco import AcoMeasure, AcoOptions, read_aco
from deconflict.domain.errors import InvalidDocument
from deconflict.domain.geometry import GEOD, Footprint, Shape, geodesic_distance
from deconflict.domain.measures import MeasureKind, Side, ZoneRule
from deconflict.domain.volume import UNTIL_FURTHER_NOTICE

FT = 0.3048
NM = 1852.0
HEADER = "MSGID/ACO/CAOC-1/001/SEP/-//\nGEODATUM/WGE//\nPERIOD/160000ZSEP2017/210000ZSEP2017//\n"
OPTIONS = AcoOptions("mou", sides={"coalition": Side.LEFT, "russia": Side.RIGHT})


def read(body: str, options: AcoOptions = OPTIONS, header: str = HEADER) -> list[AcoMeasure]:
    return read_aco(header + body, options)


def one(body: str, options: AcoOptions = OPTIONS) -> AcoMeasure:
    [measure] = read(body, options)
    return measure


def problems(body: str, options: AcoOptions = OPTIONS, header: str = HEADER) -> list[str]:
    with pytest.raises(InvalidDocument) as caught:
        read(body, options, header)
    return [str(p) for p in caught.value.problems]


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2017, 9, day, hour, minute, tzinfo=UTC)


# -- shapes -------------------------------------------------------------------------------------


def test_a_polygon_over_several_lines_with_seconds_and_minutes() -> None:
    m = one(
        "ACMID/ACM:ROZ/NAME:ROZ ALPHA/POLYGON/USE:ROZ//\n"
        "POLYGON/LATS:351000N0401200E/LATS:352000N0402000E/\n"
        "LATM:3515N04030E//\n"
        "EFFLEVEL/FLFL:FL100-FL200//\n"
    )
    assert m.line == 4 and m.text.startswith("ACMID/ACM:ROZ")
    measure = m.measure
    assert (measure.id, measure.name, measure.arrangement) == (
        "aco-roz-alpha",
        "ROZ ALPHA (ROZ)",
        "mou",
    )
    assert measure.kind is MeasureKind.ZONE and measure.rule is ZoneRule.NO_ENTRY
    assert measure.footprint.shape is Shape.POLYGON
    assert measure.footprint.coordinates[2] == pytest.approx((40.5, 35.25))
    assert measure.footprint.coordinates[0] == pytest.approx((40.2, 35 + 10 / 60))
    assert measure.window.start == utc(16, 0) and measure.window.end == utc(21, 0)
    assert measure.owner is None


@pytest.mark.parametrize(
    ("radius", "metres"), [("RADIUS:2NM", 2 * NM), ("15KM", 15_000.0), ("RAD:900M", 900.0)]
)
def test_a_circle_is_a_centre_and_a_radius_with_its_unit(radius: str, metres: float) -> None:
    m = one(
        f"ACMID/ACM:NFA/NAME:HOSPITAL/CIRCLE/USE:NFA//\nCIRCLE/LATS:352000N0401000E/{radius}//\n"
        "EFFLEVEL/BRRA:SFC-050AMSL//\n"
    ).measure
    assert m.footprint.shape is Shape.CIRCLE and m.footprint.radius_m == pytest.approx(metres)
    assert m.footprint.coordinates[0] == pytest.approx((40 + 10 / 60, 35 + 20 / 60))
    assert m.rule is ZoneRule.NO_STRIKE


def test_a_corridor_is_its_points_and_its_width() -> None:
    m = one(
        "ACMID/ACM:CORRIDOR/NAME:TR RED/CORRIDOR/USE:AIRCOR//\n"
        "CORRIDOR/WIDTH:5NM/LATM:3510N04012E/LATM:3530N04040E/LATM:3540N04050E//\n"
        "EFFLEVEL/RARA:010AMSL-120AMSL//\n"
    ).measure
    assert m.footprint.shape is Shape.CORRIDOR and len(m.footprint.coordinates) == 3
    assert m.footprint.width_m == pytest.approx(5 * NM)
    assert m.rule is ZoneRule.NOTIFY_BEFORE_ENTRY


@pytest.mark.parametrize("alignment", ["C", "L", "R"])
def test_an_orbit_is_a_race_track_centred_or_beside_its_line(alignment: str) -> None:
    m = one(
        "ACMID/ACM:CAP/NAME:CAP 1/ORBIT/USE:CAP//\n"
        f"AORBIT/LATS:350000N0400000E/LATS:353000N0400000E/20NM/{alignment}//\n"
        "EFFLEVEL/RAFL:070AMSL-FL280//\n"
    ).measure
    fp = m.footprint
    assert fp.shape is Shape.CORRIDOR and fp.width_m == pytest.approx(20 * NM)
    west, east = Footprint.point((39.9, 35.25)), Footprint.point((40.1, 35.25))
    # The line runs north: left is west. A centred orbit is as far from both sides.
    offset = {"C": 0.0, "L": -10 * NM, "R": 10 * NM}[alignment]
    (lon0, lat0), _ = fp.coordinates
    _, _, moved = GEOD.inv(40.0, 35.0, lon0, lat0)
    assert moved == pytest.approx(abs(offset), abs=1.0)
    if alignment == "L":
        assert geodesic_distance(fp, west) < geodesic_distance(fp, east)
    elif alignment == "R":
        assert geodesic_distance(fp, east) < geodesic_distance(fp, west)


def test_a_line_is_a_deconfliction_line_with_the_sides_given() -> None:
    m = one(
        "ACMID/ACM:FSCL/NAME:EUPHRATES/LINE/USE:FSCL//\nGEOLINE/LATM:3500N04000E/LATM:3530N04030E//\n"
    ).measure
    assert m.kind is MeasureKind.DECONFLICTION_LINE and m.footprint.shape is Shape.LINE
    assert m.sides == {"coalition": Side.LEFT, "russia": Side.RIGHT} and m.band is None


# -- effective levels -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "lower", "upper"),
    [
        ("FLFL:FL100-FL230", 10_000 * FT, 23_000 * FT),
        ("BRFL:MSL-FL200", 0.0, 20_000 * FT),
        ("RAFL:070AMSL-FL280", 7_000 * FT, 28_000 * FT),
        ("BRRA:SFC-050AMSL", 0.0, 5_000 * FT),
        ("BRRA:GL-220AMSL", 0.0, 22_000 * FT),
        ("RARA:010AMSL-12000FTAMSL", 1_000 * FT, 12_000 * FT),
        ("RARA:500MAMSL-2100MAMSL", 500.0, 2_100.0),
        ("FL050-FL150", 5_000 * FT, 15_000 * FT),
    ],
)
def test_each_form_of_effective_level(level: str, lower: float, upper: float) -> None:
    m = one(
        f"ACMID/ACM:ROZ/NAME:R/CIRCLE/USE:ROZ//\nCIRCLE/351000N0401200E/5NM//\nEFFLEVEL/{level}//\n"
    )
    assert m.measure.band is not None
    assert (m.measure.band.lower_m, m.measure.band.upper_m) == pytest.approx((lower, upper))


def test_heights_above_ground_are_read_on_the_ground_elevation_given() -> None:
    body = "ACMID/ACM:ROZ/NAME:R/CIRCLE//\nCIRCLE/351000N0401200E/5NM//\nEFFLEVEL/RARA:000AGL-005AGL//\n"
    m = one(body, AcoOptions("mou", ground_m=210.0)).measure
    assert m.band is not None and (m.band.lower_m, m.band.upper_m) == pytest.approx(
        (210.0, 210.0 + 500 * FT)
    )
    [problem] = problems(body)
    assert problem.startswith("line 6:") and "ground" in problem


# -- periods --------------------------------------------------------------------------------------


def test_discrete_periods_with_and_without_year_and_until_further_notice() -> None:
    measures = read(
        "ACMID/ACM:NFA/NAME:HOSPITAL/CIRCLE/USE:NFA//\nCIRCLE/LATS:352000N0401000E/2NM//\n"
        "EFFLEVEL/BRRA:SFC-050AMSL//\n"
        "APERIOD/DISCRETE/161000ZSEP/161200ZSEP//\n"
        "APERIOD/DISCRETE/171000ZSEP2017/UFN//\n"
    )
    assert [m.measure.id for m in measures] == ["aco-hospital-1", "aco-hospital-2"]
    assert [m.measure.window.start for m in measures] == [utc(16, 10), utc(17, 10)]
    assert measures[0].measure.window.end == utc(16, 12)
    assert measures[1].measure.window.end == UNTIL_FURTHER_NOTICE


def test_an_interval_period_is_one_window_per_occurrence() -> None:
    daily = read(
        "ACMID/ACM:CORRIDOR/NAME:TR/CORRIDOR//\nCORRIDOR/5NM/3510N04012E/3530N04040E//\n"
        "EFFLEVEL/FL050-FL100//\nAPERIOD/INTERVAL/160600ZSEP/161800ZSEP/DAILY/3DAY//\n"
    )
    assert [(m.measure.window.start, m.measure.window.end) for m in daily] == [
        (utc(d, 6), utc(d, 18)) for d in (16, 17, 18)
    ]
    # 16 Sept 2017 was a Saturday: weekdays over two weeks skip both weekends.
    weekdays = read(
        "ACMID/ACM:CORRIDOR/NAME:TR/CORRIDOR//\nCORRIDOR/5NM/3510N04012E/3530N04040E//\n"
        "EFFLEVEL/FL050-FL100//\nAPERIOD/INTERVAL/160600ZSEP2017/160700ZSEP2017/WEEKDAYS/2WK//\n"
    )
    assert [m.measure.window.start.day for m in weekdays] == [
        18,
        19,
        20,
        21,
        22,
        25,
        26,
        27,
        28,
        29,
    ]


# -- malformed orders ---------------------------------------------------------------------------


def test_every_bad_set_is_reported_with_its_line_and_text_and_nothing_is_returned() -> None:
    found = problems(
        "ACMID/ACM:ROZ/NAME:GOOD/CIRCLE//\n"  # 4: good
        "CIRCLE/351000N0401200E/5NM//\n"
        "EFFLEVEL/FL050-FL100//\n"
        "ACMID/ACM:ROZ/NAME:BAD POINT/POLYGON//\n"  # 7
        "POLYGON/LATS:351000N0401200E/LATS:3520N4020E/LATS:351500N0403000E//\n"  # 8
        "EFFLEVEL/FL050-FL100//\n"
        "ACMID/ACM:ROZ/NAME:ARC/RADARC//\n"  # 10: unknown shape
        "ACMID/ACM:ROZ/NAME:NO UNIT/CIRCLE//\n"  # 11
        "CIRCLE/351000N0401200E/10//\n"  # 12: radius without units
        "EFFLEVEL/FL050-FL100//\n"
        "ACMID/ACM:ROZ/NAME:LEVELS/CIRCLE//\n"  # 14
        "CIRCLE/351000N0401200E/5NM//\n"
        "EFFLEVEL/FLFL:070AMSL-FL100//\n"  # 16: prefix against its levels
        "ACMID/ACM:ROZ/NAME:WHEN/CIRCLE//\n"  # 17
        "CIRCLE/351000N0401200E/5NM//\n"
        "EFFLEVEL/FL050-FL100//\n"
        "APERIOD/DISCRETE/321000ZSEP2017/UFN//\n"  # 20: no 32nd
    )
    lines = [p.split(":")[0] for p in found]
    assert lines == ["line 8", "line 10", "line 12", "line 16", "line 20"], found
    assert "3520N4020E" in found[0]
    assert "RADARC" in found[1]
    assert "'10'" in found[2] and "unit" in found[2]
    assert "FLFL" in found[3]
    assert "321000ZSEP2017" in found[4]


def test_a_missing_period_names_the_acm() -> None:
    [problem] = problems(
        "ACMID/ACM:ROZ/NAME:ROZ B/CIRCLE//\nCIRCLE/351000N0401200E/5NM//\nEFFLEVEL/FL050-FL100//\n",
        header="MSGID/ACO/CAOC-1//\n",
    )
    assert problem.startswith("line 2:") and "ROZ B" in problem and "APERIOD" in problem


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ("ACMID/ACM:ROZ/NAME:A/CIRCLE//\nCIRCLE/351000N0401200E/5NM//\n", 4, "EFFLEVEL"),
        ("ACMID/ACM:ROZ/NAME:A/CIRCLE//\nEFFLEVEL/FL050-FL100//\n", 4, "no CIRCLE"),
        (
            "ACMID/ACM:ROZ/NAME:A/CIRCLE//\nPOLYGON/3510N04012E/3530N04040E/3540N04010E//\n",
            5,
            "POLYGON",
        ),
        ("EFFLEVEL/FL050-FL100//\n", 4, "before any ACMID"),
        ("ACMID/ACM:FSCL/NAME:L/LINE//\nGEOLINE/3500N04000E/3530N04030E//\n", 4, "side"),
        (
            "ACMID/ACM:ROZ/NAME:A/CIRCLE//\nCIRCLE/351000N0401200E/5NM//\nEFFLEVEL/FL150-FL100//\n",
            6,
            "above",
        ),
        (
            "ACMID/ACM:ROZ/NAME:A/POLYGON//\nPOLYGON/3510N04012E/3530N04040E//\nEFFLEVEL/FL1-FL2//\n",
            5,
            "three",
        ),
    ],
)
def test_malformed_acms(body: str, line: int, words: str) -> None:
    options = AcoOptions("mou") if "LINE" in body else OPTIONS
    found = problems(body, options)
    assert any(p.startswith(f"line {line}:") and words in p for p in found), found


def test_what_is_not_an_aco_is_refused_at_its_first_line() -> None:
    with pytest.raises(InvalidDocument) as caught:
        read_aco("\n\nMSGID/ATO/CAOC//\n", OPTIONS)
    assert str(caught.value.problems[0]).startswith("line 3:")


def test_two_acms_of_one_name_would_make_one_id_twice() -> None:
    body = (
        "ACMID/ACM:ROZ/NAME:TWIN/CIRCLE//\nCIRCLE/351000N0401200E/5NM//\nEFFLEVEL/FL050-FL100//\n"
    )
    [problem] = problems(body + body)
    assert problem.startswith("line 7:") and "aco-twin" in problem


def test_sets_may_share_a_line_or_span_several() -> None:
    text = (
        "MSGID/ACO/X//PERIOD/160000ZSEP2017/UFN//\n"
        "ACMID/ACM:ROZ/NAME:A/CIRCLE//CIRCLE/3510N04012E/5NM//EFFLEVEL/FL010-FL020//"
    )
    [m] = read_aco(text, OPTIONS)
    assert (m.line, m.measure.id) == (2, "aco-a")
    assert m.measure.window.end == UNTIL_FURTHER_NOTICE
