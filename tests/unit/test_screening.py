"""Each screening rule, positive and negative, and its edges, with distances worked by hand."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from pyproj import Geod

from deconflict.domain.arrangement import DeclarationKind, NoticeKind, Rules
from deconflict.domain.conflicts import ConflictRule, Severity
from deconflict.domain.geometry import Footprint
from deconflict.domain.measures import ZoneRule
from deconflict.domain.screening import screen, screen_pair, short_notice
from deconflict.domain.volume import AltitudeBand

from .factories import RULES, at, declaration, notice, river, volume, zone

GEOD = Geod(ellps="WGS84")
DEZ = (40.141, 35.336)


def point_at(
    distance_m: float, azimuth: float = 90.0, origin: tuple[float, float] = DEZ
) -> tuple[float, float]:
    lon, lat, _ = GEOD.fwd(origin[0], origin[1], azimuth, distance_m)
    return (lon, lat)


class TestDeclarationBuffer:
    def test_strike_inside_the_buffer_of_a_force_position_conflicts_with_its_distance(self) -> None:
        # Strike circle of 1 km radius whose centre is 5 km from a point position; buffer 5 km.
        strike = notice(volume(Footprint.circle(point_at(5_000), 1_000)))
        found = screen_pair(strike, declaration(Footprint.point(DEZ)), RULES, at(1))
        assert found is not None and found.rule is ConflictRule.DECLARATION_BUFFER
        assert found.distance_m == pytest.approx(4_000, abs=1)
        assert (
            found.window is not None and found.window.start == at(10) and found.window.end == at(12)
        )

    def test_strike_just_outside_the_buffer_does_not_conflict(self) -> None:
        strike = notice(volume(Footprint.circle(point_at(6_010), 1_000)))
        assert screen_pair(strike, declaration(Footprint.point(DEZ)), RULES, at(1)) is None

    def test_exactly_at_the_buffer_is_not_within_it(self) -> None:
        decl = declaration(Footprint.point(DEZ))
        far = notice(volume(Footprint.point(point_at(5_000.5))))
        near = notice(volume(Footprint.point(point_at(4_999.5))))
        assert screen_pair(far, decl, RULES, at(1)) is None
        assert screen_pair(near, decl, RULES, at(1)) is not None

    def test_windows_that_only_touch_do_not_conflict(self) -> None:
        strike = notice(volume(Footprint.point(DEZ), start_h=10, end_h=12))
        assert (
            screen_pair(
                strike, declaration(Footprint.point(DEZ), start_h=12, end_h=20), RULES, at(1)
            )
            is None
        )
        assert (
            screen_pair(
                strike, declaration(Footprint.point(DEZ), start_h=11.9, end_h=20), RULES, at(1)
            )
            is not None
        )

    def test_own_declarations_and_air_transits_are_not_screened_against_declarations(self) -> None:
        decl = declaration(Footprint.point(DEZ))
        own = notice(volume(Footprint.point(DEZ)), party="coalition")
        transit = notice(volume(Footprint.point(DEZ)), kind=NoticeKind.AIR_TRANSIT)
        assert screen_pair(own, decl, RULES, at(1)) is None
        assert screen_pair(transit, decl, RULES, at(1)) is None

    def test_movement_route_corridor_width_counts(self) -> None:
        route = declaration(
            Footprint.corridor([point_at(0, 0), point_at(20_000, 0)], 2_000),
            kind=DeclarationKind.MOVEMENT,
        )
        # 3.9 km east of a 2 km wide route's axis is 2.9 km from its edge: inside the 3 km buffer.
        beside = notice(volume(Footprint.point(point_at(3_900, 90, point_at(10_000, 0)))))
        found = screen_pair(beside, route, RULES, at(1))
        assert found is not None and found.distance_m == pytest.approx(2_900, abs=5)
        away = notice(volume(Footprint.point(point_at(4_100, 90, point_at(10_000, 0)))))
        assert screen_pair(away, route, RULES, at(1)) is None


class TestAirSeparation:
    def _air(
        self, centre: tuple[float, float], lower: float, upper: float, party: str, id: str
    ) -> object:
        return notice(
            volume(Footprint.circle(centre, 1_000), lower, upper),
            party=party,
            id=id,
            kind=NoticeKind.AIR_TRANSIT,
        )

    def test_lateral_vertical_and_time_all_lost_conflicts(self) -> None:
        a = self._air(DEZ, 3_000, 5_000, "russia", "A")
        b = self._air(point_at(8_000), 4_000, 6_000, "coalition", "B")
        found = screen_pair(a, b, RULES, at(1))  # type: ignore[arg-type]
        assert found is not None and found.rule is ConflictRule.AIR_SEPARATION
        assert found.distance_m == pytest.approx(6_000, abs=1)
        assert found.band == AltitudeBand(4_000, 5_000)

    def test_vertical_separation_kept_means_no_conflict(self) -> None:
        a = self._air(DEZ, 3_000, 5_000, "russia", "A")
        exactly = self._air(DEZ, 5_300, 7_000, "coalition", "B")
        inside = self._air(DEZ, 5_299, 7_000, "coalition", "C")
        assert screen_pair(a, exactly, RULES, at(1)) is None  # type: ignore[arg-type]
        assert screen_pair(a, inside, RULES, at(1)) is not None  # type: ignore[arg-type]

    def test_bands_that_only_touch_do_not_conflict_without_a_vertical_minimum(self) -> None:
        rules = Rules(lateral_separation_m=10_000, vertical_separation_m=0)
        a = self._air(DEZ, 3_000, 5_000, "russia", "A")
        touching = self._air(DEZ, 5_000, 7_000, "coalition", "B")
        assert screen_pair(a, touching, rules, at(1)) is None  # type: ignore[arg-type]

    def test_lateral_separation_kept_means_no_conflict(self) -> None:
        a = self._air(DEZ, 3_000, 5_000, "russia", "A")
        far = self._air(point_at(12_100), 3_000, 5_000, "coalition", "B")
        assert screen_pair(a, far, RULES, at(1)) is None  # type: ignore[arg-type]

    def test_same_party_or_ground_operations_are_not_separated(self) -> None:
        a = self._air(DEZ, 3_000, 5_000, "russia", "A")
        same = self._air(DEZ, 3_000, 5_000, "russia", "B")
        ground = notice(
            volume(Footprint.point(DEZ)), party="coalition", kind=NoticeKind.GROUND_MOVEMENT
        )
        assert screen_pair(a, same, RULES, at(1)) is None  # type: ignore[arg-type]
        assert screen_pair(a, ground, RULES, at(1)) is None  # type: ignore[arg-type]


class TestDeconflictionLine:
    # A north-south line through Deir ez-Zor's longitude; looking north, left is west.
    LINE = [(40.141, 35.0), (40.141, 35.8)]

    def test_notice_on_its_own_side_does_not_conflict(self) -> None:
        west = notice(
            volume(Footprint.circle((40.0, 35.3), 1_000)), party="coalition"
        )  # coalition: left
        assert screen_pair(west, river(self.LINE), RULES, at(1)) is None

    def test_notice_wholly_on_the_other_side_conflicts_with_its_distance_from_the_line(
        self,
    ) -> None:
        east = notice(volume(Footprint.circle((40.3, 35.3), 1_000)), party="coalition")
        found = screen_pair(east, river(self.LINE), RULES, at(1))
        assert found is not None and found.rule is ConflictRule.LINE_SIDE
        expected = GEOD.inv(40.141, 35.3, 40.3, 35.3)[2] - 1_000
        assert found.distance_m == pytest.approx(expected, rel=1e-3)

    def test_notice_crossing_the_line_is_a_crossing(self) -> None:
        across = notice(
            volume(Footprint.corridor([(40.1, 35.3), (40.2, 35.3)], 500)), party="russia"
        )
        found = screen_pair(across, river(self.LINE), RULES, at(1))
        assert found is not None and found.rule is ConflictRule.LINE_CROSSING
        assert found.severity is Severity.VIOLATION and found.distance_m == 0

    def test_a_notified_river_crossing_is_an_advisory(self) -> None:
        across = notice(
            volume(Footprint.corridor([(40.1, 35.3), (40.2, 35.3)], 500)),
            kind=NoticeKind.RIVER_CROSSING,
        )
        found = screen_pair(across, river(self.LINE, (NoticeKind.RIVER_CROSSING,)), RULES, at(1))
        assert found is not None and found.severity is Severity.ADVISORY

    def test_beyond_the_lines_reach_there_is_no_side(self) -> None:
        far_east = notice(
            volume(Footprint.point((40.6, 35.3))), party="coalition"
        )  # ~42 km > 30 km
        assert screen_pair(far_east, river(self.LINE), RULES, at(1)) is None


class TestZones:
    TANF = Footprint.circle((38.6178, 33.5058), 55_000)

    def test_entering_a_no_entry_zone_conflicts_but_not_for_its_owner(self) -> None:
        inside = volume(Footprint.point((38.7, 33.6)))
        found = screen_pair(notice(inside), zone(self.TANF, ZoneRule.NO_ENTRY), RULES, at(1))
        assert found is not None and found.rule is ConflictRule.ZONE_NO_ENTRY
        assert (
            screen_pair(
                notice(inside, party="coalition"), zone(self.TANF, ZoneRule.NO_ENTRY), RULES, at(1)
            )
            is None
        )

    def test_touching_a_zone_boundary_is_not_entering(self) -> None:
        square = Footprint.polygon([(38.0, 33.0), (38.1, 33.0), (38.1, 33.1), (38.0, 33.1)])
        neighbour = Footprint.polygon([(38.1, 33.0), (38.2, 33.0), (38.2, 33.1), (38.1, 33.1)])
        assert (
            screen_pair(notice(volume(neighbour)), zone(square, ZoneRule.NO_ENTRY), RULES, at(1))
            is None
        )

    def test_zone_altitude_band_and_validity_limit_the_rule(self) -> None:
        high = zone(self.TANF, ZoneRule.NO_ENTRY, band=AltitudeBand(0, 3_000))
        above = notice(volume(Footprint.point((38.7, 33.6)), 3_000, 6_000))
        below = notice(volume(Footprint.point((38.7, 33.6)), 2_000, 6_000))
        assert screen_pair(above, high, RULES, at(1)) is None
        assert screen_pair(below, high, RULES, at(1)) is not None
        expired = zone(self.TANF, ZoneRule.NO_ENTRY, start_h=0, end_h=10)
        assert (
            screen_pair(notice(volume(Footprint.point((38.7, 33.6)))), expired, RULES, at(1))
            is None
        )

    def test_no_strike_zone_only_concerns_fires(self) -> None:
        no_strike = zone(self.TANF, ZoneRule.NO_STRIKE)
        inside = volume(Footprint.point((38.7, 33.6)))
        assert screen_pair(notice(inside), no_strike, RULES, at(1)) is not None
        assert screen_pair(notice(inside, kind=NoticeKind.ISR), no_strike, RULES, at(1)) is None

    def test_notify_before_entry_conflicts_only_when_notified_too_late(self) -> None:
        rule = zone(self.TANF, ZoneRule.NOTIFY_BEFORE_ENTRY, notify_lead_h=2)
        inside = volume(Footprint.point((38.7, 33.6)), start_h=10)
        assert screen_pair(notice(inside, filed_h=7.9), rule, RULES, at(1)) is None
        late = screen_pair(notice(inside, filed_h=8.5), rule, RULES, at(1))
        assert late is not None and late.rule is ConflictRule.ZONE_NOTIFY


class TestLeadTime:
    def test_short_notice_is_flagged_with_the_lead_it_had(self) -> None:
        rules = Rules(min_lead={NoticeKind.AIR_STRIKE: timedelta(hours=1)})
        late = short_notice(
            notice(volume(Footprint.point(DEZ), start_h=10), filed_h=9.5), rules, "A-1", at(9.5)
        )
        assert late is not None and late.rule is ConflictRule.SHORT_NOTICE
        assert "30 min ahead; 60 min required" in late.detail

    def test_a_notice_filed_once_its_operation_began_says_how_late(self) -> None:
        rules = Rules(min_lead={NoticeKind.AIR_STRIKE: timedelta(hours=1)})
        late = short_notice(
            notice(volume(Footprint.point(DEZ), start_h=10), filed_h=10.25), rules, "A-1", at(10.25)
        )
        assert late is not None
        assert "filed 15 min after its start; 60 min required" in late.detail

    def test_exactly_the_minimum_lead_is_enough(self) -> None:
        rules = Rules(min_lead={NoticeKind.AIR_STRIKE: timedelta(hours=1)})
        assert (
            short_notice(
                notice(volume(Footprint.point(DEZ), start_h=10), filed_h=9), rules, "A-1", at(9)
            )
            is None
        )

    def test_screen_reports_lead_time_and_pair_conflicts_together(self) -> None:
        rules = Rules(min_lead={NoticeKind.AIR_STRIKE: timedelta(hours=1)})
        strike = notice(volume(Footprint.point(DEZ), start_h=10), filed_h=9.9)
        found = screen(strike, [declaration(Footprint.point(DEZ))], rules, "A-1", at(9.9))
        assert [c.rule for c in found] == [
            ConflictRule.SHORT_NOTICE,
            ConflictRule.DECLARATION_BUFFER,
        ]


def test_cancelled_notices_never_conflict() -> None:
    strike = notice(volume(Footprint.point(DEZ))).cancelled(at(2))
    assert screen_pair(strike, declaration(Footprint.point(DEZ)), RULES, at(2)) is None


def test_a_notices_conflicts_share_the_first_part_of_their_ids_and_no_more() -> None:
    strike = notice(volume(Footprint.circle(DEZ, 1_000)))
    positions = [
        declaration(Footprint.point(point_at(2_000 + 50 * i)), id=f"D-{i}") for i in range(50)
    ]
    found = screen(strike, positions, RULES, "A-1", at(1))
    ids = [c.id for c in found]
    assert len(ids) == 50 and len(set(ids)) == 50
    assert {i.split("-")[1] for i in ids} == {ids[0].split("-")[1]}  # one notice, one group
    assert all(re.fullmatch(r"C-[0-9a-f]{6}-[0-9a-f]{8}", i) for i in ids)
    again = screen(strike, positions, RULES, "A-1", at(2))
    assert [c.id for c in again] == ids  # the same findings, the same ids
    amended = strike.amended(strike.volumes, at(1), "moved")
    other = screen(amended, positions, RULES, "A-1", at(2))
    assert not {c.id for c in other} & set(ids)  # a new version: new findings
    assert {c.id.split("-")[1] for c in other} != {ids[0].split("-")[1]}
