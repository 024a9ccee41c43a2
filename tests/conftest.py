"""Shared fixtures: a real SQLite store in a temporary file, a simulated clock, the seed scenario."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from deconflict.adapters.scenario import bundled, load_scenario
from deconflict.adapters.sqlite.store import SqliteStore
from deconflict.adapters.volume_index import TimeSlicedIndex
from deconflict.cli.replay import run_scenario
from deconflict.service.clock import SimulatedClock
from deconflict.service.handlers import Deconfliction
from deconflict.service.situation import Situation


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "deconflict.sqlite")
    yield s
    s.close()


@pytest.fixture
def seed_store(tmp_path: Path) -> Iterator[SqliteStore]:
    """A store holding the whole Deir ez-Zor scenario, replayed."""
    scenario = load_scenario(bundled("deir-ez-zor-2017.yaml"))
    s = SqliteStore(tmp_path / "seed.sqlite")
    clock = SimulatedClock(scenario.steps[0].at)
    mechanism = Deconfliction(s, clock, Situation(TimeSlicedIndex))
    mechanism.start()
    run_scenario(scenario, mechanism, clock, lambda _: None)
    yield s
    s.close()
