"""Profile the filing path in process: where a notice's CPU time goes, HTTP parsing aside.

Run::

    .venv/bin/python -m benchmarks.profile_filing --volumes 10000 --notices 2000 --hot
    .venv/bin/python -m benchmarks.profile_filing --volumes 100000 --notices 2000 --hot \\
        --workdir /tmp/prof-store/v100000

It prepares (once, kept in ``--workdir``) the store ``benchmarks/api.py`` prepares: parties,
lines, officers with tokens, N active volumes with a few hundred of Russia's air notices in a
1 km² hot spot. Each run starts from a fresh copy of it, composes the server as ``deconflict
serve`` does (``bootstrap.build_server``: the writer, the collector, the notifier) and runs its
lifespan; then, in each scenario, files notices as the coalition officer through the ASGI app
(``httpx.ASGITransport``): routing, validation, authentication, writer batching, screening,
sealing, storing and the answer's encoding are all in, the sockets and uvicorn's HTTP parsing
are not. ``--clients`` requests are in flight at once, as the closed-loop clients of
``benchmarks/api.py`` keep them, so the writer batches them as it would. Russia's live stream
is read meanwhile (``--no-stream`` to leave it out), as one SSE client would read it.

Each scenario (normal spread; with ``--hot`` also the hot spot, every notice in one km²) runs
twice on its own notices. First timed: wall time per notice, the median over rounds of
``--clients`` requests, and the process's CPU time per notice (every thread; less disturbed by
other load on the machine), with the stream read live (as the server reads it: in a worker
thread); the load generator's own work (httpx building requests, reading answers) is in both.
Then under cProfile, whose top ``--top`` functions by cumulative and by own time are printed;
there the stream is read on the profiled thread after each round (cProfile sees one thread
only), from a fresh page cache, so its cost is in the profile too. ``--save DIR`` keeps the
profile data (``pstats``). The figures are in-process and relative: compare runs on one
machine, with the same arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import json
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from benchmarks.api import FILER, NOW, WATCHER, PayloadWorld, Prepared, _iso, _prepared
from deconflict.api.context import Caller, Services
from deconflict.api.routes import log as log_routes
from deconflict.api.streams import Pages
from deconflict.bootstrap import ServeSettings, build_server

__all__ = ["main", "Scenario", "Timing"]

Make = Callable[[int], dict[str, Any]]


@dataclass(frozen=True)
class Scenario:
    name: str
    make: Make


@dataclass
class Timing:
    name: str
    notices: int
    per_notice_ms: float  # median over rounds
    cpu_ms: float  # the process's CPU time (every thread) over the timed pass, per notice
    conflicts_per_notice: float
    stream_events: int
    profile: str = ""
    stream_profile: str = ""


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Stream:
    """Russia's live stream, read in the background as one SSE client reads it: the ASGI app
    is called directly (``httpx.ASGITransport`` would wait for the endless answer to end)."""

    def __init__(self, app: Any, token: str, after: int) -> None:
        self.events = 0
        self._app, self._token, self._after = app, token, after
        self._task: asyncio.Task[None] | None = None
        self._gone = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": "/api/v1/stream",
            "raw_path": b"/api/v1/stream",
            "query_string": f"after={self._after}".encode(),
            "root_path": "",
            "headers": [(b"authorization", f"Bearer {self._token}".encode())],
            "client": ("127.0.0.1", 1),
            "server": ("profile", 80),
        }
        asked = False

        async def receive() -> dict[str, Any]:
            nonlocal asked
            if not asked:
                asked = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await self._gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                self.events += message.get("body", b"").count(b"\nevent: ")

        await self._app(scope, receive, send)

    async def stop(self) -> None:
        self._gone.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


async def _file_round(
    client: httpx.AsyncClient, headers: dict[str, str], bodies: Sequence[bytes]
) -> int:
    answers = await asyncio.gather(
        *(client.post("/api/v1/notices", content=b, headers=headers) for b in bodies)
    )
    conflicts = 0
    for answer in answers:
        if answer.status_code != 201:
            raise RuntimeError(f"HTTP {answer.status_code}: {answer.text[:500]}")
        conflicts += len(answer.json()["conflicts"])
    return conflicts


async def _file(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    bodies: Sequence[bytes],
    clients: int,
    after_round: Callable[[], None] | None = None,
) -> tuple[list[float], int]:
    """Per-notice seconds of each round, and the conflicts answered."""
    per_notice: list[float] = []
    conflicts = 0
    for start in range(0, len(bodies), clients):
        chunk = bodies[start : start + clients]
        t0 = time.perf_counter()
        conflicts += await _file_round(client, headers, chunk)
        if after_round is not None:
            after_round()
        per_notice.append((time.perf_counter() - t0) / len(chunk))
    return per_notice, conflicts


class CatchUp:
    """The watching party's stream read on this thread, up to the head after each round: what
    the live stream's reads cost, where cProfile sees it (it reads in a worker thread)."""

    def __init__(self, services: Services, token: str) -> None:
        member = services.mechanism.authenticate(token)
        assert member is not None
        own = replace(services, pages=Pages())  # nothing presented yet for this reader
        self._who = Caller(member, own, None, "GET", "/api/v1/stream")
        self._position = services.store.head()
        self.events = 0

    def __call__(self) -> None:
        while True:
            last, items = log_routes._page(self._who, self._position)
            if last == self._position:
                return
            self.events += log_routes._frames(items).count("\nevent: ")
            self._position = last


