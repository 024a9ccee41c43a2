"""The server alone: `deconflict serve` driven by `wrk`, a C client, and then the writer with no
HTTP at all — what one server process can file, and what one writer can.

Run (wrk and curl from Debian's packages; about three minutes once ``benchmarks/api.py`` has
prepared its store in the same ``--workdir`` with ``--reuse``)::

    .venv/bin/python -m benchmarks.server_alone --volumes 100000 --seconds 15 --seed 1 \\
        --workdir /tmp/apibench

``benchmarks/api.py``'s load generator is Python: it takes about 0.9 ms of CPU per notice on
the same two cores as the server. Here the client takes next to none, so the figures are the
server's:

1. **Served.** ``deconflict serve`` on a fresh copy of the prepared store, Russia's live stream
   read by ``curl`` (the server's streaming work is in; the reader's is not Python), and
   ``wrk`` (one thread, ``--clients`` keep-alive connections, a closed loop) posting pre-made
   notices of the coalition officer, each once, from a file its Lua script reads: (a) spread,
   (c) the crowded hot spot and (d) the uncrowded one, as ``benchmarks/api.py`` draws them,
   one after the other on the same server; then reads, ``GET /api/v1/notices/{id}`` of the
   notices filed in (a). For each: requests/s, wrk's p50/p99 (closed loop: from each
   request's send), the answers that were not 2xx (0 expected) and the server's CPU time per
   request, every thread, with the cores it kept busy.
2. **The writer alone.** The mechanism composed as ``deconflict serve`` composes it, in this
   process, on another fresh copy: the same notices of (a), (c) and (d) built into commands
   beforehand, then run through ``Deconfliction.handle_all`` in batches of ``--batch`` (16,
   as the server's writer batches the requests of 16 clients) — no HTTP, no validation, no
   answer, no stream. Its CPU per notice (every thread: the checkpoint's too) is the floor of any design with
   one writer, however its HTTP work is spread; 1,000 / that floor is the most notices per
   second one writer process files.

Nothing is asserted; the report is Markdown on stdout (and ``--output``).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks.api import (
    FILER,
    HOT_CENTRE,
    NOW,
    QUIET_CENTRE,
    WATCHER,
    PayloadWorld,
    Server,
    _log,
    _officer,
    _prepared,
    copy_store,
)
from deconflict.adapters.payloads import build_command
from deconflict.bootstrap import Settings, build
from deconflict.service.clock import SimulatedClock
from deconflict.service.handlers import Request

__all__ = ["main"]

SPREAD = "SA"  # the ids of (a)'s notices, which the reads ask for again


LUA = """
local items, i = {}, 0
for line in io.lines(os.getenv("WRK_ITEMS")) do items[#items + 1] = line end
local method = os.getenv("WRK_METHOD")
local headers = {["Authorization"] = "Bearer " .. os.getenv("WRK_TOKEN"),
                 ["Content-Type"] = "application/json"}
request = function()
  i = i + 1
  if i > #items then i = 1 end
  if method == "GET" then return wrk.format("GET", items[i], headers) end
  return wrk.format("POST", "/api/v1/notices", headers, items[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "not_2xx": %d, "socket_errors": %d, '
    .. '"p50_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class Served:
    name: str
    requests: int
    seconds: float
    not_2xx: int
    socket_errors: int
    p50_ms: float
    p99_ms: float
    server_cpu_s: float
    client_cpu_s: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_ms(self) -> float:
        return self.server_cpu_s / self.requests * 1e3


@dataclass(frozen=True)
class Alone:
    name: str
    notices: int
    cpu_s: float
    conflicts: int

    @property
    def cpu_ms(self) -> float:
        return self.cpu_s / self.notices * 1e3


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _wrk(
    server: Server, script: Path, items: Path, method: str, token: str, clients: int, seconds: float
) -> dict[str, Any]:
    env = os.environ | {"WRK_ITEMS": str(items), "WRK_METHOD": method, "WRK_TOKEN": token}
    command = ["wrk", "-t1", f"-c{clients}", f"-d{seconds:g}s", "-s", str(script), server.url]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            found: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
            return found
    raise RuntimeError(f"wrk printed no result:\n{done.stdout}\n{done.stderr}")


def _bodies(make: Callable[[str], dict[str, Any]], prefix: str, count: int) -> list[dict[str, Any]]:
    return [make(f"{prefix}-{i:07d}") for i in range(count)]


def _write_lines(path: Path, lines: Sequence[str]) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def served(
    base: Path,
    pristine: Path,
    tokens: dict[str, str],
    head: int,
    plan: dict[str, list[dict[str, Any]]],
    clients: int,
    seconds: float,
) -> list[Served]:
    db = base / "alone-served.sqlite"
    copy_store(pristine, db)
    script = _write_lines(base / "post.lua", [LUA])
    server = Server(db, base / "clock.txt", base / "alone-server.log")
    server.start()
    stream = subprocess.Popen(
        [
            "curl",
            "-sN",
            "-o",
            "/dev/null",
            "-H",
            f"Authorization: Bearer {tokens[WATCHER]}",
            f"{server.url}/api/v1/stream?after={head}",
        ]
    )
    results: list[Served] = []

    def step(name: str, method: str, items: list[str]) -> None:
        _log(f"served {name}: wrk, {clients} connections, {seconds:g} s")
        path = _write_lines(base / "items.txt", items)
        cpu0, client0 = server.cpu_s(), _children_cpu_s()
        found = _wrk(server, script, path, method, tokens[FILER], clients, seconds)
        result = Served(
            name,
            found["requests"],
            found["duration_us"] / 1e6,
            found["not_2xx"],
            found["socket_errors"],
            found["p50_us"] / 1e3,
            found["p99_us"] / 1e3,
            server.cpu_s() - cpu0,
            _children_cpu_s() - client0,
        )
        if result.requests > len(items):
            _log("  more requests than items: the repeats are in (a notice again: 409)")
        _log(f"  {result.rate:,.1f}/s, {result.cpu_ms:.2f} ms of server CPU each")
        results.append(result)

    try:
        for name, bodies in plan.items():
            step(name, "POST", [json.dumps(b) for b in bodies])
        reads = [f"/api/v1/notices/{i}" for i in _filed(db, f"{SPREAD}-")]
        step("read: GET /notices/{id}", "GET", reads)
    finally:
        stream.terminate()
        stream.wait(timeout=30)
        server.stop()
    return results


def _filed(db: Path, prefix: str) -> list[str]:
    """The ids of the notices filed so far whose ids start with ``prefix`` (read from the store:
    wrk asks its script for one request more than it sends)."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        rows = conn.execute(
            "SELECT id FROM objects WHERE type = 'notice' AND id LIKE ? ORDER BY id",
            (f"{prefix}%",),
        )
        return [str(row[0]) for row in rows]


def alone(
    base: Path, pristine: Path, plan: dict[str, list[dict[str, Any]]], batch: int
) -> list[Alone]:
    db = base / "alone-writer.sqlite"
    copy_store(pristine, db)
    store, mechanism = build(Settings(str(db), checkpoint_every_s=0.2), SimulatedClock(NOW))
    results: list[Alone] = []
    try:
        for name, bodies in plan.items():
            _log(f"writer alone {name}: {len(bodies):,} notices, {batch} a batch")
            requests = [Request(build_command("notify", b), _officer(FILER)) for b in bodies]
            cpu0, conflicts, frozen = time.process_time(), 0, time.perf_counter()
            for start in range(0, len(requests), batch):
                for done in mechanism.handle_all(requests[start : start + batch]):
                    conflicts += len(done.result().conflicts)
                if time.perf_counter() - frozen >= 1.0:  # as the server's collector does
                    gc.freeze()
                    frozen = time.perf_counter()
            results.append(Alone(name, len(requests), time.process_time() - cpu0, conflicts))
            _log(f"  {results[-1].cpu_ms:.2f} ms of CPU per notice")
    finally:
        store.close()
    return results


def markdown(
    served_rows: Sequence[Served],
    alone_rows: Sequence[Alone],
    batch: int,
    command: str,
    facts: str,
) -> str:
    lines = [
        "# The server alone",
        "",
        f"Command: `{command}`",
        "",
        facts,
        "",
        "## Served, wrk as the client",
        "",
        "| scenario | requests/s | p50 / p99 ms | not 2xx | server CPU / request "
        "(cores busy) | wrk CPU / request |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for s in served_rows:
        lines.append(
            f"| {s.name} | {s.rate:,.1f} | {s.p50_ms:.1f} / {s.p99_ms:.1f} | "
            f"{s.not_2xx + s.socket_errors} | {s.cpu_ms:.2f} ms "
            f"({s.server_cpu_s / s.seconds:.2f}) | {s.client_cpu_s / s.requests * 1e3:.3f} ms |"
        )
    lines += [
        "",
        f"## The writer alone (`handle_all`, {batch} a batch, no HTTP)",
        "",
        "| notices | count | conflicts / notice | CPU / notice | the most one writer files |",
        "|---|---:|---:|---:|---:|",
    ]
    for a in alone_rows:
        lines.append(
            f"| {a.name} | {a.notices:,} | {a.conflicts / a.notices:.2f} | {a.cpu_ms:.2f} ms | "
            f"{1e3 / a.cpu_ms:,.0f}/s |"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> tuple[list[Served], list[Alone]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--volumes", type=int, default=100_000)
    parser.add_argument("--hot", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--notices", type=int, default=20_000, help="made for each scenario")
    parser.add_argument("--alone", type=int, default=3_000, help="notices the writer files alone")
    parser.add_argument("--batch", type=int, default=16, help="the writer alone's batch size")
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    for tool in ("wrk", "curl"):
        if shutil.which(tool) is None:
            parser.error(f"{tool} is not installed (apt-get install {tool})")
    args.workdir.mkdir(parents=True, exist_ok=True)
    horizon = timedelta(days=7)
    prepared = _prepared(
        args.workdir, args.volumes, args.hot, PayloadWorld(args.seed, horizon), reuse=True
    )
    pristine = args.workdir / "pristine.sqlite"
    world = PayloadWorld(args.seed * 15_485_863, horizon)
    plan = {
        "(a) spread": _bodies(world.notice, SPREAD, args.notices),
        "(c) hot spot, crowded": _bodies(
            lambda i: world.notice(i, hot=True, spot=HOT_CENTRE), "SC", args.notices
        ),
        "(d) hot spot, uncrowded": _bodies(
            lambda i: world.notice(i, hot=True, spot=QUIET_CENTRE), "SD", args.notices
        ),
    }
    served_rows = served(
        args.workdir, pristine, prepared.tokens, prepared.head, plan, args.clients, args.seconds
    )
    alone_plan = {name: bodies[: args.alone] for name, bodies in plan.items()}
    alone_rows = alone(args.workdir, pristine, alone_plan, args.batch)
    facts = (
        f"{args.volumes:,} active volumes ({args.hot} of Russia's air notices in the crowded hot "
        f"spot); {platform.processor() or platform.machine()}, {os.cpu_count()} cores; Python "
        f"{platform.python_version()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}."
    )
    command = " ".join(["python -m benchmarks.server_alone", *(argv or sys.argv[1:])])
    report = markdown(served_rows, alone_rows, args.batch, command, facts)
    print(report)
    if args.output is not None:
        args.output.write_text(report, encoding="utf-8")
    return served_rows, alone_rows


if __name__ == "__main__":
    main()
