"""Screening benchmark: R-tree index vs brute force, for N random active volumes over Syria.

Run::

    .venv/bin/python -m benchmarks.screening --sizes 10000 100000 1000000 --queries 2000 --seed 1

For each N it generates N active objects (one volume each: declarations and notices of two
parties), then measures

* the bulk build of the index (``Situation.load`` with ``TimeSlicedIndex``, the production
  index: an R-tree per UTC day; ``--index rtree`` for a single R-tree),
* the insert rate (``Situation.put`` of 10,000 extra objects, after the queries),
* the latency of screening a new random notice: phase one ``Situation.near`` (index candidates)
  and phase two ``screen`` (exact test), under the default ``Rules()`` (lateral separation
  32,187 m) and under tighter rules (lateral separation 10,000 m, default buffers),
* the same queries answered by brute force in the same run: a numpy scan of all boxes in one
  (N, 8) array, and ``BruteForceIndex`` (a pure-Python loop) on a subsample, each followed by
  the same exact test; every brute-force answer must equal the index's.

Generation is not timed. The Markdown report goes to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import math
import os
import platform
import pstats
import random
import resource
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version

import numpy as np

from benchmarks.report import command_line, publish
from deconflict.adapters.volume_index import BruteForceIndex, RTreeIndex, TimeSlicedIndex
from deconflict.domain.arrangement import DeclarationKind, NoticeKind, Rules
from deconflict.domain.conflicts import Conflict
from deconflict.domain.declarations import Declaration
from deconflict.domain.geometry import Footprint, LonLat
from deconflict.domain.notices import Notice
from deconflict.domain.screening import Screenable, screen
from deconflict.domain.volume import AltitudeBand, TimeWindow, Volume4D
from deconflict.service.ports import Box, VolumeIndex
from deconflict.service.situation import Situation, boxes_of, key_of

__all__ = ["main", "run", "Row", "World"]

#: The index under test: the production one (an R-tree per UTC day), or a single R-tree.
INDEXES: dict[str, Callable[[Iterable[tuple[str, Box]]], VolumeIndex]] = {
    "sliced": TimeSlicedIndex,
    "rtree": RTreeIndex,
}

# Syria, roughly: the box the volumes are drawn in.
LON_MIN, LON_MAX = 35.7, 42.4
LAT_MIN, LAT_MAX = 32.3, 37.3
HORIZON = timedelta(days=30)
T0 = datetime(2026, 1, 1, tzinfo=UTC)
FILED_AT = T0 - timedelta(days=3)  # every notice is filed well ahead: no short-notice conflicts
SCREENED_AT = T0 - timedelta(days=2)
PARTIES = ("party-a", "party-b")
ARRANGEMENT = "A-1"
INSERTS = 10_000
WARMUP_QUERIES = 10
DECLARATION_SHARE = 0.3
NOTICE_KINDS = (  # kind, weight
    (NoticeKind.AIR_STRIKE, 3),
    (NoticeKind.AIR_TRANSIT, 3),
    (NoticeKind.ISR, 2),
    (NoticeKind.GROUND_MOVEMENT, 3),
    (NoticeKind.RIVER_CROSSING, 1),
    (NoticeKind.INDIRECT_FIRE, 2),
    (NoticeKind.HUMANITARIAN_MOVEMENT, 1),
)
RULE_SETS: tuple[tuple[str, Rules], ...] = (
    ("default (lateral 32,187 m)", Rules()),
    ("tight (lateral 10,000 m)", Rules(lateral_separation_m=10_000.0)),
)

_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON_EQ = 111_320.0


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class World:
    """Random active objects over Syria, reproducible from a seed (``random.Random``)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self._kinds = [k for k, _ in NOTICE_KINDS]
        self._weights = [w for _, w in NOTICE_KINDS]

    # -- footprints ---------------------------------------------------------------------
    def offset(self, centre: LonLat, east_m: float, north_m: float) -> LonLat:
        lon, lat = centre
        return (
            lon + east_m / (_M_PER_DEG_LON_EQ * math.cos(math.radians(lat))),
            lat + north_m / _M_PER_DEG_LAT,
        )

    def _centre(self) -> LonLat:
        return (self.rng.uniform(LON_MIN, LON_MAX), self.rng.uniform(LAT_MIN, LAT_MAX))

    def circle(self) -> Footprint:
        return Footprint.circle(self._centre(), self.rng.uniform(250.0, 10_000.0))

    def polygon(self) -> Footprint:
        """A star-shaped (hence simple) polygon of 4-8 corners, 0.5-20 km across."""
        rng, centre = self.rng, self._centre()
        radius = rng.uniform(250.0, 10_000.0)
        corners = rng.randint(4, 8)
        step = 2 * math.pi / corners
        ring = []
        for i in range(corners):
            angle = i * step + rng.uniform(0.0, 0.8 * step)
            r = radius * rng.uniform(0.5, 1.0)
            ring.append(self.offset(centre, r * math.cos(angle), r * math.sin(angle)))
        return Footprint.polygon(ring)

    def corridor(self) -> Footprint:
        """A path of 1-3 legs, 0.5-20 km long in all, 200 m-2 km wide."""
        rng = self.rng
        legs = rng.randint(1, 3)
        leg_m = rng.uniform(500.0, 20_000.0) / legs
        heading = rng.uniform(0.0, 2 * math.pi)
        path = [self._centre()]
        for _ in range(legs):
            heading += rng.uniform(-0.6, 0.6)
            path.append(self.offset(path[-1], leg_m * math.sin(heading), leg_m * math.cos(heading)))
        return Footprint.corridor(path, rng.uniform(200.0, 2_000.0))

    def footprint(self, corridors: bool = True) -> Footprint:
        pick = self.rng.random()
        if pick < 0.4:
            return self.circle()
        if pick < 0.7 or not corridors:
            return self.polygon()
        return self.corridor()

    # -- bands and windows ---------------------------------------------------------------
    def band(self) -> AltitudeBand:
        lower = self.rng.uniform(0.0, 10_000.0)
        return AltitudeBand(lower, lower + self.rng.uniform(300.0, 3_000.0))

    def window(self) -> TimeWindow:
        start = T0 + HORIZON * self.rng.random()
        return TimeWindow(start, start + timedelta(hours=self.rng.uniform(1.0, 12.0)))

    # -- objects ----------------------------------------------------------------------------
    def notice(self, ident: str) -> Notice:
        kind = self.rng.choices(self._kinds, self._weights)[0]
        volume = Volume4D(self.footprint(), self.band(), self.window())
        party = self.rng.choice(PARTIES)
        return Notice(ident, party, "air", kind, (volume,), FILED_AT)

    def declaration(self, ident: str) -> Declaration:
        kind = self.rng.choice((DeclarationKind.FORCE_POSITION, DeclarationKind.SITE))
        footprint = self.footprint(corridors=False)
        party = self.rng.choice(PARTIES)
        return Declaration(ident, party, kind, footprint, self.window(), FILED_AT)

    def objects(self, count: int, prefix: str) -> list[Screenable]:
        found: list[Screenable] = []
        for i in range(count):
            if self.rng.random() < DECLARATION_SHARE:
                found.append(self.declaration(f"{prefix}D-{i:07d}"))
            else:
                found.append(self.notice(f"{prefix}N-{i:07d}"))
        return found


