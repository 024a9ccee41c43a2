"""Smoke test of the HTTP service benchmark: with tiny numbers it prepares a store, starts a real
`deconflict serve` on loopback, files notices in the four scenarios and sees the hot spot's
conflicts arrive on the other party's stream. No timing is asserted."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.api import main


def test_benchmark_files_notices_and_delivers_the_hot_spots_conflicts(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    output = tmp_path / "report.md"
    report = main(
        [
            "--volumes", "300",
            "--hot", "60",
            "--seconds", "2",
            "--rate", "20",
            "--clients", "2",
            "--workers", "8",
            "--settle", "5",
            "--seed", "3",
            "--workdir", str(tmp_path / "run"),
            "--output", str(output),
        ]
    )  # fmt: skip

    prepared = report.prepared
    assert prepared.declarations + prepared.notices == 300
    assert prepared.hot == 60
    assert report.server_start_s > 0
    names = [r.name[:3] for r in report.scenarios]
    assert names == ["(a)", "(b)", "(c)", "(d)"]
    for row in report.scenarios:
        assert row.sent > 0
        assert row.filed > 0, row
        assert row.errors == 0, row.error_kinds
        assert row.server_cpu_s > 0 and row.generator_cpu_s > 0  # both read, whatever they are
    hot = report.scenarios[2]
    assert hot.conflicts_per_notice > 0
    assert hot.expected_deliveries > 0
    assert hot.delivered >= 1

    out = capsys.readouterr().out
    assert "# HTTP service benchmark" in out
    for name in ("(a) max throughput", "(b) fixed rate 20/s", "(c) hot spot", "(d) hot spot"):
        assert out.count(name) == 1
    # The hot spot against (a), with and without the crowd of Russia's notices.
    assert "| hot spot ≥ 50% of (a)'s throughput (c) |" in out
    assert "| the same, uncrowded (d) |" in out
    assert "## Against the targets" in out
    assert "| conflict delivery p99 ≤ 100 ms at 20/s (b) |" in out
    assert output.read_text(encoding="utf-8") == out.rstrip("\n") + "\n"
