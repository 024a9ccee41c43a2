"""Screening against N active volumes three ways, on the same data in one run: the project's
in-process index vs a PostGIS GiST query vs brute force.

Run::

    .venv/bin/python -m benchmarks.screening_postgis --sizes 10000 100000 1000000 --queries 1000 --seed 1

For each N it draws the same N active objects as ``benchmarks/screening.py`` (one volume each),
then

* **in process**: ``Situation.load`` with ``TimeSlicedIndex`` (the production index), and per
  query phase one ``Situation.near_notice`` and phase two ``screen`` (the exact test) — what
  the handlers do;
* **PostGIS**: the same volumes in the production ``volumes`` table (created by the store's own
  migration in a throwaway database, its reference to ``objects`` dropped since only the
  volumes are loaded, loaded with COPY, its three GiST indexes — ``geom``,
  ``"window"``, ``band`` — built after the load, then ANALYZE), and per query the GiST query
  for what the notice's kind can conflict with (air kinds: notices whose outline box meets the
  notice's box grown by the lateral separation, window and band grown by the vertical one;
  surface kinds: declarations within the widest buffer), ``geom && envelope`` (the same box
  test as the R-tree) and, as a second variant, ``ST_Intersects(geom, envelope)`` (the
  outline itself against the box); each query is planned with its own values (not a
  prepared, generic plan); the rows' objects are then given to the same exact test. Then, as
  a third variant not in the schema, one GiST index over ``(geom, "window", band)`` is added
  and the ``&&`` query timed again;
* **brute force**: a numpy scan of all N boxes for every query, and ``BruteForceIndex`` (a
  pure-Python loop) on a sample (about 5e6 / N queries, at least 20), each followed by the
  same exact test.

Every way must find the same conflicts (ids and distances) for every query it answered; the
count of queries that did is reported. Times are per query, as the caller sees them (the
PostGIS query from the client: a prepared statement over loopback, rows fetched). The
database runs on the same machine. Generation, loading and index building are not timed
as queries (their times are reported apart). Markdown report to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import gc
import os
import secrets
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import psycopg
import shapely

from benchmarks.report import command_line, publish
from benchmarks.screening import (
    INSERTS,
    RULE_SETS,
    WARMUP_QUERIES,
    NumpyScan,
    Timed,
    World,
    _brute_count,
    _brute_near,
    _screen_all,
    machine_facts,
)
from deconflict.adapters.postgres.store import PostgresStore, outline
from deconflict.adapters.volume_index import BruteForceIndex, TimeSlicedIndex
from deconflict.domain.arrangement import AIR_KINDS, SURFACE_KINDS, Rules
from deconflict.domain.declarations import Declaration
from deconflict.domain.notices import Notice
from deconflict.domain.screening import Screenable
from deconflict.domain.volume import SURFACE_TO_SPACE
from deconflict.service.situation import Situation, boxes_of, key_of

__all__ = ["main", "run", "Row", "Report"]

ARRANGEMENT = "A-1"
PG_SERVER = os.environ.get("DECONFLICT_TEST_PG", "postgresql://postgres@127.0.0.1/")

#: The production indexes of the volumes table (adapters/postgres/migrations), rebuilt after
#: the load.
INDEXES = {
    "volumes_geom": "CREATE INDEX volumes_geom ON volumes USING gist (geom)",
    "volumes_window": 'CREATE INDEX volumes_window ON volumes USING gist ("window")',
    "volumes_band": "CREATE INDEX volumes_band ON volumes USING gist (band)",
}

_PART = (
    "SELECT type, id FROM volumes WHERE type = %s "
    "AND geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326){exact} "
    "AND \"window\" && tstzrange(to_timestamp(%s), to_timestamp(%s), '[]') "
    "AND band && numrange(%s::numeric, %s::numeric, '[]')"
)
#: Not in the schema: one GiST index over all three columns, tried after the production ones.
COMPOSITE = 'CREATE INDEX volumes_all ON volumes USING gist (geom, "window", band)'
VARIANTS = {
    "&&": _PART.format(exact=""),
    "ST_Intersects": _PART.format(
        exact=" AND ST_Intersects(geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326))"
    ),
}


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _ms(ns: float) -> float:
    return float(ns) / 1e6


# -- the database -------------------------------------------------------------------------------


@contextmanager
def throwaway_database(server: str) -> Iterator[str]:
    """A new database on ``server`` (a URL ending in ``/``), dropped after."""
    name = f"deconflict_bench_{secrets.token_hex(5)}"
    with psycopg.connect(server + "postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield server + name
    finally:
        drop_database(server, name)


def drop_database(server: str, name: str) -> None:
    """Drop database ``name`` on ``server``, ending its connections first."""
    with psycopg.connect(server + "postgres", autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        admin.execute(f"DROP DATABASE IF EXISTS {name}")


@dataclass
class Loaded:
    outline_s: float
    copy_s: float
    index_s: float
    table_mb: float
    indexes_mb: float
    composite_s: float = 0.0


def _range(lower: str, upper: str) -> str:
    return f"[{lower},{upper})"


def load_volumes(conn: psycopg.Connection[Any], objects: Sequence[Screenable]) -> Loaded:
    """Replace the table's rows by the objects' volumes, as the store writes them (outline,
    window, band; a declaration surface to space); the indexes built after the load."""
    t0 = time.perf_counter()
    shapes, rows = [], []
    for obj in objects:
        if isinstance(obj, Notice):
            parts = [(v.footprint, v.band, v.window) for v in obj.volumes]
        else:
            assert isinstance(obj, Declaration)
            parts = [(obj.footprint, SURFACE_TO_SPACE, obj.window)]
        kind, ident = key_of(obj).split(":", 1)
        for idx, (footprint, band, window) in enumerate(parts):
            shapes.append(outline(footprint))
            rows.append(
                (
                    kind,
                    ident,
                    idx,
                    _range(window.start.isoformat(), window.end.isoformat()),
                    _range(repr(band.lower_m), repr(band.upper_m)),
                )
            )
    wkb = shapely.to_wkb(shapely.set_srid(np.array(shapes), 4326), hex=True, include_srid=True)
    outline_s = time.perf_counter() - t0

    # Only the volumes are loaded, not their objects: the table's reference to them goes.
    conn.execute("ALTER TABLE volumes DROP CONSTRAINT IF EXISTS volumes_type_id_fkey")
    conn.execute("TRUNCATE volumes")
    for name in INDEXES:
        conn.execute(f"DROP INDEX IF EXISTS {name}")
    t0 = time.perf_counter()
    copying = 'COPY volumes (type, id, idx, geom, "window", band) FROM STDIN'
    with conn.cursor() as cur, cur.copy(copying) as copy:
        for row, geom in zip(rows, wkb, strict=True):
            copy.write_row((*row[:3], geom, *row[3:]))
    copy_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for statement in INDEXES.values():
        conn.execute(statement)
    conn.execute("ANALYZE volumes")
    index_s = time.perf_counter() - t0
    sizes = conn.execute("SELECT pg_table_size('volumes'), pg_indexes_size('volumes')").fetchone()
    assert sizes is not None
    return Loaded(outline_s, copy_s, index_s, sizes[0] / 2**20, sizes[1] / 2**20)


class PostGIS:
    """Phase one as a GiST query on the volumes table, per layer the notice's kind needs."""

    def __init__(
        self, conn: psycopg.Connection[Any], situation: Situation, variant: str = "&&"
    ) -> None:
        self.conn, self.situation, self.sql = conn, situation, VARIANTS[variant]
        self.exact = variant != "&&"

    def _parts(self, notice: Notice, rules: Rules) -> list[tuple[str, float, float]]:
        parts = []
        if notice.kind in AIR_KINDS:
            parts.append(("notice", rules.lateral_separation_m, rules.vertical_separation_m))
        if notice.kind in SURFACE_KINDS:
            parts.append(("declaration", max(rules.buffer_m.values(), default=0.0), 0.0))
        return parts

    def params(self, notice: Notice, rules: Rules) -> list[tuple[Any, ...]]:
        found = []
        for kind, grow_m, grow_z in self._parts(notice, rules):
            for box in boxes_of(notice, grow_m, grow_z):
                envelope = (box[0], box[1], box[4], box[5])
                found.append(
                    (kind, *envelope, *(envelope if self.exact else ()))
                    + (box[2], box[6], box[3], box[7])
                )
        return found

    def near(self, notice: Notice, rules: Rules) -> list[Screenable]:
        keys: set[str] = set()
        for params in self.params(notice, rules):
            # Not prepared: the planner sees each query's own box (a custom plan), which
            # is what it does best with; a generic prepared plan was slower.
            rows = self.conn.execute(self.sql, params, prepare=False).fetchall()
            keys.update(f"{kind}:{ident}" for kind, ident in rows)
        found = (self.situation.get(k) for k in sorted(keys))
        return [o for o in found if o is not None]


