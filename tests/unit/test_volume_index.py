"""The R-tree agrees with the brute-force scan, and the situation's index never loses a conflict."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from pyproj import Geod

from deconflict.adapters import volume_index
from deconflict.adapters.volume_index import (
    BruteForceIndex,
    RTreeIndex,
    TimeSlicedIndex,
    boxes_meet,
)
from deconflict.domain.arrangement import DeclarationKind, NoticeKind
from deconflict.domain.declarations import Declaration
from deconflict.domain.errors import InvalidGeometry
from deconflict.domain.geometry import Footprint
from deconflict.domain.measures import ControlMeasure, MeasureKind, Side, ZoneRule
from deconflict.domain.notices import Notice
from deconflict.domain.screening import Screenable, screen_pair
from deconflict.domain.volume import AltitudeBand, TimeWindow, Volume4D
from deconflict.service.ports import Box, VolumeIndex
from deconflict.service.situation import Situation, key_of

from . import factories
from .factories import RULES, T0, at, window

GEOD = Geod(ellps="WGS84")
PROPERTY = settings(max_examples=200, deadline=None)
SLOWER = settings(max_examples=100, deadline=None)

WEEK_S = 7 * 24 * 3600.0
EPOCH0 = T0.timestamp()


# --- boxes -------------------------------------------------------------------------------------


def _span(low: float, high: float, grid: int) -> st.SearchStrategy[tuple[float, float]]:
    """A (min, max) pair; half the time on a coarse grid so that edges often coincide."""
    step = (high - low) / grid
    on_grid = st.tuples(st.integers(0, grid), st.integers(0, grid)).map(
        lambda ij: (low + min(ij) * step, low + max(ij) * step)
    )
    free = st.tuples(st.floats(low, high), st.floats(low, high)).map(lambda ab: (min(ab), max(ab)))
    return st.one_of(on_grid, free)


@st.composite
def boxes(draw: st.DrawFn) -> Box:
    x = draw(_span(35.5, 42.5, 8))
    y = draw(_span(32.0, 37.5, 8))
    t = draw(_span(EPOCH0, EPOCH0 + WEEK_S, 7))
    z = draw(_span(0.0, 12_000.0, 6))
    return (x[0], y[0], t[0], z[0], x[1], y[1], t[1], z[1])


keys = st.sampled_from([f"k{i}" for i in range(12)])
items = st.dictionaries(keys, boxes(), max_size=12).map(lambda d: list(d.items()))
operations = st.lists(
    st.one_of(st.tuples(st.just("insert"), keys, boxes()), st.tuples(st.just("remove"), keys)),
    max_size=25,
)


def _sliced(items: list[tuple[str, Box]]) -> TimeSlicedIndex:
    # Short slices, so that both the per-day trees and the long-lived tree are exercised.
    return TimeSlicedIndex(items, day_s=86_400.0, max_days=2)


INDEXES = pytest.mark.parametrize("make", [RTreeIndex, _sliced], ids=["rtree", "time-sliced"])


@INDEXES
@PROPERTY
@given(items, st.lists(boxes(), min_size=1, max_size=5))
def test_rtree_finds_exactly_what_brute_force_finds(
    make: Callable[[list[tuple[str, Box]]], VolumeIndex],
    loaded: list[tuple[str, Box]],
    queries: list[Box],
) -> None:
    rtree, brute = make(loaded), BruteForceIndex(loaded)
    assert len(rtree) == len(brute) == len(loaded)
    for q in queries:
        assert rtree.candidates(q) == brute.candidates(q)


@INDEXES
@PROPERTY
@given(items, operations, st.lists(boxes(), min_size=1, max_size=5))
def test_rtree_and_brute_force_agree_after_inserts_and_removals(
    make: Callable[[list[tuple[str, Box]]], VolumeIndex],
    loaded: list[tuple[str, Box]],
    ops: list[tuple[object, ...]],
    queries: list[Box],
) -> None:
    rtree, brute = make(loaded), BruteForceIndex(loaded)
    live = dict(loaded)
    for op in ops:
        if op[0] == "insert":
            _, key, box = op
            rtree.insert(key, box)  # type: ignore[arg-type]
            brute.insert(key, box)  # type: ignore[arg-type]
            live[key] = box  # type: ignore[index,assignment]
        else:
            _, key = op
            rtree.remove(key)  # type: ignore[arg-type]
            brute.remove(key)  # type: ignore[arg-type]
            live.pop(key, None)  # type: ignore[call-overload]
        assert len(rtree) == len(brute) == len(live)
    for q in [*queries, *live.values()]:
        found = rtree.candidates(q)
        assert found == brute.candidates(q)
        assert found == {k for k, b in live.items() if boxes_meet(q, b)}


def test_reinserting_a_key_moves_it_and_removing_a_missing_key_is_harmless() -> None:
    first: Box = (36.0, 33.0, EPOCH0, 0.0, 36.5, 33.5, EPOCH0 + 3600, 1000.0)
    moved: Box = (40.0, 35.0, EPOCH0, 0.0, 40.5, 35.5, EPOCH0 + 3600, 1000.0)
    for index in (RTreeIndex([("a", first)]), BruteForceIndex([("a", first)])):
        index.insert("a", moved)
        assert len(index) == 1
        assert index.candidates(first) == set()
        assert index.candidates(moved) == {"a"}
        index.remove("missing")
        assert len(index) == 1
        index.remove("a")
        assert len(index) == 0 and index.candidates(moved) == set()


def test_a_day_gets_its_tree_once_and_later_inserts_go_into_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[RTreeIndex] = []

    class Counted(RTreeIndex):
        def __init__(self, items: list[tuple[str, Box]] | tuple[()] = ()) -> None:
            super().__init__(items)
            made.append(self)

    monkeypatch.setattr(volume_index, "RTreeIndex", Counted)
    index = TimeSlicedIndex()
    hour = (36.0, 33.0, EPOCH0 + 3600, 0.0, 36.5, 33.5, EPOCH0 + 7200, 1000.0)
    for i in range(5):  # the same day every time
        index.insert(f"k{i}", hour)
    assert len(made) == 1
    assert index.candidates(hour) == {f"k{i}" for i in range(5)}


BASE: Box = (40.0, 35.0, EPOCH0, 1000.0, 40.5, 35.5, EPOCH0 + 3600, 2000.0)


def _shifted(box: Box, dim: int, by: float) -> Box:
    """``box`` moved along one dimension so that it starts where ``box`` ends (+ ``by``)."""
    size = box[dim + 4] - box[dim]
    out = list(box)
    out[dim] = box[dim + 4] + by
    out[dim + 4] = box[dim + 4] + by + size
    return tuple(out)  # type: ignore[return-value]


@pytest.mark.parametrize("index_type", [RTreeIndex, BruteForceIndex])
@pytest.mark.parametrize("dim", [0, 1, 2, 3], ids=["lon", "lat", "time", "altitude"])
def test_boxes_that_only_touch_are_candidates_and_a_gap_is_not(
    index_type: type[RTreeIndex] | type[BruteForceIndex], dim: int
) -> None:
    index = index_type([("base", BASE)])
    assert index.candidates(_shifted(BASE, dim, 0.0)) == {"base"}
    gap = 1.0 if dim >= 2 else 1e-6
    assert index.candidates(_shifted(BASE, dim, gap)) == set()


@pytest.mark.parametrize("index_type", [RTreeIndex, BruteForceIndex])
def test_a_box_touching_only_at_a_corner_is_a_candidate(
    index_type: type[RTreeIndex] | type[BruteForceIndex],
) -> None:
    corner: Box = (BASE[4], BASE[5], BASE[6], BASE[7], 41.0, 36.0, EPOCH0 + 7200, 3000.0)
    assert index_type([("base", BASE)]).candidates(corner) == {"base"}


@pytest.mark.parametrize("index_type", [RTreeIndex, BruteForceIndex])
def test_a_degenerate_box_for_a_point_is_found_by_a_query_through_it(
    index_type: type[RTreeIndex] | type[BruteForceIndex],
) -> None:
    point: Box = (40.2, 35.2, EPOCH0, 500.0, 40.2, 35.2, EPOCH0, 500.0)
    index = index_type([("p", point)])
    assert index.candidates(point) == {"p"}
    assert index.candidates(BASE) == set()  # altitude 500 m is below the base's band


# --- the situation -----------------------------------------------------------------------------

# About 35 km by 33 km around Deir ez-Zor, so that many pairs lie within the 10 km minima.
AREA_LON = st.floats(40.0, 40.4)
AREA_LAT = st.floats(35.2, 35.5)
PARTIES = st.sampled_from(["russia", "coalition"])


def _fwd(origin: tuple[float, float], azimuth: float, distance: float) -> tuple[float, float]:
    lon, lat, _ = GEOD.fwd(origin[0], origin[1], azimuth, distance)
    return (float(lon), float(lat))


@st.composite
def area_footprints(
    draw: st.DrawFn, shapes: tuple[str, ...] = ("point", "circle", "corridor", "polygon")
) -> Footprint:
    origin = (draw(AREA_LON), draw(AREA_LAT))
    shape = draw(st.sampled_from(shapes))
    if shape == "point":
        return Footprint.point(origin)
    if shape == "circle":
        return Footprint.circle(origin, draw(st.floats(50.0, 8_000.0)))
    if shape in ("corridor", "line"):
        end = _fwd(origin, draw(st.floats(0.0, 360.0)), draw(st.floats(500.0, 30_000.0)))
        if shape == "line":
            return Footprint.line([origin, end])
        return Footprint.corridor([origin, end], draw(st.floats(50.0, 6_000.0)))
    bearings = sorted(draw(st.lists(st.floats(0.0, 360.0), min_size=3, max_size=4, unique=True)))
    ring = [_fwd(origin, b, draw(st.floats(300.0, 10_000.0))) for b in bearings]
    try:
        return Footprint.polygon(ring)
    except InvalidGeometry:
        return Footprint.circle(origin, 1_000.0)


@st.composite
def bands(draw: st.DrawFn) -> AltitudeBand:
    lower = draw(st.sampled_from([0.0, 500.0, 1_000.0, 3_000.0, 4_700.0, 6_000.0]))
    return AltitudeBand(lower, lower + draw(st.sampled_from([300.0, 1_000.0, 2_000.0, 3_700.0])))


@st.composite
def windows(draw: st.DrawFn) -> TimeWindow:
    start = draw(st.integers(0, 16))
    return window(start, start + draw(st.integers(1, 8)))


@st.composite
def notices(draw: st.DrawFn, id: str) -> Notice:
    volumes = draw(
        st.lists(st.builds(Volume4D, area_footprints(), bands(), windows()), min_size=1, max_size=2)
    )
    made = Notice(
        id, draw(PARTIES), "hotline-air", draw(st.sampled_from(NoticeKind)), tuple(volumes), at(0)
    )
    return made.cancelled(at(1)) if draw(st.integers(0, 9)) == 0 else made


@st.composite
def declarations(draw: st.DrawFn, id: str) -> Declaration:
    kind = draw(st.sampled_from(DeclarationKind))
    routes = kind is DeclarationKind.MOVEMENT
    fp = draw(area_footprints(("corridor", "line")) if routes else area_footprints())
    made = Declaration(id, draw(PARTIES), kind, fp, draw(windows()), at(0))
    return made.withdrawn_copy() if draw(st.integers(0, 9)) == 0 else made


@st.composite
def measures(draw: st.DrawFn, id: str) -> ControlMeasure:
    if draw(st.booleans()):
        origin = (draw(AREA_LON), draw(AREA_LAT))
        end = _fwd(origin, draw(st.floats(0.0, 360.0)), draw(st.floats(5_000.0, 60_000.0)))
        return ControlMeasure(
            id,
            "A-1",
            MeasureKind.DECONFLICTION_LINE,
            "line",
            Footprint.line([origin, end]),
            draw(windows()),
            sides={"coalition": Side.LEFT, "russia": Side.RIGHT},
            reach_m=draw(st.floats(1_000.0, 30_000.0)),
        )
    fp = draw(area_footprints(("circle", "corridor", "polygon")))
    return ControlMeasure(
        id,
        "A-1",
        MeasureKind.ZONE,
        "zone",
        fp,
        draw(windows()),
        rule=draw(st.sampled_from(ZoneRule)),
        band=draw(st.one_of(st.none(), bands())),
        owner=draw(PARTIES),
        notify_lead=timedelta(hours=draw(st.integers(0, 12))),
    )


@st.composite
def situations(draw: st.DrawFn) -> list[Screenable]:
    count = draw(st.integers(1, 14))
    objects: list[Screenable] = []
    for i in range(count):
        ident = f"O-{i}"
        made: st.SearchStrategy[Screenable] = draw(
            st.sampled_from([notices(ident), notices(ident), declarations(ident), measures(ident)])
        )
        objects.append(draw(made))
    return objects


def _loaded(
    index_type: Callable[[list[tuple[str, Box]]], VolumeIndex], objects: list[Screenable]
) -> Situation:
    situation = Situation(index_type)
    situation.load(objects, [])
    return situation


def _keys(found: list[Screenable]) -> set[str]:
    return {key_of(o) for o in found}


@SLOWER
@given(situations(), st.floats(0.0, 40_000.0), st.floats(0.0, 400.0))
def test_situation_near_is_the_same_with_the_rtree_and_brute_force(
    objects: list[Screenable], grow_m: float, grow_z: float
) -> None:
    by_rtree, by_brute = _loaded(TimeSlicedIndex, objects), _loaded(BruteForceIndex, objects)
    assert len(by_rtree) == len(by_brute)
    for obj in objects:
        assert _keys(by_rtree.near(obj, grow_m, grow_z)) == _keys(
            by_brute.near(obj, grow_m, grow_z)
        )


@pytest.mark.parametrize(("lower", "grow_z"), [(-430.0, 300.0), (0.0, 610.0)])
def test_near_accepts_any_valid_band_grown_by_the_vertical_separation(
    lower: float, grow_z: float
) -> None:
    # A ground movement by the Dead Sea (-430 m), or a surface band with 2,000 ft separation.
    subject = Notice(
        "N-low",
        "russia",
        "hotline-ground",
        NoticeKind.GROUND_MOVEMENT,
        (Volume4D(Footprint.point((35.5, 31.5)), AltitudeBand(lower, 100.0), window(10, 12)),),
        at(0),
    )
    situation = _loaded(BruteForceIndex, [subject])
    assert situation.near(subject, RULES.widest_m, grow_z) == []


@SLOWER
@given(situations(), st.data())
def test_situation_updates_in_place_keep_both_indexes_in_step(
    objects: list[Screenable], data: st.DataObject
) -> None:
    by_rtree, by_brute = _loaded(TimeSlicedIndex, objects), _loaded(BruteForceIndex, objects)
    for obj in objects:
        changed: Screenable = obj
        if isinstance(obj, Notice) and obj.active and data.draw(st.booleans()):
            changed = obj.cancelled(at(2))
        elif isinstance(obj, Notice) and obj.active:
            changed = obj.amended(
                (Volume4D(data.draw(area_footprints()), data.draw(bands()), data.draw(windows())),),
                at(2),
                "moved",
            )
        elif isinstance(obj, Declaration) and obj.active:
            changed = obj.withdrawn_copy()
        by_rtree.put(changed)
        by_brute.put(changed)
    assert len(by_rtree) == len(by_brute)
    for obj in objects:
        z = RULES.vertical_separation_m if isinstance(obj, Notice) else 0.0  # as the handlers ask
        expected = _keys(by_brute.near(obj, RULES.widest_m, z))
        assert _keys(by_rtree.near(obj, RULES.widest_m, z)) == expected
        assert all(by_brute.get(k) is not None for k in expected)


@SLOWER
@given(situations())
def test_the_index_never_loses_a_conflict_that_checking_every_object_finds(
    objects: list[Screenable],
) -> None:
    loaded = [_loaded(TimeSlicedIndex, objects), _loaded(BruteForceIndex, objects)]
    for subject in objects:
        if not (isinstance(subject, Notice) and subject.active):
            continue
        own = key_of(subject)
        in_conflict = {
            key_of(o)
            for o in objects
            if key_of(o) != own and screen_pair(subject, o, RULES, at(1)) is not None
        }
        event("a notice is in conflict" if in_conflict else "a notice is clear")
        for situation in loaded:
            near = _keys(situation.near(subject, RULES.widest_m, RULES.vertical_separation_m))
            assert in_conflict <= near
            assert own not in near
            # What the handlers ask: only the layers the notice's kind concerns.
            assert in_conflict <= _keys(situation.near_notice(subject, RULES))


@SLOWER
@given(situations())
def test_declarations_and_measures_find_every_notice_they_conflict_with(
    objects: list[Screenable],
) -> None:
    situation = _loaded(TimeSlicedIndex, objects)
    widest_buffer = max(RULES.buffer_m.values())
    for other in objects:
        if isinstance(other, Notice) or not other.active:
            continue
        in_conflict = {
            key_of(n)
            for n in objects
            if isinstance(n, Notice) and screen_pair(n, other, RULES, at(1)) is not None
        }
        if isinstance(other, Declaration):
            found = situation.near_declaration(other, widest_buffer)
        else:
            found = situation.near_measure(other)
        assert in_conflict <= _keys(list(found))


def test_a_conflict_just_inside_separation_is_found_through_the_index() -> None:
    # Two air notices 9,999 m apart at 35.3°N: inside the 10 km lateral separation.
    origin = (40.141, 35.336)
    east = _fwd(origin, 90.0, 9_999.0)
    a = Notice(
        "N-a",
        "russia",
        "hotline-air",
        NoticeKind.AIR_STRIKE,
        (Volume4D(Footprint.point(origin), AltitudeBand(1_000, 2_000), window(10, 12)),),
        at(0),
    )
    b = replace(
        a,
        id="N-b",
        party="coalition",
        volumes=(Volume4D(Footprint.point(east), AltitudeBand(2_200, 3_000), window(11, 13)),),
    )
    assert screen_pair(a, b, RULES, at(1)) is not None
    for index_type in (RTreeIndex, BruteForceIndex):
        near = _loaded(index_type, [a, b]).near(a, RULES.widest_m, RULES.vertical_separation_m)
        assert _keys(near) == {"notice:N-b"}


def test_phase_one_skips_the_notices_and_positions_of_its_own_party() -> None:
    """A notice never conflicts with its own party's notices or positions (screen_pair), so
    the index is asked only for the other parties' (and every measure, owned or not)."""
    here = Footprint.circle((40.19, 35.41), 3000.0)
    objects: list[Screenable] = [
        factories.notice(factories.volume(here), id="co-strike", party="coalition"),
        factories.notice(factories.volume(here), id="co-isr", party="coalition"),
        factories.notice(factories.volume(here), id="ru-strike", party="russia"),
        factories.declaration(here, id="co-position", party="coalition"),
        factories.declaration(here, id="ru-position", party="russia"),
        factories.zone(here, ZoneRule.NO_ENTRY, owner="coalition"),
    ]
    for index_type in (TimeSlicedIndex, BruteForceIndex):
        situation = _loaded(index_type, objects)
        assert _keys(situation.near_notice(objects[0], RULES)) == {
            "notice:ru-strike",
            "declaration:ru-position",
            "measure:Z-1",
        }
        assert _keys(situation.near_declaration(objects[4], 5000.0)) == {
            "notice:co-strike",
            "notice:co-isr",
        }
        # Phase one over every layer (findings, the benchmarks) still sees everything near.
        assert "notice:co-isr" in _keys(situation.near(objects[0], 5000.0))
