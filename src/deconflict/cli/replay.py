"""Running a scenario on a simulated clock."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from ..adapters.codec import to_dict
from ..adapters.scenario import Scenario, ScenarioError
from ..domain.conflicts import Conflict
from ..domain.errors import DeconflictError
from ..service.clock import SimulatedClock
from ..service.commands import ProcessDeadlines
from ..service.handlers import Deconfliction, Outcome
from .timeline import describe

__all__ = ["run_scenario", "ReplayResult"]


@dataclass
class ReplayResult:
    steps: int = 0
    entries: int = 0
    conflicts: list[Conflict] = field(default_factory=list)


def _json_lines(outcome: Outcome, step: int) -> list[str]:
    lines = [
        json.dumps(
            {
                "type": "event",
                "step": step,
                **entry.header(),
                "hash": entry.hash,
                "body": entry.body,
            }
        )
        for entry in outcome.entries
    ]
    lines += [
        json.dumps({"type": "conflict", "step": step, **to_dict(c)}) for c in outcome.conflicts
    ]
    return lines


def run_scenario(
    scenario: Scenario,
    mechanism: Deconfliction,
    clock: SimulatedClock,
    emit: Callable[[str], None],
    as_json: bool = False,
) -> ReplayResult:
    """Apply each step in order as its member, at its time; stop at the first bad step.

    Each step is one transaction: a bad step leaves nothing of itself behind. Before each step
    the mechanism marks what fell overdue while the clock moved, as it would live.
    """
    result = ReplayResult()
    for step in scenario.steps:
        command = step.command()
        try:
            clock.move_to(step.at)
            outcomes = [mechanism.handle(ProcessDeadlines()), mechanism.handle(command, step.actor)]
        except ScenarioError:
            raise
        except DeconflictError as exc:
            raise ScenarioError(step.index, exc) from None
        for outcome in outcomes:
            result.entries += len(outcome.entries)
            result.conflicts += outcome.conflicts
            for line in _json_lines(outcome, step.index) if as_json else describe(outcome.entries):
                emit(line)
        result.steps += 1
    return result
