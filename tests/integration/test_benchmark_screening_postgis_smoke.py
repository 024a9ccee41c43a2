"""Smoke test of the in-process vs PostGIS screening benchmark (it needs the PostgreSQL server,
hence here rather than beside the other benchmarks' smoke tests): with a tiny N it loads the
volumes table, queries it, and every way finds exactly the conflicts the index finds. No
timing is asserted."""

from __future__ import annotations

import pytest
from benchmarks.screening import RULE_SETS
from benchmarks.screening_postgis import main

from .test_store_contract import PG_SERVER


def test_postgis_and_brute_force_find_what_the_index_finds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = main(["--sizes", "1500", "--queries", "15", "--seed", "3", "--pg", PG_SERVER])

    assert [(r.n, r.rules) for r in report.rows] == [(1500, label) for label, _ in RULE_SETS]
    for row in report.rows:
        names = [w.name for w in row.ways]
        assert names == [
            "in process",
            "PostGIS &&",
            "PostGIS ST_Intersects",
            "PostGIS && (composite GiST)",
            "numpy scan",
            "BruteForceIndex",
        ]
        for way in row.ways:
            assert way.queries >= 1 and way.identical == way.queries, (row.rules, way)
        assert row.way("PostGIS &&").candidates >= row.way("PostGIS ST_Intersects").candidates
    assert row.loaded.table_mb > 0
    out = capsys.readouterr().out
    assert "## In process against PostGIS" in out
    assert "## The PostGIS plan" in out and "volumes" in out.split("## The PostGIS plan")[1]
