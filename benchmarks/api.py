"""HTTP service benchmark: `deconflict serve` on loopback, filing notices against N active volumes.

Run::

    .venv/bin/python -m benchmarks.api --volumes 100000 --seconds 20 --seed 1
    .venv/bin/python -m benchmarks.api --volumes 100000 --seconds 20 --seed 1 \\
        --db sqlite postgresql://postgres@127.0.0.1/ --replicas 1 2

What it does, all on 127.0.0.1 and bounded (a time limit per scenario; it stops by itself):

1. prepares a fresh SQLite store: parties ``coalition`` and ``russia``, arrangement ``A-1`` with
   air, ground and command lines, one officer per party with a bearer token (``AddMember`` with
   ``token_sha256``, run through the mechanism as the local operator); then preloads N active
   volumes through the mechanism, in-process and untimed: declarations and notices of both
   parties, drawn over Syria as in ``benchmarks/screening.py``, windows within the next days of
   a fixed simulated now; a few hundred of Russia's air notices lie in one 1 km² hot spot;
2. starts ``deconflict serve --db FILE --port P --clock-file F`` as a subprocess (the clock file
   holds the fixed now) and times its start until ``/openapi.json`` answers (the server builds
   its index from the store);
3. opens Russia's live stream (``GET /api/v1/stream?after=<head>``, Server-Sent Events) in a
   process of its own (another officer's client; the filing clients' threads share one
   interpreter lock) and records when each ``conflict.found`` arrives;
4. files new random notices as the coalition officer (``POST /api/v1/notices``, httpx clients
   with keep-alive, one per thread) in four scenarios:
   (a) maximum throughput: C clients in a closed loop for the time limit;
   (b) a fixed rate (open loop, 200/s by default) for the time limit; latency counts from the
       scheduled send time, so a server that falls behind is charged for the queue;
   (c) hot spot: every notice an air notice inside the same 1 km² (each one conflicts with many
       of Russia's), closed loop as (a);
   (d) the same in another 1 km², at Raqqa, where nothing was placed on purpose: every notice
       in one square kilometre, as the issue words the hot spot, without (c)'s crowd of the
       other party's notices (what concentration alone costs: the filing party's index grows
       dense in one place; a notice is screened against the other parties' objects only).

On PostgreSQL and with replicas (``--db sqlite postgresql://postgres@127.0.0.1/ --replicas 1 2``)
each combination runs in turn on a fresh copy of the same prepared store: the SQLite file
copied, or a PostgreSQL database (on that server, made for the run and dropped after) cloned
from a template database into which the prepared store's whole log was loaded once
(``load_entries``, as ``deconflict migrate-store`` does). With N replicas, N ``serve``
processes share the store and the clients are spread round-robin over their ports (client
or sender i talks to replica i mod N, what a load balancer would do); the watching party's
stream is opened on the last replica, so with two replicas every delivery crosses from one
process to the other (PostgreSQL: LISTEN/NOTIFY; SQLite: the head polled).

A notice counts when the service answered 201 (filed, screened and logged). Delivery delay is
from the moment the filing request was sent to the moment Russia's stream delivered the first
``conflict.found`` whose subject is that notice.

The Markdown report goes to stdout (and to ``--output``), progress to stderr. Nothing is
asserted: the targets are printed beside the figures.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import resource
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psycopg

from benchmarks.report import command_line, publish
from benchmarks.screening_postgis import drop_database
from deconflict.adapters.formats.geojson import footprint_to_geojson
from deconflict.adapters.payloads import build_command
from deconflict.adapters.postgres.store import PostgresStore
from deconflict.adapters.sqlite.store import SqliteStore
from deconflict.adapters.volume_index import TimeSlicedIndex
from deconflict.domain.arrangement import AIR_KINDS, Arrangement, LineDomain, NoticeKind
from deconflict.domain.credentials import token_digest
from deconflict.domain.parties import Role
from deconflict.service import commands as c
from deconflict.service.clock import SimulatedClock
from deconflict.service.handlers import Deconfliction
from deconflict.service.situation import Situation

from .screening import (
    DECLARATION_SHARE,
    LAT_MAX,
    LAT_MIN,
    LON_MAX,
    LON_MIN,
    NOTICE_KINDS,
    World,
    machine_facts,
)

__all__ = ["main", "run", "Report", "ScenarioResult", "PayloadWorld"]

NOW = datetime(2026, 1, 1, 6, 0, tzinfo=UTC)  # the fixed simulated now (clock file)
PARTIES = ("coalition", "russia")
FILER, WATCHER = "coalition", "russia"
ARRANGEMENT = "A-1"
LINES = {LineDomain.AIR: "L-air", LineDomain.GROUND: "L-ground", LineDomain.COMMAND: "L-command"}
GROUND_KINDS = frozenset(NoticeKind) - AIR_KINDS
HOT_CENTRE = (40.15, 35.33)  # lon, lat: Deir ez-Zor
QUIET_CENTRE = (39.01, 35.95)  # lon, lat: Raqqa, where no volume is placed on purpose
HOT_SIDE_M = 1_000.0
HOT_HORIZON = timedelta(days=2)
MIN_LEAD = timedelta(hours=2)
REQUEST_TIMEOUT_S = 30.0
UNSENT = -1  # open loop: due within the time limit, not sent by its end (all senders busy)

TARGETS = {
    "throughput": 1_000.0,  # notices/s, scenario (a)
    "p99_at_rate_ms": 50.0,  # scenario (b)
    "delivery_p99_ms": 100.0,  # every scenario
    "hot_share": 0.5,  # hot-spot throughput / scenario (a) throughput
}


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


# -- workload ---------------------------------------------------------------------------------


class PayloadWorld:
    """Random notices and declarations as API payloads (the shapes scenario steps and requests
    share), over Syria like ``benchmarks.screening.World``; windows start 2 h to ``horizon``
    after the fixed now."""

    def __init__(self, seed: int, horizon: timedelta) -> None:
        self.rng = random.Random(seed)
        self._shapes = World(seed)
        self._shapes.rng = self.rng  # one random stream for the whole workload
        self.horizon = horizon
        self._kinds = [k for k, _ in NOTICE_KINDS]
        self._weights = [w for _, w in NOTICE_KINDS]

    def footprint(self, corridors: bool = True) -> dict[str, Any]:
        """A random footprint drawn as ``benchmarks.screening.World`` draws them, as a payload."""
        fp = self._shapes.footprint(corridors)
        geo = footprint_to_geojson(fp)
        return {k: v for k, v in geo.items() if k != "shape"}

    def hot_footprint(self, spot: tuple[float, float] = HOT_CENTRE) -> dict[str, Any]:
        """A circle of 50-250 m radius whose centre lies in the 1 km square around ``spot``,
        so the footprint stays inside about 1 km²."""
        half = HOT_SIDE_M / 2 - 250.0
        centre = list(
            self._shapes.offset(spot, self.rng.uniform(-half, half), self.rng.uniform(-half, half))
        )
        return {
            "shape": "circle",
            "centre": centre,
            "radius_m": round(self.rng.uniform(50, 250), 1),
        }

    def window(self, horizon: timedelta | None = None) -> tuple[str, str]:
        span = (horizon or self.horizon) - MIN_LEAD
        start = NOW + MIN_LEAD + span * self.rng.random()
        start = start.replace(microsecond=0)
        end = start + timedelta(minutes=round(self.rng.uniform(60.0, 720.0)))
        return _iso(start), _iso(end)

    def band(self) -> tuple[float, float]:
        lower = self.rng.uniform(0.0, 10_000.0)
        return round(lower, 1), round(lower + self.rng.uniform(300.0, 3_000.0), 1)

    def notice(
        self, ident: str, hot: bool = False, spot: tuple[float, float] = HOT_CENTRE
    ) -> dict[str, Any]:
        if hot:
            kind = self.rng.choice(sorted(AIR_KINDS))
            footprint = self.hot_footprint(spot)
            lower, upper = 0.0, 3_000.0
            start, end = self.window(HOT_HORIZON)
        else:
            kind = self.rng.choices(self._kinds, self._weights)[0]
            footprint = self.footprint()
            lower, upper = self.band()
            start, end = self.window()
        line = LINES[LineDomain.AIR if kind in AIR_KINDS else LineDomain.GROUND]
        volume = {
            "footprint": footprint,
            "lower": lower,
            "upper": upper,
            "start": start,
            "end": end,
        }
        return {"id": ident, "line": line, "kind": str(kind), "volumes": [volume]}

    def declaration(self, ident: str) -> dict[str, Any]:
        kind = self.rng.choice(("force_position", "site"))
        start, end = self.window()
        return {
            "id": ident,
            "kind": kind,
            "footprint": self.footprint(corridors=False),
            "start": start,
            "end": end,
        }


# -- the store --------------------------------------------------------------------------------


@dataclass
class Prepared:
    db: Path
    tokens: dict[str, str]  # party -> its officer's token
    head: int
    declarations: int
    notices: int
    hot: int
    conflicts: int
    setup_s: float
    preload_s: float
    db_mb: float


def _officer(party: str) -> str:
    return f"{party}-officer"


def prepare(db: Path, volumes: int, hot: int, world: PayloadWorld) -> Prepared:
    """A fresh store with the parties, lines, officers and ``volumes`` active volumes."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    t0 = time.perf_counter()
    store = SqliteStore(db)
    mechanism = Deconfliction(store, SimulatedClock(NOW), Situation(TimeSlicedIndex))
    mechanism.start()
    tokens: dict[str, str] = {}
    try:
        for party in PARTIES:
            mechanism.handle(c.CreateParty(party, party.title()))
            tokens[party] = secrets.token_urlsafe(32)
            mechanism.handle(
                c.AddMember(_officer(party), party, Role.OFFICER, "", token_digest(tokens[party]))
            )
        mechanism.handle(c.CreateArrangement(Arrangement(ARRANGEMENT, PARTIES)))
        for domain, line in LINES.items():
            mechanism.handle(c.OpenLine(line, ARRANGEMENT, domain))
        setup_s = time.perf_counter() - t0

        hot = min(hot, volumes)
        t0 = time.perf_counter()
        declarations = notices = conflicts = 0
        step = max(1, volumes // 10)
        for i in range(volumes):
            if i < hot:
                action, payload, party = "notify", world.notice(f"P-H-{i:07d}", hot=True), WATCHER
            else:
                party = PARTIES[world.rng.random() < 0.5]
                if world.rng.random() < DECLARATION_SHARE:
                    action, payload = "declare", world.declaration(f"P-D-{i:07d}")
                else:
                    action, payload = "notify", world.notice(f"P-N-{i:07d}")
            outcome = mechanism.handle(build_command(action, payload), _officer(party))
            conflicts += len(outcome.conflicts)
            declarations += action == "declare"
            notices += action == "notify"
            if (i + 1) % step == 0:
                rate = (i + 1) / (time.perf_counter() - t0)
                _log(f"preloaded {i + 1:,} / {volumes:,} ({rate:,.0f}/s)")
        preload_s = time.perf_counter() - t0
        head = store.head()
    finally:
        store.close()
    size = sum(Path(f"{db}{s}").stat().st_size for s in ("", "-wal") if Path(f"{db}{s}").exists())
    return Prepared(
        db, tokens, head, declarations, notices, hot, conflicts, setup_s, preload_s, size / 2**20
    )


PRISTINE = "pristine.sqlite"
META = "prepared.json"


def copy_store(source: str | Path, target: str | Path) -> None:
    """Replace the SQLite store at ``target`` by a copy of the closed store at ``source``: its
    file and write-ahead log. Neither's shared-memory index is kept: SQLite rebuilds it from the
    log on opening, and a stale one left beside the copy could not be trusted."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    for suffix in ("", "-wal"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")


def _prepared(base: Path, volumes: int, hot: int, world: PayloadWorld, reuse: bool) -> Prepared:
    """Prepare the store; with ``reuse``, start again from the copy kept by an earlier run with
    the same volumes and hot spot (the store the scenarios wrote to is replaced)."""
    db, pristine, meta = base / "bench.sqlite", base / PRISTINE, base / META
    if reuse and pristine.exists() and meta.exists():
        kept = json.loads(meta.read_text(encoding="utf-8"))
        if kept["volumes"] == volumes and kept["hot_asked"] == hot:
            _log(f"reusing the store prepared in {base}")
            copy_store(pristine, db)
            fields = {k: v for k, v in kept.items() if k not in ("volumes", "hot_asked")}
            return Prepared(db=db, **fields)
    _log(f"preparing a store with {volumes:,} volumes in {base}")
    prepared = prepare(db, volumes, hot, world)
    if reuse:  # keep a copy and the tokens, for another run or for profiling by hand
        copy_store(db, pristine)
        kept = {k: v for k, v in prepared.__dict__.items() if k != "db"}
        meta.write_text(json.dumps(kept | {"volumes": volumes, "hot_asked": hot}), encoding="utf-8")
    return prepared


# -- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _deconflict_command(override: str | None = None) -> list[str]:
    if override:
        return shlex.split(override)
    script = Path(sys.executable).with_name("deconflict")
    if script.exists():
        return [str(script)]
    found = shutil.which("deconflict")
    return [found] if found else [sys.executable, "-m", "deconflict.cli"]


def _process_cpu_s(pid: int | None) -> float:
    """User and system CPU time of a process so far, every thread (Linux)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return math.nan
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    db: str | Path
    clock_file: Path
    log_file: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    start_s: float = 0.0
    command: str | None = None  # instead of the `deconflict` script (A/B experiments)
    _spawned: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 600.0) -> None:
        self.spawn()
        self.wait_ready(timeout_s)

    def spawn(self) -> None:
        self.clock_file.write_text(_iso(NOW), encoding="utf-8")
        command = [
            *_deconflict_command(self.command),
            "serve",
            "--db",
            str(self.db),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--clock-file",
            str(self.clock_file),
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith("DECONFLICT_")}
        with self.log_file.open("wb") as log:
            self._spawned = time.perf_counter()
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)

    def wait_ready(self, timeout_s: float = 600.0) -> None:
        assert self.process is not None
        t0 = self._spawned
        deadline = t0 + timeout_s
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the server exited with {self.process.returncode}:\n{self.log_text()}"
                )
            try:
                if httpx.get(f"{self.url}/openapi.json", timeout=2).status_code == 200:
                    self.start_s = time.perf_counter() - t0
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the server did not answer within {timeout_s:.0f} s")

    def log_text(self) -> str:
        try:
            return self.log_file.read_text(encoding="utf-8", errors="replace")[-4000:]
        except OSError:
            return ""

    def cpu_s(self) -> float:
        """User and system CPU time of the server process so far, every thread (Linux)."""
        return math.nan if self.process is None else _process_cpu_s(self.process.pid)

    def rss_mb(self) -> tuple[float, float]:
        """(current, peak) resident memory of the server process."""
        if self.process is None:
            return (0.0, 0.0)
        found = {"VmRSS": 0.0, "VmHWM": 0.0}
        try:
            with open(f"/proc/{self.process.pid}/status", encoding="utf-8") as status:
                for line in status:
                    name = line.split(":", 1)[0]
                    if name in found:
                        found[name] = int(line.split()[1]) / 1024
        except OSError:
            pass
        return found["VmRSS"], found["VmHWM"]

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
            self.process = None


