"""Smoke test of the HTTP service benchmark on PostgreSQL with two replicas (it needs the
PostgreSQL server, hence here): with tiny numbers it clones the prepared store into a
throwaway database, starts two `deconflict serve` processes on it, spreads the clients over
both and sees the hot spot's conflicts arrive on a stream of the other replica. No timing is
asserted."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from benchmarks.api import main

from .test_store_contract import PG_SERVER


def _bench_databases() -> set[str]:
    with psycopg.connect(PG_SERVER + "postgres", autocommit=True) as admin:
        rows = admin.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'deconflict_bench_%'"
        ).fetchall()
    return {r[0] for r in rows}


def test_two_replicas_on_postgresql_file_notices_and_deliver_across(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    before = _bench_databases()
    report = main(
        [
            "--volumes", "200",
            "--hot", "40",
            "--seconds", "1.5",
            "--rate", "20",
            "--clients", "4",
            "--workers", "4",
            "--settle", "5",
            "--seed", "3",
            "--db", PG_SERVER,
            "--replicas", "2",
            "--workdir", str(tmp_path / "run"),
        ]
    )  # fmt: skip

    [run] = report.runs
    assert run.setup.postgres and run.setup.replicas == 2
    assert len(run.server_rss_mb) == 2
    for row in run.scenarios:
        assert row.filed > 0 and row.errors == 0, row.error_kinds
    hot = run.scenarios[2]
    assert hot.expected_deliveries > 0 and hot.delivered == hot.expected_deliveries
    out = capsys.readouterr().out
    assert "PostgreSQL, 2 servers" in out and "PostgreSQL 15" in out
    assert _bench_databases() == before  # the run's databases and the template are dropped