class NumpyScan:
    """All boxes in one (N, 8) array: phase one as a vectorized boolean mask."""

    def __init__(self, items: Sequence[tuple[str, Box]], situation: Situation) -> None:
        # Fortran order: each of the 8 columns is contiguous, so each comparison streams once.
        self.boxes = np.asfortranarray(np.array([box for _, box in items], dtype=np.float64))
        self.keys = [key.split("|", 1)[0] for key, _ in items]
        self.situation = situation

    def near(self, obj: Notice, rules: Rules) -> list[Screenable]:
        b, own = self.boxes, key_of(obj)
        keys: set[str] = set()
        for q in boxes_of(obj, rules.widest_m, rules.vertical_separation_m):
            mask = b[:, 0] <= q[4]
            for i in range(1, 4):
                mask &= b[:, i] <= q[i + 4]
            for i in range(4):
                mask &= b[:, i + 4] >= q[i]
            keys.update(self.keys[n] for n in np.flatnonzero(mask))
        keys.discard(own)
        found = (self.situation.get(k) for k in sorted(keys))
        return [o for o in found if o is not None]


Near = Callable[[Notice, Rules], list[Screenable]]


def _brute_near(situation: Situation) -> Near:
    """Every box of every layer, grown by the widest distance: no knowledge of the rules."""
    return lambda notice, rules: situation.near(notice, rules.widest_m, rules.vertical_separation_m)


