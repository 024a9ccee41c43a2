"""Smoke test of the instruction counter: with tiny numbers it prepares a store, serves it in
a process under callgrind, files both phases and reads back each phase's count. No count is
asserted beyond what the workload implies."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.instructions import main


def test_each_phase_is_counted_and_a_hot_spot_notice_costs_more_than_a_spread_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    counts = main(
        ["--workdir", str(tmp_path), "--volumes", "200", "--hot-volumes", "40",
         "--normal", "3", "--hot", "3"]
    )  # fmt: skip
    (build, found), *others = counts.items()
    assert not others and build.endswith("src")
    # A notice costs millions of instructions at least: parsing, screening, sealing, storing.
    assert found["normal"] > 1e6
    # Each hot-spot notice meets Russia's air notices there: conflicts recorded and streamed.
    assert found["hot"] > found["normal"]
    out = capsys.readouterr().out
    assert "| build | spread (a) | hot spot (c) |" in out
    assert sorted(p.name for p in (tmp_path / "build-0").glob("callgrind.out.*")) == [
        "callgrind.out.1",
        "callgrind.out.2",
    ]
