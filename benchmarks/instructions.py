"""Instructions per notice filed, counted by callgrind: a comparison of builds that the noise
of a shared machine does not move.

Run (valgrind from Debian's package; about four minutes, the builds side by side)::

    .venv/bin/python -m benchmarks.instructions --workdir /tmp/instructions \\
        --build /path/to/older/checkout/src --build src

Wall-clock benchmarks on these machines swing by 15-30 % from one run to the next, which hides
a change of a few per cent. Callgrind counts the instructions a process executes instead:
the same count for the same program and input, whatever else the machine does (seen here to
within 1 %). It runs the program some fifty times slower, so the store is small.

Each ``--build`` (a ``src`` directory holding ``deconflict``) runs in a process of its own
under ``valgrind --tool=callgrind``, on its own copy of one prepared store (``--volumes``, with
the hot spot of ``benchmarks/api.py``; prepared by the first build, which must be the oldest:
a newer build migrates its copy when it opens it, and its write-ahead log is then checkpointed
before anything is counted). In process, as ``benchmarks/profile_filing.py`` composes it:
the app as ``deconflict serve`` builds it with its lifespan, Russia's stream read meanwhile,
16 requests in flight. Counting starts after a warm-up and covers two phases, each dumped on
its own: ``--normal`` notices spread as in scenario (a), then ``--hot`` notices in the 1 km²
hot spot (c). The counts include the in-process client's work (httpx building requests and
parsing answers): the same for every build, so differences between builds are the server's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

__all__ = ["main"]

ROOT = Path(__file__).resolve().parents[1]
PHASES = ("normal", "hot")


def _flag(work: Path, name: str) -> None:
    (work / name).touch()


def _wait(work: Path, name: str, process: subprocess.Popen[bytes] | None = None) -> None:
    while not (work / name).exists():
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the counted process ended early: see {work / 'child.log'}")
        time.sleep(0.2)


def _child(work: Path, normal: int, hot: int) -> None:
    """Runs under callgrind: serve in process, file the phases, flag each one's end."""
    import httpx

    from benchmarks.api import FILER, WATCHER, PayloadWorld
    from benchmarks.profile_filing import Stream, _file, _served

    tokens = json.loads((work / "tokens.json").read_text(encoding="utf-8"))
    db = work / "store.sqlite"

    def bodies(make: Callable[[int], dict[str, Any]], count: int) -> list[bytes]:
        return [json.dumps(make(i), separators=(",", ":")).encode() for i in range(count)]

    spread, spot = PayloadWorld(11, timedelta(days=7)), PayloadWorld(13, timedelta(days=7))
    warm = bodies(lambda i: spread.notice(f"W-{i:05d}"), 48)
    phases = [
        bodies(lambda i: spread.notice(f"N-{i:05d}"), normal),
        bodies(lambda i: spot.notice(f"H-{i:05d}", hot=True), hot),
    ]
    headers = {"Authorization": f"Bearer {tokens[FILER]}", "Content-Type": "application/json"}

    async def run() -> None:
        async with _served(db, work / "clock.txt") as app:
            stream = Stream(app, tokens[WATCHER], app.state.services.store.head())
            stream.start()
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://count") as client:
                await _file(client, headers, warm, 16)
                await asyncio.sleep(0.5)
                with sqlite3.connect(db) as other:  # a migration's pages: not counted
                    other.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                _flag(work, "ready")
                for name, payloads in zip(PHASES, phases, strict=True):
                    _wait(work, f"go-{name}")
                    await _file(client, headers, payloads, 16)
                    await asyncio.sleep(0.3)  # the stream catches up
                    _flag(work, f"done-{name}")
                _wait(work, "exit")  # running until the last dump is written
            await stream.stop()

    asyncio.run(run())


def _count(build: Path, work: Path, normal: int, hot: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=f"{build}{os.pathsep}{ROOT}")
    command = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={work / 'callgrind.out'}",
        sys.executable,
        "-m",
        "benchmarks.instructions",
        "--child",
        str(work),
        "--normal",
        str(normal),
        "--hot",
        str(hot),
    ]
    log = (work / "child.log").open("wb")
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work)