@dataclass
class Timed:
    """Per-query phase-one and phase-two times (ns), candidates and conflict sets."""

    phase1: list[int] = field(default_factory=list)
    phase2: list[int] = field(default_factory=list)
    candidates: list[int] = field(default_factory=list)
    conflicts: list[frozenset[tuple[str, float | None]]] = field(default_factory=list)

    def total(self) -> np.ndarray:
        return np.array(self.phase1, dtype=np.float64) + np.array(self.phase2, dtype=np.float64)


def _answer(conflicts: Iterable[Conflict]) -> frozenset[tuple[str, float | None]]:
    return frozenset((c.id, c.distance_m) for c in conflicts)


def _screen_all(near: Near, queries: Sequence[Notice], rules: Rules) -> Timed:
    timed = Timed()
    clock = time.perf_counter_ns
    for notice in queries:
        t0 = clock()
        candidates = near(notice, rules)
        t1 = clock()
        conflicts = screen(notice, candidates, rules, ARRANGEMENT, SCREENED_AT)
        t2 = clock()
        timed.phase1.append(t1 - t0)
        timed.phase2.append(t2 - t1)
        timed.candidates.append(len(candidates))
        timed.conflicts.append(_answer(conflicts))
    return timed


def _ms(ns: float) -> float:
    return float(ns) / 1e6


def _rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024  # KiB on Linux


@dataclass
class Row:
    """One N under one rule set."""

    n: int
    rules: str
    declarations: int
    notices: int
    build_s: float
    build_rate: float
    insert_rate: float
    queries: int
    p50_ms: float
    p99_ms: float
    mean_ms: float
    phase1_p50_ms: float
    phase1_mean_ms: float
    phase2_p50_ms: float
    phase2_mean_ms: float
    candidates: float
    conflicts: float
    numpy_queries: int
    numpy_mean_ms: float
    numpy_phase1_mean_ms: float
    speedup_numpy: float
    speedup_numpy_phase1: float
    brute_queries: int
    brute_mean_ms: float
    brute_phase1_mean_ms: float
    speedup_brute: float
    speedup_brute_phase1: float
    identical: bool
    peak_rss_gb: float


@dataclass
class Report:
    rows: list[Row]
    profile: str = ""


def _compare(name: str, index: Timed, picks: Sequence[int], brute: Timed) -> None:
    for j, i in enumerate(picks):
        if index.conflicts[i] != brute.conflicts[j]:
            raise AssertionError(
                f"{name}: query {i} found {sorted(brute.conflicts[j])}, "
                f"the index {sorted(index.conflicts[i])}"
            )


def _speedup(slow: np.ndarray, fast: np.ndarray) -> float:
    return float(slow.mean() / fast.mean()) if fast.mean() > 0 else math.inf


def _profile_phase_two(situation: Situation, queries: Sequence[Notice], rules: Rules) -> str:
    """cProfile of phase one and phase two over the queries: where the time goes."""
    profiler = cProfile.Profile()
    profiler.enable()
    for notice in queries:
        screen(notice, situation.near_notice(notice, rules), rules, ARRANGEMENT, SCREENED_AT)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats("tottime").print_stats(18)
    return out.getvalue()


