"""Smoke test of the server-alone benchmark: with tiny numbers it prepares a store, serves it
with a real `deconflict serve` driven by wrk while curl reads Russia's stream, reads back
what was filed, then files the same notices through the writer alone. No timing is asserted."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.server_alone import main


def test_wrk_files_and_reads_every_scenario_and_the_writer_files_them_alone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    served, alone = main(
        ["--workdir", str(tmp_path), "--volumes", "200", "--hot", "40", "--seconds", "1",
         "--clients", "2", "--notices", "2000", "--alone", "20"]
    )  # fmt: skip
    assert [s.name[:3] for s in served] == ["(a)", "(c)", "(d)", "rea"]
    for row in served:
        assert row.requests > 0, row
        assert row.not_2xx == 0 and row.socket_errors == 0, row  # each notice once; reads found
        assert row.server_cpu_s > 0, row
    assert [a.name for a in alone] == [s.name for s in served[:3]]
    spread, crowded, _ = alone
    assert all(a.notices == 20 for a in alone)
    # The crowded hot spot's notices meet Russia's air notices placed there.
    assert crowded.conflicts > spread.conflicts
    out = capsys.readouterr().out
    assert "## Served, wrk as the client" in out and "## The writer alone" in out