# -- the other party's stream -----------------------------------------------------------------


def _watch(
    url: str,
    token: str,
    after: int,
    found: Any,
    counters: Any,
    ready: Any,
    errors: Any,
) -> None:
    """The watching officer's client, in a process of its own: reads the party's Server-Sent
    Events and sends back when each notice's first ``conflict.found`` arrived
    (``time.perf_counter``: CLOCK_MONOTONIC on Linux, one clock for every process)."""
    seen: set[str] = set()

    def event(fields: dict[str, str]) -> None:
        now = time.perf_counter()
        conflict = fields.get("event") == "conflict.found"
        with counters.get_lock():
            counters[0] += 1
            if "id" in fields and fields["id"].isdigit():
                counters[2] = int(fields["id"])
            counters[1] += conflict
        if not conflict:
            return
        data = json.loads(fields["data"])
        inner = data.get("data", data)  # the log item carries the conflict view as "data"
        subject = (inner.get("subject") or {}).get("id")
        if subject is not None and subject not in seen:
            seen.add(subject)
            found.put((subject, now))

    client = httpx.Client(
        headers={"Authorization": f"Bearer {token}"}, timeout=httpx.Timeout(10.0, read=None)
    )
    try:
        with client.stream("GET", url, params={"after": after}) as response:
            if response.status_code != 200:
                errors.put(f"HTTP {response.status_code}")
                return
            fields: dict[str, str] = {}
            for line in response.iter_lines():
                if not line:
                    if "data" in fields:
                        event(fields)
                    fields = {}
                    continue
                if line.startswith(":"):
                    ready.set()  # the opening comment or a keep-alive
                    continue
                name, _, value = line.partition(":")
                fields[name] = value[1:] if value.startswith(" ") else value
    except (httpx.HTTPError, OSError) as exc:  # the server stopped
        errors.put(f"{type(exc).__name__}: {exc}")
    finally:
        ready.set()
        client.close()


