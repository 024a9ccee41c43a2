"""The server's collector policy: young objects frozen as they age, full passes when quiet."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from deconflict.api.collector import Collector


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0
        self.work = 0

    def clock(self) -> float:
        return self.now

    def activity(self) -> int:
        return self.work


@pytest.fixture
def ticks() -> Iterator[Ticks]:
    yield Ticks()
    gc.unfreeze()  # leave the test process's collector as it was


def test_what_survives_is_frozen_out_of_the_collectors_view(ticks: Ticks) -> None:
    collector = Collector(ticks.activity, clock=ticks.clock)
    gc.unfreeze()
    kept = [[i] for i in range(1_000)]  # tracked containers, alive
    collector.step()
    assert gc.get_freeze_count() >= len(kept)
    assert collector.full_passes == 0


def test_a_full_pass_runs_once_the_server_is_quiet_after_work(ticks: Ticks) -> None:
    collector = Collector(ticks.activity, quiet_s=2.0, clock=ticks.clock)
    for second in range(1, 6):  # busy: a batch every second, no full pass
        ticks.now, ticks.work = float(second), second
        collector.step()
    assert collector.full_passes == 0
    ticks.now = 7.5  # 2.5 s without a batch
    collector.step()
    assert collector.full_passes == 1
    ticks.now = 20.0  # still idle: nothing new to collect, no second pass
    collector.step()
    assert collector.full_passes == 1


def test_load_that_never_stops_still_gets_a_full_pass_at_the_longest_interval(
    ticks: Ticks,
) -> None:
    collector = Collector(ticks.activity, full_at_least_every_s=600.0, clock=ticks.clock)
    for second in range(1, 1_201):
        ticks.now, ticks.work = float(second), second
        collector.step()
    assert collector.full_passes == 2


def test_a_full_pass_collects_cycles_that_died_after_being_frozen(ticks: Ticks) -> None:
    class Node:
        other: object = None

    collector = Collector(ticks.activity, clock=ticks.clock)
    a, b = Node(), Node()
    a.other, b.other = b, a
    alive = weakref.ref(a)
    collector.step()  # frozen while alive
    del a, b
    gc.collect()
    assert alive() is not None  # a frozen cycle outlives an ordinary pass
    collector.full()
    assert alive() is None