def _brute_count(n: int, queries: int, requested: int | None) -> int:
    if requested is not None:
        return min(requested, queries)
    # about 5 million pure-Python box tests per rule set, and at least 20 queries
    return min(queries, max(20, 5_000_000 // max(n, 1)))


def run_size(
    n: int,
    queries: int,
    seed: int,
    brute_queries: int | None,
    numpy_queries: int | None,
    profile_queries: int,
    index: str = "sliced",
) -> tuple[list[Row], str]:
    world = World(seed * 1_000_003 + n)
    _log(f"N={n:,}: generating")
    gc.disable()  # generation only: the collector would rescan the growing heap many times
    try:
        objects = world.objects(n, "")
        extra = world.objects(INSERTS, "X")
        asked = [world.notice(f"Q-{i:07d}") for i in range(queries + WARMUP_QUERIES)]
    finally:
        gc.enable()
    gc.collect()
    warmup, asked = asked[:WARMUP_QUERIES], asked[WARMUP_QUERIES:]
    declarations = sum(isinstance(o, Declaration) for o in objects)

    _log(f"N={n:,}: bulk build (Situation.load, {INDEXES[index].__name__})")
    situation = Situation(INDEXES[index])
    t0 = time.perf_counter_ns()
    situation.load(objects, [])
    build_ns = time.perf_counter_ns() - t0
    if len(situation) != n:
        raise AssertionError(f"the index holds {len(situation)} volumes, not {n}")
    items = [(f"{key_of(o)}|{i}", box) for o in objects for i, box in enumerate(boxes_of(o))]

    _log(f"N={n:,}: numpy array and BruteForceIndex situation")
    scan = NumpyScan(items, situation)
    brute = Situation(BruteForceIndex)
    brute.load(objects, [])
    gc.collect()
    gc.freeze()  # the loaded situation is long-lived: keep the collector off it while timing

    n_brute = _brute_count(n, queries, brute_queries)
    n_numpy = queries if numpy_queries is None else min(numpy_queries, queries)
    step = max(1, queries // max(n_brute, 1))
    brute_picks = list(range(0, queries, step))[:n_brute]
    numpy_picks = list(range(n_numpy))

    rows: list[Row] = []
    profile = ""
    per_rules: list[tuple[str, Rules, Timed, Timed, Timed]] = []
    for label, rules in RULE_SETS:
        _log(f"N={n:,} {label}: {queries} queries, R-tree")
        _screen_all(situation.near_notice, warmup, rules)
        timed = _screen_all(situation.near_notice, asked, rules)
        _log(f"N={n:,} {label}: {n_numpy} queries, numpy scan")
        _screen_all(scan.near, warmup[:2], rules)
        by_numpy = _screen_all(scan.near, [asked[i] for i in numpy_picks], rules)
        _compare("numpy scan", timed, numpy_picks, by_numpy)
        _log(f"N={n:,} {label}: {len(brute_picks)} queries, BruteForceIndex")
        by_brute = _screen_all(_brute_near(brute), [asked[i] for i in brute_picks], rules)
        _compare("BruteForceIndex", timed, brute_picks, by_brute)
        per_rules.append((label, rules, timed, by_numpy, by_brute))

    if profile_queries:
        label, rules = RULE_SETS[0]
        _log(f"N={n:,}: profiling {profile_queries} queries ({label})")
        profile = f"cProfile of {profile_queries} queries, N={n:,}, rules {label}\n\n"
        profile += _profile_phase_two(situation, asked[:profile_queries], rules)

    _log(f"N={n:,}: inserting {INSERTS:,} objects (Situation.put)")
    t0 = time.perf_counter_ns()
    for obj in extra:
        situation.put(obj)
    insert_ns = time.perf_counter_ns() - t0
    gc.unfreeze()

    rss = _rss_gb()
    for label, _rules, timed, by_numpy, by_brute in per_rules:
        total = timed.total()
        p1 = np.array(timed.phase1, dtype=np.float64)
        p2 = np.array(timed.phase2, dtype=np.float64)
        np_total, np_p1 = by_numpy.total(), np.array(by_numpy.phase1, dtype=np.float64)
        bf_total, bf_p1 = by_brute.total(), np.array(by_brute.phase1, dtype=np.float64)
        rows.append(
            Row(
                n=n,
                rules=label,
                declarations=declarations,
                notices=n - declarations,
                build_s=build_ns / 1e9,
                build_rate=n / (build_ns / 1e9),
                insert_rate=INSERTS / (insert_ns / 1e9),
                queries=queries,
                p50_ms=_ms(np.percentile(total, 50)),
                p99_ms=_ms(np.percentile(total, 99)),
                mean_ms=_ms(total.mean()),
                phase1_p50_ms=_ms(np.percentile(p1, 50)),
                phase1_mean_ms=_ms(p1.mean()),
                phase2_p50_ms=_ms(np.percentile(p2, 50)),
                phase2_mean_ms=_ms(p2.mean()),
                candidates=float(np.mean(timed.candidates)),
                conflicts=float(np.mean([len(c) for c in timed.conflicts])),
                numpy_queries=len(numpy_picks),
                numpy_mean_ms=_ms(np_total.mean()),
                numpy_phase1_mean_ms=_ms(np_p1.mean()),
                speedup_numpy=_speedup(np_total, total[numpy_picks]),
                speedup_numpy_phase1=_speedup(np_p1, p1[numpy_picks]),
                brute_queries=len(brute_picks),
                brute_mean_ms=_ms(bf_total.mean()),
                brute_phase1_mean_ms=_ms(bf_p1.mean()),
                speedup_brute=_speedup(bf_total, total[brute_picks]),
                speedup_brute_phase1=_speedup(bf_p1, p1[brute_picks]),
                identical=True,  # _compare raised otherwise
                peak_rss_gb=rss,
            )
        )
    del situation, brute, scan, items, objects, extra
    gc.collect()
    return rows, profile


def run(
    sizes: Sequence[int],
    queries: int,
    seed: int,
    brute_queries: int | None = None,
    numpy_queries: int | None = None,
    profile_queries: int = 200,
    index: str = "sliced",
) -> Report:
    rows: list[Row] = []
    profile = ""
    for n in sorted(sizes):
        found, profiled = run_size(
            n, queries, seed, brute_queries, numpy_queries, profile_queries, index
        )
        rows.extend(found)
        profile = profiled or profile  # keep the largest N's
    return Report(rows, profile)


# -- report ---------------------------------------------------------------------------------


def _version(name: str) -> str:
    try:
        return package_version(name)
    except PackageNotFoundError:
        return "?"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def machine_facts() -> list[str]:
    return [
        f"- CPU: {_cpu_model()}; cores available: {len(os.sched_getaffinity(0))} "
        f"(os.cpu_count {os.cpu_count()})",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.platform()}",
        f"- shapely {_version('shapely')}, pyproj {_version('pyproj')}, rtree {_version('rtree')}, "
        f"numpy {_version('numpy')}",
    ]


def markdown(report: Report, command: str, elapsed_s: float) -> str:
    rows = report.rows
    out = ["# Screening benchmark", "", f"Command: `{command}`", "", *machine_facts()]
    out += [
        f"- wall time of the whole run: {elapsed_s:.0f} s; peak RSS of the process: "
        f"{max((r.peak_rss_gb for r in rows), default=0.0):.2f} GB",
        "",
        "## Index (one volume per object; libspatialindex 4D R-trees: one per UTC day unless the command says --index rtree)",
        "",
        "| N volumes | declarations / notices | bulk build (Situation.load) | build rate | "
        f"insert rate (put of {INSERTS:,}) | peak RSS so far |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    seen: set[int] = set()
    for r in rows:
        if r.n in seen:
            continue
        seen.add(r.n)
        out.append(
            f"| {r.n:,} | {r.declarations:,} / {r.notices:,} | {r.build_s:.2f} s | "
            f"{r.build_rate:,.0f} vol/s | {r.insert_rate:,.0f} /s | {r.peak_rss_gb:.2f} GB |"
        )
    out += [
        "",
        "## Screening a new random notice (phase one `Situation.near` + phase two `screen`)",
        "",
        "Times in ms. Phase 1 = index candidates, phase 2 = exact test. "
        "numpy = all boxes in one (N, 8) array, boolean mask, then the same exact test; "
        "BF = `BruteForceIndex` (pure-Python loop), then the same exact test. "
        "Speed-up = brute-force mean / R-tree mean over the same queries (total; phase 1).",
        "",
        "| N | rules | queries | p50 | p99 | mean | phase 1 p50 / mean | phase 2 p50 / mean | "
        "candidates / query | conflicts / query | numpy: queries, mean (phase 1) | "
        "speed-up vs numpy | BF: queries, mean (phase 1) | speed-up vs BF | identical |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:-:|",
    ]
    for r in rows:
        out.append(
            f"| {r.n:,} | {r.rules} | {r.queries:,} | {r.p50_ms:.3f} | {r.p99_ms:.3f} | "
            f"{r.mean_ms:.3f} | {r.phase1_p50_ms:.3f} / {r.phase1_mean_ms:.3f} | "
            f"{r.phase2_p50_ms:.3f} / {r.phase2_mean_ms:.3f} | {r.candidates:.1f} | "
            f"{r.conflicts:.2f} | {r.numpy_queries:,}, {r.numpy_mean_ms:.2f} "
            f"({r.numpy_phase1_mean_ms:.2f}) | {r.speedup_numpy:.1f}x ({r.speedup_numpy_phase1:.1f}x) | "
            f"{r.brute_queries:,}, {r.brute_mean_ms:.1f} ({r.brute_phase1_mean_ms:.1f}) | "
            f"{r.speedup_brute:.0f}x ({r.speedup_brute_phase1:.0f}x) | "
            f"{'yes' if r.identical else 'NO'} |"
        )
    identical = all(r.identical for r in rows)
    out += [
        "",
        f"results identical: {'yes' if identical else 'NO'} (every brute-force query, numpy and "
        "BruteForceIndex, found the same set of conflicts, ids and distances, as the R-tree)",
        "",
        "Workload: volumes drawn uniformly over lon 35.7-42.4, lat 32.3-37.3; "
        f"{DECLARATION_SHARE:.0%} declarations (force_position / site; circles and star-shaped "
        "polygons; band surface to space), the rest notices of two parties (7 kinds, air and "
        "ground); footprints 0.5-20 km (circles r 250 m-10 km, 4-8 corner polygons, corridors of "
        "1-3 legs, 200 m-2 km wide); bands lower 0-10,000 m, 300-3,000 m thick; windows start "
        "uniform over 30 days, 1-12 h long. Queries are new random notices (not in the index), "
        f"after {WARMUP_QUERIES} untimed warm-up queries; the collector is frozen over the "
        "loaded situation while timing; generation is not timed. The insert rate is measured "
        "after the queries, so the queries see exactly N volumes.",
    ]
    if report.profile:
        out += ["", "## Where the time goes (cProfile, sorted by own time)", "", "```"]
        out += [report.profile.rstrip(), "```"]
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> Report:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.screening", description=__doc__)
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
        "--numpy-queries",
        type=int,
        default=None,
        help="queries checked with the numpy scan (default: all)",
    )
    parser.add_argument(
        "--profile-queries",
        type=int,
        default=200,
        help="queries to cProfile at each N, the largest N's is reported (0: none)",
    )
    parser.add_argument(
        "--index",
        choices=sorted(INDEXES),
        default="sliced",
        help="sliced: an R-tree per UTC day (production); rtree: one R-tree",
    )
    parser.add_argument("--output", help="also write the Markdown report to this file")
    args = parser.parse_args(argv)
    if args.queries < 1 or any(n < 1 for n in args.sizes):
        parser.error("sizes and queries must be positive")

    started = time.perf_counter_ns()
    report = run(
        args.sizes,
        args.queries,
        args.seed,
        args.brute_queries,
        args.numpy_queries,
        args.profile_queries,
        args.index,
    )
    elapsed = (time.perf_counter_ns() - started) / 1e9
    publish(markdown(report, command_line("benchmarks.screening", argv), elapsed), args.output)
    return report


if __name__ == "__main__":
    main()
