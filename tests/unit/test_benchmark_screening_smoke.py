"""Smoke test of the screening benchmark: it runs, reports rows, and the brute-force scans find
exactly the conflicts the index finds. No timing is asserted."""

from __future__ import annotations

import pytest
from benchmarks.screening import RULE_SETS, main


def test_benchmark_runs_and_brute_force_agrees_with_the_index(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = main(["--sizes", "2000", "--queries", "12", "--seed", "3", "--profile-queries", "0"])

    assert [(r.n, r.rules) for r in report.rows] == [(2000, label) for label, _ in RULE_SETS]
    for row in report.rows:
        assert row.identical
        assert row.queries == 12
        assert row.numpy_queries == 12
        assert row.brute_queries >= 1
        assert row.declarations + row.notices == 2000
        assert row.candidates >= 0 and row.conflicts >= 0
    out = capsys.readouterr().out
    assert "results identical: yes" in out
    assert out.count("| 2,000 |") == 1 + len(RULE_SETS)  # index table + one row per rule set


def test_generation_is_reproducible() -> None:
    from benchmarks.screening import World

    first = World(7).objects(50, "")
    again = World(7).objects(50, "")
    assert first == again
