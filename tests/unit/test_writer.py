"""The writer's batches: as many queued commands as fit in one turn of the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from deconflict.api.streams import Notifier
from deconflict.api.writer import Writer
from deconflict.service import commands as c
from deconflict.service.handlers import Done, Outcome, Request


class Timed:
    """Stands in for the mechanism: each command costs ``cost_s`` on a clock of its own."""

    def __init__(self, cost_s: float) -> None:
        self.cost_s = cost_s
        self.now = 0.0
        self.batches: list[int] = []

    def timer(self) -> float:
        return self.now

    def handle_all(self, requests: Sequence[Request]) -> list[Done]:
        self.batches.append(len(requests))
        self.now += self.cost_s * len(requests)
        return [Done(Outcome(), answer=i) for i, _ in enumerate(requests)]


def _write(mechanism: Timed, count: int, turn_s: float = 0.025) -> list[Done]:
    async def go() -> list[Done]:
        writer = Writer(mechanism, Notifier(), batch=64, turn_s=turn_s, timer=mechanism.timer)  # type: ignore[arg-type]
        return await asyncio.gather(
            *(writer.run(Request(c.ProcessDeadlines())) for _ in range(count))
        )

    return asyncio.run(go())


def test_cheap_commands_fill_batches_up_to_the_cap() -> None:
    cheap = Timed(cost_s=0.0001)
    done = _write(cheap, 600)
    # before anything was measured a command is taken to cost 1 ms: 25 fit in 25 ms
    assert cheap.batches[0] == 25 and sum(cheap.batches) == 600
    assert cheap.batches[:-1] == sorted(cheap.batches[:-1])  # growing as it learns
    assert max(cheap.batches) == 64  # and never over the cap
    assert [d.answer for d in done[:3]] == [0, 1, 2]  # each request gets its own answer


def test_slow_commands_are_cut_into_batches_that_fit_a_turn() -> None:
    slow = Timed(cost_s=0.010)  # 10 ms each: two and a half fit in 25 ms
    done = _write(slow, 60)
    assert sum(slow.batches) == 60 and len(done) == 60
    assert slow.batches[0] == 25
    assert slow.batches == sorted(slow.batches, reverse=True)  # shrinking as it learns
    assert max(slow.batches[-5:]) <= 3
