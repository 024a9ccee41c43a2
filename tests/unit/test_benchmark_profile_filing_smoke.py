"""Smoke test of the in-process filing profiler: with tiny numbers it prepares a store, composes
the server as `serve` does, files notices in both scenarios through the ASGI app, reads the
watching party's stream and prints both profiles. No timing is asserted."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.profile_filing import main


def test_profiler_files_both_scenarios_reads_the_stream_and_keeps_the_profiles(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    saved = tmp_path / "profiles"
    timings = main(
        [
            "--volumes", "200",
            "--hot-volumes", "40",
            "--notices", "12",
            "--clients", "4",
            "--hot",
            "--top", "80",
            "--workdir", str(tmp_path / "store"),
            "--save", str(saved),
        ]
    )  # fmt: skip

    assert [t.name for t in timings] == ["normal", "hot spot"]
    normal, hot = timings
    assert all(t.notices == 12 and t.cpu_ms > 0 for t in timings)
    # Every notice of the hot spot meets Russia's air notices there; each such conflict is
    # an event on Russia's stream, besides the notices' messages.
    assert hot.conflicts_per_notice > normal.conflicts_per_notice
    assert hot.conflicts_per_notice >= 1
    assert hot.stream_events >= 12 * hot.conflicts_per_notice
    assert "-- top 80 by tottime --" in hot.profile and "(_notify)" in hot.profile
    assert sorted(p.name for p in saved.iterdir()) == ["hot-spot.prof", "normal.prof"]
    out = capsys.readouterr().out
    assert "# Filing in process: 200 volumes, 4 requests in flight, stream read" in out
    assert out.count("## cProfile") == 2