def _payloads(make: Make, first: int, count: int) -> list[bytes]:
    return [json.dumps(make(first + i), separators=(",", ":")).encode() for i in range(count)]


def _stats(profile: cProfile.Profile, top: int, save: Path | None) -> str:
    if save is not None:
        profile.dump_stats(save)
    out = io.StringIO()
    for order in ("cumulative", "tottime"):
        out.write(f"\n-- top {top} by {order} --\n")
        stats = pstats.Stats(profile, stream=out)
        stats.strip_dirs().sort_stats(order).print_stats(top)
    return out.getvalue()


@contextlib.asynccontextmanager
async def _served(db: Path, clock_file: Path) -> AsyncIterator[Any]:
    """The app as ``deconflict serve`` composes it, its lifespan running."""
    clock_file.write_text(_iso(NOW), encoding="utf-8")
    app, store = build_server(
        ServeSettings(db=str(db), clock_file=str(clock_file), deadline_every_s=3600.0)
    )
    try:
        async with app.router.lifespan_context(app):
            yield app
    finally:
        store.close()


@dataclass(frozen=True)
class Plan:
    notices: int  # per scenario and pass
    clients: int  # requests in flight at once
    profile: bool
    top: int
    stream: bool  # Russia's stream read meanwhile
    save: Path | None  # keep the cProfile data here (<scenario>.prof)


async def _scenario(
    app: Any,
    client: httpx.AsyncClient,
    tokens: dict[str, str],
    scenario: Scenario,
    plan: Plan,
) -> Timing:
    headers = {"Authorization": f"Bearer {tokens[FILER]}", "Content-Type": "application/json"}
    timed = _payloads(scenario.make, 0, plan.notices)
    profiled = _payloads(scenario.make, plan.notices, plan.notices) if plan.profile else []
    services: Services = app.state.services
    stream = Stream(app, tokens[WATCHER], services.store.head()) if plan.stream else None
    if stream is not None:
        stream.start()
    try:
        cpu = time.process_time()
        per_notice, conflicts = await _file(client, headers, timed, plan.clients)
        await asyncio.sleep(0.2)  # let the stream catch up before counting
        cpu = time.process_time() - cpu
    finally:
        if stream is not None:
            await stream.stop()
    timing = Timing(
        scenario.name,
        plan.notices,
        statistics.median(per_notice) * 1e3,
        cpu / plan.notices * 1e3,
        conflicts / plan.notices,
        stream.events if stream else 0,
    )
    if plan.profile:
        catch_up = CatchUp(services, tokens[WATCHER]) if plan.stream else None
        profiler = cProfile.Profile()
        profiler.enable()
        await _file(client, headers, profiled, plan.clients, catch_up)
        profiler.disable()
        save = plan.save / f"{scenario.name.replace(' ', '-')}.prof" if plan.save else None
        timing.profile = _stats(profiler, plan.top, save)
    return timing