class StreamWatcher:
    """A member of the watching party following its stream, as another officer's client would:
    in a process of its own, so that its arrival times are not held up by the filing clients
    (the load generator's threads share one interpreter lock). Records when each notice's first
    ``conflict.found`` arrived."""

    def __init__(self, url: str, token: str, after: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.arrived: dict[str, float] = {}
        self._found = context.SimpleQueue()
        self._errors = context.SimpleQueue()
        self._counters = context.Array("q", [0, 0, after])  # events, conflict events, last id
        self._ready = context.Event()
        self._error: str | None = None
        self._process = context.Process(
            target=_watch,
            args=(
                f"{url}/api/v1/stream",
                token,
                after,
                self._found,
                self._counters,
                self._ready,
                self._errors,
            ),
            daemon=True,
        )
        self._process.start()
        # Drained as they come: a full pipe would stop the reader, and with it its clock.
        self._lock = threading.Lock()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        while True:
            subject, at = self._found.get()
            with self._lock:
                self.arrived.setdefault(subject, at)

    @property
    def events(self) -> int:
        return int(self._counters[0])

    @property
    def conflict_events(self) -> int:
        return int(self._counters[1])

    @property
    def last_seq(self) -> int:
        return int(self._counters[2])

    @property
    def error(self) -> str | None:
        if self._error is None and not self._errors.empty():
            self._error = str(self._errors.get())
        return self._error

    def wait_ready(self, timeout: float = 30.0) -> None:
        if not self._ready.wait(timeout):
            raise RuntimeError(f"the stream did not open: {self.error}")
        if self.error:
            raise RuntimeError(f"the stream failed: {self.error}")

    def arrival(self, notice_id: str) -> float | None:
        with self._lock:
            return self.arrived.get(notice_id)

    def cpu_s(self) -> float:
        return _process_cpu_s(self._process.pid)

    def close(self) -> None:
        self._process.terminate()
        self._process.join(5)


# -- load -------------------------------------------------------------------------------------


@dataclass
class Sample:
    notice: str
    sent: float  # perf_counter when the request was due (open loop) or sent (closed loop)
    latency: float  # seconds, from ``sent`` to the whole answer read
    status: int  # 0: transport error
    shared: int = 0  # conflicts the answer lists with the watching party
    conflicts: int = 0  # conflicts the answer lists


@dataclass
class ScenarioResult:
    name: str
    mode: str
    clients: int
    seconds: float
    sent: int
    filed: int
    errors: int
    throughput: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    conflicts_per_notice: float
    expected_deliveries: int
    delivered: int
    delivery_p50_ms: float
    delivery_p99_ms: float
    delivery_max_ms: float
    stream_events: int
    error_kinds: dict[str, int] = field(default_factory=dict)
    unsent: int = 0  # open loop: due but never sent within the time limit
    server_cpu_s: float = math.nan  # CPU the server processes used during the scenario
    generator_cpu_s: float = math.nan  # CPU this load generator used (every thread)

    @property
    def server_cpu_ms_per_notice(self) -> float:
        return self.server_cpu_s * 1e3 / self.filed if self.filed else math.nan

    @property
    def generator_cpu_ms_per_notice(self) -> float:
        return self.generator_cpu_s * 1e3 / self.filed if self.filed else math.nan


def _pct(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if values else math.nan


class Filer:
    """Posts notices as one member over one keep-alive connection."""

    def __init__(self, url: str, token: str) -> None:
        self.client = httpx.Client(
            base_url=url,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            timeout=REQUEST_TIMEOUT_S,
        )

    def file(self, payload: dict[str, Any], sent: float | None = None) -> Sample:
        body = json.dumps(payload, separators=(",", ":"))
        started = time.perf_counter()
        due = started if sent is None else sent
        try:
            response = self.client.post("/api/v1/notices", content=body)
            status = response.status_code
            answer = response.json() if status == 201 else None
        except httpx.HTTPError:
            status, answer = 0, None
        latency = time.perf_counter() - due
        sample = Sample(payload["id"], due, latency, status)
        if answer is not None:
            found = answer.get("conflicts", [])
            sample.conflicts = len(found)
            sample.shared = sum((x.get("other") or {}).get("party") == WATCHER for x in found)
        return sample

    def close(self) -> None:
        self.client.close()


Make = Callable[[int], dict[str, Any]]


def closed_loop(
    urls: Sequence[str], token: str, make: Make, clients: int, seconds: float
) -> list[Sample]:
    """``clients`` threads, each sending its next request as soon as the last one answered;
    client i talks to ``urls[i % len(urls)]`` (the replicas, round-robin)."""
    samples: list[Sample] = []
    lock = threading.Lock()
    counter = iter(range(10**12))
    start = time.perf_counter()
    end = start + seconds

    def work(url: str) -> None:
        filer = Filer(url, token)
        mine: list[Sample] = []
        try:
            while time.perf_counter() < end:
                with lock:
                    n = next(counter)
                mine.append(filer.file(make(n)))
        finally:
            filer.close()
            with lock:
                samples.extend(mine)

    threads = [
        threading.Thread(target=work, args=(urls[i % len(urls)],), daemon=True)
        for i in range(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + REQUEST_TIMEOUT_S + 10)
    return samples


def open_loop(
    urls: Sequence[str], token: str, make: Make, rate: float, seconds: float, workers: int
) -> list[Sample]:
    """Requests due at fixed times (``rate`` per second) whether or not the earlier ones were
    answered; up to ``workers`` in flight. Latency counts from the due time. The payloads and
    the senders' clients are made before the first is due: making 32 httpx clients takes the
    generator a good part of a second, which would be charged to the server's first answers."""
    samples: list[Sample] = []
    lock = threading.Lock()
    total = max(1, int(rate * seconds))
    counter = iter(range(total))
    payloads = [make(n) for n in range(total)]  # made ahead: the sender only sends
    filers = [Filer(urls[i % len(urls)], token) for i in range(workers)]
    start = time.perf_counter() + 0.05
    end = start + seconds

    def work(filer: Filer) -> None:
        mine: list[Sample] = []
        try:
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                due = start + n / rate
                if time.perf_counter() > end:  # bounded: what is still due is not sent
                    mine.append(Sample(payloads[n]["id"], due, math.nan, UNSENT))
                    continue
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                mine.append(filer.file(payloads[n], sent=due))
        finally:
            filer.close()
            with lock:
                samples.extend(mine)

    threads = [threading.Thread(target=work, args=(filer,), daemon=True) for filer in filers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + REQUEST_TIMEOUT_S + 10)
    return samples


def _settle(watcher: StreamWatcher, samples: Sequence[Sample], timeout_s: float) -> None:
    """Wait until the stream delivered every conflict the answers announced, or timed out."""
    wanted = [s.notice for s in samples if s.status == 201 and s.shared]
    end = time.perf_counter() + timeout_s
    while time.perf_counter() < end:
        if all(watcher.arrival(n) is not None for n in wanted):
            return
        time.sleep(0.05)


def summarise(
    name: str,
    mode: str,
    clients: int,
    samples: list[Sample],
    watcher: StreamWatcher,
    events_before: int,
) -> ScenarioResult:
    unsent = sum(s.status == UNSENT for s in samples)
    samples = [s for s in samples if s.status != UNSENT]
    ok = [s for s in samples if s.status == 201]
    kinds: dict[str, int] = {}
    for s in samples:
        if s.status != 201:
            key = "transport error" if s.status == 0 else f"HTTP {s.status}"
            kinds[key] = kinds.get(key, 0) + 1
    if samples:
        first = min(s.sent for s in samples)
        last = max(s.sent + s.latency for s in samples)
        span = max(last - first, 1e-9)
    else:
        span = math.nan
    latencies = [s.latency * 1e3 for s in ok]
    delays = []
    expected = [s for s in ok if s.shared]
    for s in expected:
        arrived = watcher.arrival(s.notice)
        if arrived is not None:
            delays.append((arrived - s.sent) * 1e3)
    return ScenarioResult(
        name=name,
        mode=mode,
        clients=clients,
        seconds=span,
        sent=len(samples),
        filed=len(ok),
        errors=len(samples) - len(ok),
        throughput=len(ok) / span if samples else 0.0,
        p50_ms=_pct(latencies, 50),
        p99_ms=_pct(latencies, 99),
        max_ms=max(latencies, default=math.nan),
        mean_ms=float(np.mean(latencies)) if latencies else math.nan,
        conflicts_per_notice=float(np.mean([s.conflicts for s in ok])) if ok else math.nan,
        expected_deliveries=len(expected),
        delivered=len(delays),
        delivery_p50_ms=_pct(delays, 50),
        delivery_p99_ms=_pct(delays, 99),
        delivery_max_ms=max(delays, default=math.nan),
        stream_events=watcher.events - events_before,
        error_kinds=kinds,
        unsent=unsent,
    )


# -- the run ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """Where one run's servers keep their store, and how many of them serve it."""

    store: str  # "sqlite", or a PostgreSQL server's URL (ending in /)
    replicas: int = 1

    @property
    def postgres(self) -> bool:
        return self.store != "sqlite"

    @property
    def label(self) -> str:
        kind = "PostgreSQL" if self.postgres else "SQLite"
        return f"{kind}, {self.replicas} server{'s' if self.replicas > 1 else ''}"


@dataclass
class Run:
    setup: Setup
    server_start_s: float  # spawn to the last replica answering
    server_rss_mb: list[tuple[float, float]]  # per replica: now, peak
    store_mb: float  # after the run
    scenarios: list[ScenarioResult]
    stream_error: str | None


@dataclass
class Report:
    prepared: Prepared
    runs: list[Run]
    settings: dict[str, Any]
    postgres: str = ""  # the server's version and settings, when a run used it
    postgres_load_s: float = 0.0  # loading the prepared log into the template database

    @property
    def scenarios(self) -> list[ScenarioResult]:
        """The first run's (the only one, by default)."""
        return self.runs[0].scenarios

    @property
    def server_start_s(self) -> float:
        return self.runs[0].server_start_s


def _admin(server: str) -> psycopg.Connection[Any]:
    return psycopg.connect(server + "postgres", autocommit=True)


class Stores:
    """A fresh copy of the prepared store for each run: the SQLite file copied, or a PostgreSQL
    database cloned (``CREATE DATABASE … TEMPLATE``) from one loaded once with the prepared
    log. With ``reuse``, the template database is kept for the next run and used again when it
    holds the same log (same head)."""

    def __init__(
        self, base: Path, prepared: Prepared, setups: Sequence[Setup], key: str, reuse: bool
    ) -> None:
        self.base, self.prepared, self.reuse = base, prepared, reuse
        self.frozen: Path | None = None
        self.templates: dict[str, str] = {}
        self.made: list[tuple[str, str]] = []
        self.load_s = 0.0
        if len(setups) > 1:  # the runs write to their store: each starts from this copy
            self.frozen = base / "frozen.sqlite"
            copy_store(prepared.db, self.frozen)
        for server in sorted({s.store for s in setups if s.postgres}):
            self.templates[server] = self._template(server, f"deconflict_bench_{key}")

    def _template(self, server: str, name: str) -> str:
        with _admin(server) as admin:
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if exists.fetchone() is not None and self.reuse:
                kept = PostgresStore(server + name)
                head = kept.head()
                kept.close()
                if head == self.prepared.head:
                    _log(f"reusing the PostgreSQL template {name}")
                    return name
            admin.execute(f"DROP DATABASE IF EXISTS {name}")
            admin.execute(f"CREATE DATABASE {name}")
        _log(f"loading the prepared log ({self.prepared.head:,} entries) into {name}")
        t0 = time.perf_counter()
        source, target = SqliteStore(self.prepared.db), PostgresStore(server + name)
        try:
            target.load_entries(source.entries())
            with psycopg.connect(server + name, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")
        finally:
            source.close()
            target.close()
        self.load_s = time.perf_counter() - t0
        _log(f"loaded in {self.load_s:.0f} s")
        return name

    def fresh(self, setup: Setup, index: int) -> str:
        """A copy of the prepared store for one run: a file path or a database URL."""
        if setup.postgres:
            name = f"deconflict_bench_run_{secrets.token_hex(4)}"
            with _admin(setup.store) as admin:
                admin.execute(f"CREATE DATABASE {name} TEMPLATE {self.templates[setup.store]}")
            self.made.append((setup.store, name))
            return setup.store + name
        if self.frozen is None:
            return str(self.prepared.db)
        db = self.base / f"run-{index}.sqlite"
        copy_store(self.frozen, db)
        return str(db)

    @staticmethod
    def size_mb(db: str) -> float:
        if "://" in db:
            with psycopg.connect(db, autocommit=True) as conn:
                row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
            return float(row[0]) / 2**20 if row else math.nan
        files = [Path(f"{db}{s}") for s in ("", "-wal")]
        return sum(f.stat().st_size for f in files if f.exists()) / 2**20

    def drop(self, db: str) -> None:
        """The run's copy, once its servers stopped."""
        for server, name in list(self.made):
            if db == server + name:
                drop_database(server, name)
                self.made.remove((server, name))
        if self.frozen is not None and "://" not in db:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)

    def close(self) -> None:
        for server, name in list(self.made):
            self.drop(server + name)
        if not self.reuse:
            for server, name in self.templates.items():
                with _admin(server) as admin:
                    admin.execute(f"DROP DATABASE IF EXISTS {name}")


def _postgres_facts(server: str) -> str:
    with _admin(server) as conn:
        names = ("shared_buffers", "synchronous_commit", "max_connections")
        found = [(n, conn.execute(f"SHOW {n}").fetchone()) for n in names]
        version = conn.execute("SHOW server_version").fetchone()
    shown = ", ".join(f"{n} {v[0]}" for n, v in found if v is not None)
    return f"PostgreSQL {version[0] if version else '?'} on the same machine; {shown}"


@dataclass(frozen=True)
class Load:
    """What every run does, the same way."""

    seconds: float
    seed: int
    clients: int
    rate: float
    workers: int
    horizon: timedelta
    settle_s: float
    server_command: str | None
    streams: int


def run_setup(setup: Setup, db: str, base: Path, prepared: Prepared, load: Load) -> Run:
    """Start the setup's servers on ``db``, run the three scenarios through them, stop them."""
    tag = f"{'pg' if setup.postgres else 'sqlite'}-{setup.replicas}"
    servers = [
        Server(db, base / "clock.txt", base / f"server-{tag}-{i}.log", command=load.server_command)
        for i in range(setup.replicas)
    ]
    _log(f"{setup.label}: starting {len(servers)} server(s) on {db}")
    try:
        for server in servers:  # all at once: each builds its index from the store
            server.spawn()
        for server in servers:
            server.wait_ready()
        start_s = max(s.start_s for s in servers)
        _log(f"{setup.label}: answering after {start_s:.2f} s")
        urls = [s.url for s in servers]
        scenarios, stream_error = _scenarios(urls, prepared, load, servers)
        rss = [s.rss_mb() for s in servers]
    finally:
        for server in servers:
            server.stop()
    return Run(setup, start_s, rss, Stores.size_mb(db), scenarios, stream_error)


def _scenarios(
    urls: Sequence[str], prepared: Prepared, load: Load, servers: Sequence[Server] = ()
) -> tuple[list[ScenarioResult], str | None]:
    seed, horizon, seconds, clients = load.seed, load.horizon, load.seconds, load.clients
    # Delivery is timed on the last stream opened, on the last replica; the others are more of
    # the watching party's members following the same events.
    others = [
        StreamWatcher(urls[-1], prepared.tokens[WATCHER], prepared.head)
        for _ in range(load.streams - 1)
    ]
    watcher = StreamWatcher(urls[-1], prepared.tokens[WATCHER], prepared.head)
    scenarios: list[ScenarioResult] = []

    def generator_cpu_s() -> float:
        return time.process_time() + sum(w.cpu_s() for w in (*others, watcher))

    try:
        for other in others:
            other.wait_ready()
        watcher.wait_ready()
        token = prepared.tokens[FILER]
        warming = PayloadWorld(seed, horizon)
        for url in urls:  # a few untimed requests per replica: connections, first-call caches
            warm = Filer(url, token)
            for i in range(5):
                warm.file(warming.notice(f"W-{url[-5:]}-{i:04d}"))
            warm.close()

        def normal(prefix: str) -> Make:
            rng = PayloadWorld(seed * 7_919 + len(prefix) * 31 + ord(prefix[0]), horizon)
            lock = threading.Lock()

            def make(n: int) -> dict[str, Any]:
                with lock:
                    return rng.notice(f"{prefix}-{n:07d}")

            return make

        def hotspot(prefix: str, spot: tuple[float, float]) -> Make:
            rng = PayloadWorld(seed * 104_729 + 17, horizon)
            lock = threading.Lock()

            def make(n: int) -> dict[str, Any]:
                with lock:
                    return rng.notice(f"{prefix}-{n:07d}", hot=True, spot=spot)

            return make

        rate, workers = load.rate, load.workers
        plan: list[tuple[str, str, Callable[[], list[Sample]], int]] = [
            (
                "(a) max throughput",
                f"closed loop, {clients} clients",
                lambda: closed_loop(urls, token, normal("A"), clients, seconds),
                clients,
            ),
            (
                f"(b) fixed rate {rate:g}/s",
                f"open loop, {rate:g}/s, up to {workers} in flight",
                lambda: open_loop(urls, token, normal("B"), rate, seconds, workers),
                workers,
            ),
            (
                "(c) hot spot (1 km²)",
                f"closed loop, {clients} clients",
                lambda: closed_loop(urls, token, hotspot("C", HOT_CENTRE), clients, seconds),
                clients,
            ),
            (
                "(d) hot spot, uncrowded (1 km²)",
                f"closed loop, {clients} clients",
                lambda: closed_loop(urls, token, hotspot("D", QUIET_CENTRE), clients, seconds),
                clients,
            ),
        ]
        for name, mode, go, n_clients in plan:
            _log(f"scenario {name}: {mode}, {seconds:g} s")
            before = watcher.events
            cpu_before = sum(s.cpu_s() for s in servers), generator_cpu_s()
            samples = go()
            cpu_after = sum(s.cpu_s() for s in servers), generator_cpu_s()
            _settle(watcher, samples, load.settle_s)
            result = summarise(name, mode, n_clients, samples, watcher, before)
            result.server_cpu_s = cpu_after[0] - cpu_before[0]
            result.generator_cpu_s = cpu_after[1] - cpu_before[1]
            _log(
                f"  {result.filed:,} filed, {result.throughput:,.0f}/s, p50 {result.p50_ms:.1f} ms, "
                f"p99 {result.p99_ms:.1f} ms, delivered {result.delivered}/"
                f"{result.expected_deliveries}, delivery p99 {result.delivery_p99_ms:.1f} ms"
            )
            scenarios.append(result)
    finally:
        for other in (*others, watcher):
            other.close()
    return scenarios, watcher.error if watcher.error and not scenarios else None


def run(
    volumes: int,
    seconds: float,
    seed: int,
    clients: int,
    rate: float,
    workers: int,
    hot: int,
    horizon_days: float,
    settle_s: float,
    workdir: Path | None,
    reuse: bool = False,
    server_command: str | None = None,
    streams: int = 1,
    setups: Sequence[Setup] = (Setup("sqlite"),),
) -> Report:
    own_dir = workdir is None
    base = Path(tempfile.mkdtemp(prefix="deconflict-api-bench-")) if workdir is None else workdir
    base.mkdir(parents=True, exist_ok=True)
    horizon = timedelta(days=horizon_days)
    world = PayloadWorld(seed, horizon)
    load = Load(seconds, seed, clients, rate, workers, horizon, settle_s, server_command, streams)
    try:
        prepared = _prepared(base, volumes, hot, world, reuse)
        _log(
            f"preloaded in {prepared.preload_s:.1f} s ({prepared.conflicts:,} conflicts); "
            f"head {prepared.head:,}"
        )
        key = f"v{volumes}_h{hot}_s{seed}"
        stores = Stores(base, prepared, setups, key, reuse)
        runs: list[Run] = []
        try:
            for i, setup in enumerate(setups):
                db = stores.fresh(setup, i)
                try:
                    runs.append(run_setup(setup, db, base, prepared, load))
                finally:
                    stores.drop(db)
        finally:
            stores.close()
        servers = sorted({s.store for s in setups if s.postgres})
        return Report(
            prepared,
            runs,
            {
                "volumes": volumes,
                "seconds": seconds,
                "seed": seed,
                "clients": clients,
                "rate": rate,
                "workers": workers,
                "hot": prepared.hot,
                "horizon_days": horizon_days,
                "server_command": server_command,
                "streams": streams,
            },
            "; ".join(_postgres_facts(s) for s in servers),
            stores.load_s,
        )
    finally:
        if own_dir:
            shutil.rmtree(base, ignore_errors=True)


# -- report -----------------------------------------------------------------------------------


def _version(name: str) -> str:
    try:
        return package_version(name)
    except PackageNotFoundError:
        return "?"


def _f(value: float, fmt: str = ".1f") -> str:
    return (
        "–"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else format(value, fmt)
    )


def _met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _targets(run: Run, rate: float) -> list[str]:
    by = {r.name[:3]: r for r in run.scenarios}
    if len(by) != 4:
        return []
    a, b = by["(a)"], by["(b)"]
    delivery = max(
        (r.delivery_p99_ms for r in run.scenarios if not math.isnan(r.delivery_p99_ms)),
        default=math.nan,
    )

    def share(hot: ScenarioResult) -> float:
        return hot.throughput / a.throughput if a.throughput else math.nan

    crowded, uncrowded = share(by["(c)"]), share(by["(d)"])
    return [
        "| target | measured | |",
        "|---|---:|---|",
        f"| ≥ {TARGETS['throughput']:,.0f} notices/s (a) | {a.throughput:,.1f}/s | "
        f"{_met(a.throughput >= TARGETS['throughput'])} |",
        f"| p99 ≤ {TARGETS['p99_at_rate_ms']:.0f} ms at {rate:g}/s (b) | "
        f"{_f(b.p99_ms)} ms | {_met(b.p99_ms <= TARGETS['p99_at_rate_ms'])} |",
        f"| conflict delivery p99 ≤ {TARGETS['delivery_p99_ms']:.0f} ms at {rate:g}/s (b) | "
        f"{_f(b.delivery_p99_ms)} ms | {_met(b.delivery_p99_ms <= TARGETS['delivery_p99_ms'])} |",
        f"| conflict delivery p99 ≤ {TARGETS['delivery_p99_ms']:.0f} ms (worst scenario) | "
        f"{_f(delivery)} ms | {_met(delivery <= TARGETS['delivery_p99_ms'])} |",
        f"| hot spot ≥ {TARGETS['hot_share']:.0%} of (a)'s throughput (c) | "
        f"{_f(crowded * 100, '.0f')}% | {_met(crowded >= TARGETS['hot_share'])} |",
        f"| the same, uncrowded (d) | "
        f"{_f(uncrowded * 100, '.0f')}% | {_met(uncrowded >= TARGETS['hot_share'])} |",
    ]


def _scenario_rows(run: Run) -> list[str]:
    out = [
        "| scenario | load | duration | sent | 201 | errors | notices/s | p50 | p99 | max | "
        "mean | conflicts / notice | deliveries expected / received | delivery p50 | "
        "delivery p99 | delivery max | stream events | server CPU / notice (cores busy) | "
        "generator CPU / notice |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in run.scenarios:
        errors = f"{r.errors:,}" + (
            " (" + ", ".join(f"{k}: {v}" for k, v in sorted(r.error_kinds.items())) + ")"
            if r.error_kinds
            else ""
        )
        out.append(
            f"| {r.name} | {r.mode} | {r.seconds:.1f} s | {r.sent:,}"
            + (f" (+{r.unsent:,} due, not sent)" if r.unsent else "")
            + f" | {r.filed:,} | {errors} | "
            f"{r.throughput:,.1f} | {_f(r.p50_ms)} | {_f(r.p99_ms)} | {_f(r.max_ms)} | "
            f"{_f(r.mean_ms)} | {_f(r.conflicts_per_notice, '.2f')} | "
            f"{r.expected_deliveries:,} / {r.delivered:,} | {_f(r.delivery_p50_ms)} | "
            f"{_f(r.delivery_p99_ms)} | {_f(r.delivery_max_ms)} | {r.stream_events:,} | "
            f"{_f(r.server_cpu_ms_per_notice, '.2f')} ms ({_f(r.server_cpu_s / r.seconds, '.2f')}) | "
            f"{_f(r.generator_cpu_ms_per_notice, '.2f')} ms |"
        )
    return out


def _side_by_side(runs: Sequence[Run]) -> list[str]:
    out = [
        "| store, servers | (a) notices/s | (a) p99 | (b) p50 / p99 | (c) notices/s | (c) p99 | "
        "(d) notices/s | delivery p99 (a) / (b) / (c) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        by = {r.name[:3]: r for r in run.scenarios}
        if len(by) != 4:
            continue
        a, b, c, d = by["(a)"], by["(b)"], by["(c)"], by["(d)"]
        out.append(
            f"| {run.setup.label} | {a.throughput:,.1f} | {_f(a.p99_ms)} | {_f(b.p50_ms)} / "
            f"{_f(b.p99_ms)} | {c.throughput:,.1f} | {_f(c.p99_ms)} | {d.throughput:,.1f} | "
            f"{_f(a.delivery_p99_ms)} / {_f(b.delivery_p99_ms)} / {_f(c.delivery_p99_ms)} |"
        )
    return out


def markdown(report: Report, command: str, elapsed_s: float) -> str:
    p, s = report.prepared, report.settings
    many = len(report.runs) > 1
    out = ["# HTTP service benchmark", "", f"Command: `{command}`", "", *machine_facts()]
    out += [
        f"- fastapi {_version('fastapi')}, starlette {_version('starlette')}, uvicorn "
        f"{_version('uvicorn')} (uvloop {_version('uvloop')}, httptools {_version('httptools')}), "
        f"pydantic {_version('pydantic')}, SQLAlchemy "
        f"{_version('sqlalchemy')}, psycopg {_version('psycopg')}, httpx {_version('httpx')} "
        "(load generator)",
        *([f"- {report.postgres}"] if report.postgres else []),
        "- servers and load generator share the machine (loopback 127.0.0.1); each server is "
        f"one `{s.get('server_command') or 'deconflict'} serve` process (uvicorn, one worker); "
        f"{s.get('streams', 1)} stream(s) of the watching party open on the last server, "
        "delivery timed on the last stream; with several servers the clients are spread "
        "round-robin over them",
        f"- wall time of the whole run: {elapsed_s:.0f} s; peak RSS of the load generator "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB",
        "",
        "## Store and server start",
        "",
        f"Prepared once: {s['volumes']:,} volumes ({p.declarations:,} declarations / "
        f"{p.notices:,} notices, {p.hot:,} in the hot spot), {p.conflicts:,} conflicts found "
        f"while preloading, {p.head:,} log entries, {p.db_mb:.0f} MB of SQLite; preload "
        f"in-process, untimed: {p.preload_s:.1f} s ({s['volumes'] / max(p.preload_s, 1e-9):,.0f}/s)"
        + (
            f"; the log loaded into the PostgreSQL template database in "
            f"{report.postgres_load_s:.0f} s"
            if report.postgres_load_s
            else ""
        )
        + ". Each run starts from a fresh copy of it.",
        "",
        "| store, servers | server start (spawn → /openapi.json answers, slowest) | "
        "server RSS now / peak (each) | store size after the run |",
        "|---|---:|---:|---:|",
    ]
    for run in report.runs:
        rss = ", ".join(f"{now:.0f} / {peak:.0f} MB" for now, peak in run.server_rss_mb)
        out.append(
            f"| {run.setup.label} | {run.server_start_s:.2f} s | {rss} | {run.store_mb:.0f} MB |"
        )
    for run in report.runs:
        title = f": {run.setup.label}" if many else ""
        out += [
            "",
            f"## Filing notices{title} (`POST /api/v1/notices` as the coalition officer)",
            "",
            "A notice counts when answered 201 (filed, screened, logged). Latency in ms: closed "
            "loop from send to answer; open loop from the due time. Delivery: from the filing "
            "request sent to Russia's stream delivering the first `conflict.found` whose "
            "subject is that notice, over the notices whose answer listed a conflict with Russia. "
            "CPU: user and system time of the server process(es), every thread (/proc), during "
            "the scenario per notice filed, and in brackets the cores it kept busy on average; "
            "the same for this load generator (its client threads, and its stream readers' processes).",
            "",
            *_scenario_rows(run),
        ]
        targets = _targets(run, s["rate"])
        if targets:
            out += ["", f"## Against the targets{title}", "", *targets]
        if run.stream_error:
            out += ["", f"The stream failed: {run.stream_error}"]
    if many:
        out += ["", "## Side by side", "", *_side_by_side(report.runs)]
    out += [
        "",
        f"Workload: the store holds {s['volumes']:,} active volumes (one per object) drawn as in "
        f"`benchmarks/screening.py`: uniform over lon {LON_MIN}-{LON_MAX}, lat {LAT_MIN}-{LAT_MAX}, "
        f"{DECLARATION_SHARE:.0%} declarations, the rest notices (7 kinds; air kinds on the air "
        "line, the others on the ground line), each party half; windows start 2 h to "
        f"{s['horizon_days']:g} days after the fixed now ({_iso(NOW)}), 1-12 h long; default "
        f"rules (lateral 32,187 m, vertical 300 m). {p.hot:,} of Russia's air notices (0-3,000 m, "
        "windows within 2 days) lie in the hot spot, a 1 km square at Deir ez-Zor. Scenario "
        "notices are new random notices of the coalition (ids unique), drawn the same way; in "
        "(c) every one is an air notice of 0-3,000 m inside the hot spot, windows within 2 days; "
        "in (d) the same inside a 1 km square at Raqqa, where nothing was placed on purpose. "
        "Each scenario runs after the previous one, so the store grows by what they filed. "
        "Five untimed warm-up notices per server precede (a).",
    ]
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> Report:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.api", description=__doc__)
    parser.add_argument("--volumes", type=int, default=100_000, help="active volumes preloaded")
    parser.add_argument("--seconds", type=float, default=20.0, help="time limit per scenario")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clients", type=int, default=16, help="closed-loop clients (a, c)")
    parser.add_argument("--rate", type=float, default=200.0, help="notices/s in scenario (b)")
    parser.add_argument(
        "--workers", type=int, default=32, help="open-loop senders: most requests in flight (b)"
    )
    parser.add_argument(
        "--hot", type=int, default=300, help="of the volumes, Russia's notices in the hot spot"
    )
    parser.add_argument("--horizon-days", type=float, default=7.0)
    parser.add_argument(
        "--settle", type=float, default=10.0, help="s to wait for the stream after a scenario"
    )
    parser.add_argument("--workdir", type=Path, help="keep the store here (default: a temp dir)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with --workdir: keep a copy of the prepared store and its tokens, and start from "
        "that copy when it was prepared with the same --volumes and --hot",
    )
    parser.add_argument(
        "--server-command",
        help="run this instead of the `deconflict` script, followed by `serve --db …` "
        "(to compare a patched server on the same store)",
    )
    parser.add_argument(
        "--streams", type=int, default=1, help="the watching party's streams open at once"
    )
    parser.add_argument(
        "--db",
        nargs="+",
        default=["sqlite"],
        metavar="STORE",
        help="where the servers keep the store, one run each: sqlite, or a PostgreSQL server's "
        "URL ending in / (e.g. postgresql://postgres@127.0.0.1/; databases deconflict_bench_* "
        "are made there and dropped after)",
    )
    parser.add_argument(
        "--replicas",
        type=int,
        nargs="+",
        default=[1],
        help="serve processes sharing the store, one run each (clients spread round-robin)",
    )
    parser.add_argument("--output", help="also write the Markdown report to this file")
    args = parser.parse_args(argv)
    if (
        args.volumes < 0
        or args.seconds <= 0
        or args.rate <= 0
        or args.clients < 1
        or args.streams < 1
        or min(args.replicas) < 1
    ):
        parser.error("volumes ≥ 0; seconds, rate, clients, streams and replicas positive")
    for store in args.db:
        if store != "sqlite" and not (store.startswith("postgresql://") and store.endswith("/")):
            parser.error(f"--db {store}: sqlite, or a postgresql:// server URL ending in /")

    started = time.perf_counter()
    report = run(
        args.volumes,
        args.seconds,
        args.seed,
        args.clients,
        args.rate,
        args.workers,
        args.hot,
        args.horizon_days,
        args.settle,
        args.workdir,
        args.reuse and args.workdir is not None,
        args.server_command,
        args.streams,
        [Setup(store, n) for store in args.db for n in args.replicas],
    )
    elapsed = time.perf_counter() - started
    publish(markdown(report, command_line("benchmarks.api", argv), elapsed), args.output)
    return report


if __name__ == "__main__":
    main()