def _settings(conn: psycopg.Connection[Any]) -> str:
    names = ("shared_buffers", "work_mem", "effective_cache_size", "jit", "max_parallel_workers")
    values = [
        f"{n} {conn.execute(f'SHOW {n}').fetchone()[0]}"  # type: ignore[index]
        for n in names
    ]
    version = conn.execute("SHOW server_version").fetchone()
    postgis = conn.execute("SELECT postgis_lib_version()").fetchone()
    assert version is not None and postgis is not None
    return f"PostgreSQL {version[0]}, PostGIS {postgis[0]}; " + ", ".join(values)


def _explain(conn: psycopg.Connection[Any], sql: str, params: tuple[Any, ...]) -> str:
    rows = conn.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params).fetchall()
    return "\n".join(r[0] for r in rows)


# -- the run --------------------------------------------------------------------------------------


@dataclass
class Way:
    """One way of screening, over some of the queries."""

    name: str
    queries: int
    p50_ms: float
    p99_ms: float
    mean_ms: float
    phase1_p50_ms: float
    phase1_p99_ms: float
    candidates: float
    identical: int  # queries whose conflicts equal the in-process answer


@dataclass
class Row:
    n: int
    rules: str
    ways: list[Way]
    loaded: Loaded
    reference: Timed  # the in-process answers

    def way(self, name: str) -> Way:
        return next(w for w in self.ways if w.name == name)