async def run_async(prepared: Prepared, scenarios: Sequence[Scenario], plan: Plan) -> list[Timing]:
    timings: list[Timing] = []
    async with _served(prepared.db, prepared.db.with_name("clock.txt")) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://profile") as client:
            warm = PayloadWorld(99, timedelta(days=7))
            headers = {
                "Authorization": f"Bearer {prepared.tokens[FILER]}",
                "Content-Type": "application/json",
            }
            warming = _payloads(lambda n: warm.notice(f"W-{n:05d}"), 0, 2 * plan.clients)
            await _file(client, headers, warming, plan.clients)
            for scenario in scenarios:
                _log(f"scenario {scenario.name}: {plan.notices} notices, {plan.clients} in flight")
                timing = await _scenario(app, client, prepared.tokens, scenario, plan)
                _log(
                    f"  {timing.per_notice_ms:.3f} ms per notice (median over rounds), "
                    f"{timing.cpu_ms:.3f} ms CPU, "
                    f"{timing.conflicts_per_notice:.1f} conflicts per notice"
                )
                timings.append(timing)
    return timings


def scenarios(seed: int, hot: bool) -> list[Scenario]:
    normal = PayloadWorld(seed * 7_919 + 7, timedelta(days=7))
    chosen = [Scenario("normal", lambda n: normal.notice(f"PN-{n:07d}"))]
    if hot:
        spot = PayloadWorld(seed * 104_729 + 17, timedelta(days=7))
        chosen.append(Scenario("hot spot", lambda n: spot.notice(f"PH-{n:07d}", hot=True)))
    return chosen


def report(timings: Sequence[Timing], volumes: int, clients: int, stream: bool) -> str:
    lines = [
        f"# Filing in process: {volumes:,} volumes, {clients} requests in flight, "
        f"stream {'read' if stream else 'not read'}",
        "",
        "| scenario | notices | ms per notice (median) | CPU ms per notice | conflicts / notice "
        "| stream events |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for t in timings:
        lines.append(
            f"| {t.name} | {t.notices:,} | {t.per_notice_ms:.3f} | {t.cpu_ms:.3f} | "
            f"{t.conflicts_per_notice:.1f} | {t.stream_events:,} |"
        )
    for t in timings:
        if t.profile:
            lines += ["", f"## cProfile, {t.name}", "```", t.profile.strip(), "```"]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> list[Timing]:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.profile_filing", description=__doc__
    )
    parser.add_argument("--volumes", type=int, default=10_000, help="active volumes preloaded")
    parser.add_argument("--hot-volumes", type=int, default=300, help="of them, in the hot spot")
    parser.add_argument("--notices", type=int, default=1_000, help="notices per scenario and pass")
    parser.add_argument("--clients", type=int, default=16, help="requests in flight at once")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hot", action="store_true", help="also the hot-spot scenario")
    parser.add_argument("--no-profile", action="store_true", help="time only")
    parser.add_argument("--no-stream", action="store_true", help="do not read Russia's stream")
    parser.add_argument("--save", type=Path, help="keep the cProfile data in this directory")
    parser.add_argument("--top", type=int, default=30, help="functions listed per ordering")
    parser.add_argument(
        "--workdir",
        type=Path,
        help="keep the prepared store here and reuse it (default: /tmp/prof-store/v<volumes>)",
    )
    args = parser.parse_args(argv)
    if args.notices < 1 or args.clients < 1 or args.volumes < 0:
        parser.error("notices and clients positive, volumes not negative")
    workdir = args.workdir or Path(tempfile.gettempdir()) / "prof-store" / f"v{args.volumes}"
    workdir.mkdir(parents=True, exist_ok=True)
    world = PayloadWorld(args.seed, timedelta(days=7))
    prepared = _prepared(workdir, args.volumes, args.hot_volumes, world, reuse=True)
    plan = Plan(
        args.notices,
        args.clients,
        not args.no_profile,
        args.top,
        not args.no_stream,
        args.save,
    )
    if args.save is not None:
        args.save.mkdir(parents=True, exist_ok=True)
    timings = asyncio.run(run_async(prepared, scenarios(args.seed, args.hot), plan))
    print(report(timings, args.volumes, args.clients, not args.no_stream))
    return timings


if __name__ == "__main__":
    main()
