"""The seed's scenario, replayed on a real SQLite file: exactly the expected record."""

from __future__ import annotations

import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point

from deconflict.adapters.rivers import euphrates_course
from deconflict.adapters.sqlite.store import SqliteStore
from deconflict.domain.conflicts import Conflict, Severity
from deconflict.domain.declarations import Declaration
from deconflict.domain.lines import Answer, Line, Message, MessageKind
from deconflict.domain.measures import ControlMeasure
from deconflict.domain.notices import Notice
from deconflict.service.verification import verify_store

GEOD = Geod(ellps="WGS84")


def _conflicts(store: SqliteStore) -> dict[tuple[str, int, str, str], Conflict]:
    with store.read() as tx:
        return {
            (c.subject.id, c.subject.version, str(c.rule), c.other.id): c for c in tx.all(Conflict)
        }


def test_the_scenario_finds_exactly_the_expected_conflicts(seed_store: SqliteStore) -> None:
    found = _conflicts(seed_store)
    assert set(found) == {
        ("ru-strike-0916", 1, "declaration_buffer", "sdf-ne-deir-ez-zor"),
        ("ru-strike-0916", 1, "line_side", "euphrates-line"),
        ("ru-strike-0916", 1, "air_separation", "coalition-isr-0916"),
        ("saa-crossing", 1, "declaration_buffer", "sdf-ne-deir-ez-zor"),
        ("saa-crossing", 1, "line_crossing", "euphrates-line"),
        ("saa-crossing", 1, "declaration_buffer", "sdf-east-bank"),
        ("saa-crossing", 2, "short_notice", "mou-2015"),
        ("saa-crossing", 2, "declaration_buffer", "sdf-east-bank"),
        ("saa-crossing", 2, "declaration_buffer", "sdf-ne-deir-ez-zor"),
        ("saa-crossing", 2, "line_crossing", "euphrates-line"),
    }
    # Version 1's conflicts were cleared when the crossing was amended; version 2's stand.
    assert {k[1] for k, c in found.items() if c.active} == {1, 2}
    assert all(not c.active for k, c in found.items() if k[0] == "saa-crossing" and k[1] == 1)


def test_the_strike_overlaps_the_undisclosed_sdf_position(seed_store: SqliteStore) -> None:
    strike = _conflicts(seed_store)[
        ("ru-strike-0916", 1, "declaration_buffer", "sdf-ne-deir-ez-zor")
    ]
    # Strike circle 3 km around 35.41N 40.19E, SDF circle 2 km around 35.395N 40.215E: they overlap.
    centres = GEOD.inv(40.19, 35.41, 40.215, 35.395)[2]
    assert centres < 5_000 and strike.distance_m == 0.0
    assert (
        strike.window is not None and strike.window.start.isoformat() == "2017-09-16T10:00:00+00:00"
    )


def test_distances_match_pyproj_for_the_crossing_and_the_late_declaration(
    seed_store: SqliteStore,
) -> None:
    found = _conflicts(seed_store)
    east_bank = found[("saa-crossing", 2, "declaration_buffer", "sdf-east-bank")]
    # Corridor axis 35.300N 40.205E -> 35.335N 40.245E (half-width 750 m); SDF circle r=1500 m at 35.36N 40.27E.
    # Nearest axis point to the circle centre is the path's end.
    expected = GEOD.inv(40.245, 35.335, 40.27, 35.36)[2] - 750 - 1_500
    assert east_bank.distance_m == pytest.approx(expected, abs=1 + expected * 1e-3)
    isr = found[("ru-strike-0916", 1, "air_separation", "coalition-isr-0916")]
    expected_isr = GEOD.inv(40.19, 35.41, 40.42, 35.47)[2] - 3_000 - 8_000
    assert isr.distance_m == pytest.approx(expected_isr, abs=1 + expected_isr * 1e-3)
    assert isr.band is not None and (isr.band.lower_m, isr.band.upper_m) == (4572.0, 6096.0)


def test_the_river_crossing_is_an_advisory_and_the_strike_is_beyond_the_line(
    seed_store: SqliteStore,
) -> None:
    found = _conflicts(seed_store)
    assert (
        found[("saa-crossing", 2, "line_crossing", "euphrates-line")].severity is Severity.ADVISORY
    )
    side = found[("ru-strike-0916", 1, "line_side", "euphrates-line")]
    river = LineString(euphrates_course())
    assert side.severity is Severity.VIOLATION
    assert not river.intersects(Point(40.19, 35.41).buffer(0.03))  # wholly on the SDF side
    assert 1_000 < (side.distance_m or 0) < 10_000


def test_the_euphrates_line_comes_from_the_river_dataset(seed_store: SqliteStore) -> None:
    with seed_store.read() as tx:
        line = tx.get(ControlMeasure, "euphrates-line")
    assert line is not None and list(line.footprint.coordinates) == euphrates_course()


def test_the_lines_record_who_told_whom_what_and_when(seed_store: SqliteStore) -> None:
    with seed_store.read() as tx:
        strike_msg = tx.get(Message, "hotline-air#3")
        stop = tx.get(Message, "hotline-air#5")
        warning = tx.get(Message, "hotline-command#4")
        escalation = tx.get(Message, "hotline-command#3")
        objection = tx.get(Message, "hotline-ground#3")
        lines = {line.id: line for line in tx.all(Line)}
        notice = tx.get(Notice, "saa-crossing")
        hidden = tx.get(Declaration, "sdf-ne-deir-ez-zor")
    assert strike_msg is not None and strike_msg.notice == "ru-strike-0916"
    ack = strike_msg.acknowledgements[0]
    assert (ack.party, ack.answer, ack.at.isoformat()) == (
        "coalition",
        Answer.RECEIVED,
        "2017-09-16T08:40:00+00:00",
    )
    assert stop is not None and stop.kind is MessageKind.STOP_REQUEST and stop.refers_to == 3
    assert warning is not None and warning.kind is MessageKind.WARNING and warning.party == "russia"
    assert warning.acknowledgements[0].party == "coalition"
    assert (
        escalation is not None
        and escalation.kind is MessageKind.ESCALATION
        and "hotline-ground#7" in escalation.text
    )
    assert objection is not None and objection.acknowledgements[0].answer is Answer.OBJECTION
    assert set(lines) == {"hotline-air", "hotline-ground", "hotline-command"}
    assert notice is not None and notice.version == 2
    assert hidden is not None and hidden.disclosed_to == ()


def test_the_replayed_store_verifies(seed_store: SqliteStore) -> None:
    report = verify_store(seed_store, lambda: SqliteStore(":memory:"))
    assert report.ok, report.problems
    assert report.entries > 70