@dataclass
class Report:
    rows: list[Row]
    settings: str
    plan: str


def _way(name: str, timed: Timed, reference: Timed, picks: Sequence[int]) -> Way:
    total, p1 = timed.total(), np.array(timed.phase1, dtype=np.float64)
    same = sum(reference.conflicts[i] == timed.conflicts[j] for j, i in enumerate(picks))
    return Way(
        name,
        len(picks),
        _ms(np.percentile(total, 50)),
        _ms(np.percentile(total, 99)),
        _ms(total.mean()),
        _ms(np.percentile(p1, 50)),
        _ms(np.percentile(p1, 99)),
        float(np.mean(timed.candidates)),
        same,
    )


def run_size(
    n: int, queries: int, seed: int, conn: psycopg.Connection[Any], brute_queries: int | None
) -> tuple[list[Row], str]:
    world = World(seed * 1_000_003 + n)  # the same objects as benchmarks/screening.py
    _log(f"N={n:,}: generating")
    gc.disable()
    try:
        objects = world.objects(n, "")
        world.objects(INSERTS, "X")  # drawn (unused) as screening.py does: the same queries
        asked = [world.notice(f"Q-{i:07d}") for i in range(queries + WARMUP_QUERIES)]
    finally:
        gc.enable()
    warmup, asked = asked[:WARMUP_QUERIES], asked[WARMUP_QUERIES:]

    _log(f"N={n:,}: in-process index (Situation.load, TimeSlicedIndex)")
    situation = Situation(TimeSlicedIndex)
    situation.load(objects, [])
    _log(f"N={n:,}: outlines, COPY into volumes, GiST indexes")
    loaded = load_volumes(conn, objects)
    _log(
        f"N={n:,}: outlines {loaded.outline_s:.1f} s, COPY {loaded.copy_s:.1f} s, "
        f"indexes {loaded.index_s:.1f} s"
    )
    items = [(f"{key_of(o)}|{i}", box) for o in objects for i, box in enumerate(boxes_of(o))]
    scan = NumpyScan(items, situation)
    n_brute = _brute_count(n, queries, brute_queries)
    brute = Situation(BruteForceIndex)
    brute.load(objects, [])
    step = max(1, queries // max(n_brute, 1))
    brute_picks = list(range(0, queries, step))[:n_brute]
    every = list(range(queries))
    gc.collect()
    gc.freeze()

    rows: list[Row] = []
    plan = ""
    for label, rules in RULE_SETS:
        _log(f"N={n:,} {label}: in process")
        _screen_all(situation.near_notice, warmup, rules)
        own = _screen_all(situation.near_notice, asked, rules)
        ways = [_way("in process", own, own, every)]
        for variant in VARIANTS:
            _log(f"N={n:,} {label}: PostGIS {variant}")
            postgis = PostGIS(conn, situation, variant)
            _screen_all(postgis.near, warmup, rules)
            ways.append(
                _way(f"PostGIS {variant}", _screen_all(postgis.near, asked, rules), own, every)
            )
            if not plan and variant == "&&":
                query = next(q for q in asked if q.kind in AIR_KINDS)
                plan = f"N={n:,}, rules {label}, an air notice's query:\n\n" + _explain(
                    conn, postgis.sql, postgis.params(query, rules)[0]
                )
        _log(f"N={n:,} {label}: numpy scan")
        ways.append(_way("numpy scan", _screen_all(scan.near, asked, rules), own, every))
        _log(f"N={n:,} {label}: BruteForceIndex, {len(brute_picks)} queries")
        by_brute = _screen_all(_brute_near(brute), [asked[i] for i in brute_picks], rules)
        ways.append(_way("BruteForceIndex", by_brute, own, brute_picks))
        rows.append(Row(n, label, ways, loaded, own))
    _log(f"N={n:,}: one GiST index on (geom, window, band) added")
    t0 = time.perf_counter()
    conn.execute(COMPOSITE)
    conn.execute("ANALYZE volumes")
    loaded.composite_s = time.perf_counter() - t0
    for (label, rules), row in zip(RULE_SETS, rows, strict=True):
        _log(f"N={n:,} {label}: PostGIS && on the composite index")
        postgis = PostGIS(conn, situation, "&&")
        _screen_all(postgis.near, warmup, rules)
        timed = _screen_all(postgis.near, asked, rules)
        row.ways.insert(3, _way("PostGIS && (composite GiST)", timed, row.reference, every))
        if label == RULE_SETS[0][0]:
            query = next(q for q in asked if q.kind in AIR_KINDS)
            plan += "\n\nWith the composite index, the same query:\n\n" + _explain(
                conn, postgis.sql, postgis.params(query, rules)[0]
            )
    conn.execute("DROP INDEX volumes_all")
    gc.unfreeze()
    del situation, brute, scan, items, objects
    gc.collect()
    return rows, plan


def run(sizes: Sequence[int], queries: int, seed: int, server: str, brute: int | None) -> Report:
    rows: list[Row] = []
    plan = ""
    with throwaway_database(server) as url:
        PostgresStore(url).close()  # the production schema, by the store's own migration
        with psycopg.connect(url, autocommit=True) as conn:
            settings = _settings(conn)
            for n in sorted(sizes):  # the largest N's plan is the one reported
                found, plan = run_size(n, queries, seed, conn, brute)
                rows.extend(found)
    return Report(rows, settings, plan)


# -- report -----------------------------------------------------------------------------------


def _x(slow: float, fast: float) -> str:
    return f"{slow / fast:.1f}x" if fast > 0 else "–"


def markdown(report: Report, command: str, elapsed_s: float) -> str:
    out = ["# Screening: in-process index vs PostGIS vs brute force", "", f"Command: `{command}`"]
    out += ["", *machine_facts(), f"- {report.settings}", f"- wall time: {elapsed_s:.0f} s"]
    out += [
        "",
        "## Loading PostGIS (not timed as queries)",
        "",
        "| N volumes | outlines (shapely) | COPY | 3 GiST indexes + ANALYZE | table | "
        "indexes | composite GiST (geom, window, band) + ANALYZE |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    seen: set[int] = set()
    for r in report.rows:
        if r.n not in seen:
            seen.add(r.n)
            d = r.loaded
            out.append(
                f"| {r.n:,} | {d.outline_s:.1f} s | {d.copy_s:.1f} s | {d.index_s:.1f} s | "
                f"{d.table_mb:.0f} MB | {d.indexes_mb:.0f} MB | {d.composite_s:.1f} s |"
            )
    out += [
        "",
        "## Screening a new notice (ms per query; phase one + the same exact test)",
        "",
        "Each cell: p50 / p99 (total), then phase one alone p50 / p99, candidates per query. "
        "Same: queries whose conflicts equal the in-process answer.",
        "",
        "| N | rules | way | queries | p50 | p99 | mean | phase 1 p50 / p99 | candidates | same |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report.rows:
        for w in r.ways:
            out.append(
                f"| {r.n:,} | {r.rules} | {w.name} | {w.queries:,} | {w.p50_ms:.3f} | "
                f"{w.p99_ms:.3f} | {w.mean_ms:.3f} | {w.phase1_p50_ms:.3f} / "
                f"{w.phase1_p99_ms:.3f} | {w.candidates:.1f} | {w.identical:,} / {w.queries:,} |"
            )
    out += [
        "",
        "## In process against PostGIS",
        "",
        "Speed-up = PostGIS / in process, against the fastest PostGIS way of each row (by p50). "
        "*Query alone*: the PostGIS query only (phase one, no exact test) against the whole "
        "in-process screening — the comparison most favourable to PostGIS; the target is "
        "judged on it.",
        "",
        "| N | rules | in process p50 / p99 | fastest PostGIS way | its p50 / p99 (total) | "
        "speed-up p50 / p99 (total) | speed-up p50, query alone | target ≥ 3× at 10⁶ |",
        "|---:|---|---:|---|---:|---:|---:|---|",
    ]
    for r in report.rows:
        own = r.way("in process")
        best = min((w for w in r.ways if w.name.startswith("PostGIS")), key=lambda w: w.p50_ms)
        met = ""
        if r.n == 1_000_000:
            met = "met" if best.phase1_p50_ms / own.p50_ms >= 3 else "**missed**"
        out.append(
            f"| {r.n:,} | {r.rules} | {own.p50_ms:.3f} / {own.p99_ms:.3f} | {best.name} | "
            f"{best.p50_ms:.3f} / {best.p99_ms:.3f} | {_x(best.p50_ms, own.p50_ms)} / "
            f"{_x(best.p99_ms, own.p99_ms)} | {_x(best.phase1_p50_ms, own.p50_ms)} | {met} |"
        )
    if report.plan:
        out += ["", "## The PostGIS plan (EXPLAIN ANALYZE, largest N)", "", "```"]
        out += [report.plan, "```"]
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> Report:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.screening_postgis", description=__doc__
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--brute-queries",
        type=int,
        default=None,
        help="queries checked with BruteForceIndex (default: about 5e6 / N, at least 20)",
    )
    parser.add_argument(
        "--pg",
        default=PG_SERVER,
        help="a PostgreSQL server (URL ending in /) where a throwaway database is made",
    )
    parser.add_argument("--output", help="also write the Markdown report to this file")
    args = parser.parse_args(argv)
    if args.queries < 1 or any(n < 1 for n in args.sizes):
        parser.error("sizes and queries must be positive")
    started = time.perf_counter()
    report = run(args.sizes, args.queries, args.seed, args.pg, args.brute_queries)
    elapsed = time.perf_counter() - started
    text = markdown(report, command_line("benchmarks.screening_postgis", argv), elapsed)
    publish(text, args.output)
    return report


if __name__ == "__main__":
    main()