def _control(process: subprocess.Popen[bytes], *args: str) -> None:
    subprocess.run(["callgrind_control", *args, str(process.pid)], check=True, capture_output=True)


def _total(dump: Path) -> int:
    found = re.search(r"^totals: (\d+)", dump.read_text(encoding="utf-8"), re.MULTILINE)
    if found is None:
        raise RuntimeError(f"no totals in {dump}")
    return int(found.group(1))


def _prepare(build: Path, base: Path, volumes: int, hot: int) -> None:
    """The prepared store, made (once, kept in ``base``) by ``build``."""
    code = (
        "from datetime import timedelta; from pathlib import Path; "
        "from benchmarks.api import PayloadWorld, _prepared; "
        f"_prepared(Path({str(base)!r}), {volumes}, {hot}, PayloadWorld(1, timedelta(days=7)), "
        "True)"
    )
    env = dict(os.environ, PYTHONPATH=f"{build}{os.pathsep}{ROOT}")
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=base)


def main(argv: Sequence[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.instructions", description=__doc__)
    parser.add_argument("--workdir", type=Path, help="the prepared store and the counts")
    parser.add_argument(
        "--build", type=Path, action="append", help="a src directory (repeat; the oldest first)"
    )
    parser.add_argument("--volumes", type=int, default=10_000, help="active volumes preloaded")
    parser.add_argument("--hot-volumes", type=int, default=300, help="of them, in the hot spot")
    parser.add_argument("--normal", type=int, default=200, help="notices spread, counted")
    parser.add_argument("--hot", type=int, default=40, help="notices in the hot spot, counted")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        _child(args.child, args.normal, args.hot)
        return {}
    if args.workdir is None or args.normal < 1 or args.hot < 1:
        parser.error("--workdir, and at least one notice per phase")
    if shutil.which("valgrind") is None:
        parser.error("valgrind is not installed (apt-get install valgrind)")
    builds = [b.resolve() for b in (args.build or [ROOT / "src"])]
    base = args.workdir.resolve() / f"v{args.volumes}-h{args.hot_volumes}"
    base.mkdir(parents=True, exist_ok=True)
    _prepare(builds[0], base, args.volumes, args.hot_volumes)
    kept = json.loads((base / "prepared.json").read_text(encoding="utf-8"))
    runs = []
    for i, build in enumerate(builds):
        work = args.workdir.resolve() / f"build-{i}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        shutil.copyfile(base / "pristine.sqlite", work / "store.sqlite")
        (work / "tokens.json").write_text(json.dumps(kept["tokens"]), encoding="utf-8")
        runs.append((build, work, _count(build, work, args.normal, args.hot)))
    for _, work, process in runs:  # every build counted over the same stretch of time
        _wait(work, "ready", process)
    for _, _, process in runs:
        _control(process, "--zero")
        _control(process, "--instr=on")
    for name in PHASES:
        for _, work, _ in runs:
            _flag(work, f"go-{name}")
        for _, work, process in runs:
            _wait(work, f"done-{name}", process)
            _control(process, f"--dump={name}")
    for _, work, process in runs:
        _control(process, "--instr=off")
        _flag(work, "exit")
    counts: dict[str, dict[str, float]] = {}
    for build, work, process in runs:
        if process.wait() != 0:
            raise RuntimeError(f"the counted process failed: see {work / 'child.log'}")
        dumps = sorted(work.glob("callgrind.out.*"), key=lambda p: int(p.suffix[1:]))
        totals = [_total(d) for d in dumps]
        counts[str(build)] = {
            "normal": totals[0] / args.normal,
            "hot": totals[1] / args.hot,
        }
    print(f"# Instructions per notice filed: {args.volumes:,} volumes, callgrind")
    print("| build | spread (a) | hot spot (c) |")
    print("|---|---:|---:|")
    for build, found in counts.items():
        print(f"| {build} | {found['normal'] / 1e6:.2f} M | {found['hot'] / 1e6:.2f} M |")
    return counts


if __name__ == "__main__":
    main()
