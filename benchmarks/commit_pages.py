"""Pages a commit writes: how much of SQLite's write-ahead log filing a notice costs.

Run (``--workdir``: the store ``benchmarks/api.py`` prepares, kept and reused there, made if
missing — with ``--workdir /tmp/apibench`` the one its runs keep)::

    .venv/bin/python -m benchmarks.commit_pages --volumes 100000 --workdir /tmp/apibench

Every page a transaction changed is copied whole into the write-ahead log at its commit (and
later back into the database by a checkpoint): random index pages cost a page each, whatever
the row. This files new random notices of the coalition, in process, in commits of one notice
and of ``--batch`` notices (the server's group commit under load), on a copy of the prepared
store with checkpoints held off, and reports the log's growth per commit and per notice, in
frames (a page and its 24-byte header), with the process's CPU time per notice.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks.api import FILER, NOW, PRISTINE, PayloadWorld, _officer, _prepared, copy_store
from deconflict.adapters.payloads import build_command
from deconflict.bootstrap import Settings, build
from deconflict.service.clock import SimulatedClock
from deconflict.service.handlers import Request

__all__ = ["main", "Commits"]


@dataclass(frozen=True)
class Commits:
    notices_per_commit: int
    frames_per_commit: float
    frames_per_notice: float
    cpu_ms_per_notice: float


def _wal_bytes(db: Path) -> int:
    wal = Path(f"{db}-wal")
    return wal.stat().st_size if wal.exists() else 0


def main(argv: Sequence[str] | None = None) -> list[Commits]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.commit_pages", description=__doc__)
    parser.add_argument("--volumes", type=int, default=100_000, help="active volumes preloaded")
    parser.add_argument("--hot-volumes", type=int, default=300, help="of them, in the hot spot")
    parser.add_argument("--workdir", type=Path, required=True, help="the prepared store's home")
    parser.add_argument("--notices", type=int, default=320, help="notices filed per commit size")
    parser.add_argument("--batch", type=int, default=16, help="notices per commit, under load")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--hot", action="store_true", help="every notice in the hot spot (dozens of conflicts)"
    )
    args = parser.parse_args(argv)
    if args.notices < args.batch or args.batch < 1:
        parser.error("at least one notice per commit, and a batch's worth of notices")
    args.workdir.mkdir(parents=True, exist_ok=True)
    _prepared(
        args.workdir, args.volumes, args.hot_volumes, PayloadWorld(1, timedelta(days=7)), True
    )
    found: list[Commits] = []
    with tempfile.TemporaryDirectory() as scratch:
        db = Path(scratch) / "commit-pages.sqlite"
        copy_store(args.workdir / PRISTINE, db)
        # Checkpoints off the commit path and held off for the run: the log only grows.
        store, mechanism = build(Settings(str(db), checkpoint_every_s=3600), SimulatedClock(NOW))
        world = PayloadWorld(args.seed, timedelta(days=7))
        officer = _officer(FILER)

        def notice(id: str) -> dict[str, Any]:
            return world.notice(id, hot=args.hot)

        for i in range(20):  # warm-up: the page cache, and the log restarted below
            mechanism.handle(build_command("notify", world.notice(f"W-{i}")), officer)
        for batch in (1, args.batch):
            with sqlite3.connect(db) as other:
                other.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            before, started = _wal_bytes(db), time.process_time()
            commits = args.notices // batch
            for first in range(0, commits * batch, batch):
                mechanism.handle_all(
                    [
                        Request(build_command("notify", notice(f"X{batch}-{n}")), officer)
                        for n in range(first, first + batch)
                    ]
                )
            cpu = time.process_time() - started
            frames = (_wal_bytes(db) - before) / (4096 + 24)
            notices = commits * batch
            found.append(Commits(batch, frames / commits, frames / notices, cpu / notices * 1000))
        store.close()
    where = "in the hot spot" if args.hot else "spread"
    print(f"# Pages per commit: {args.volumes:,} volumes, {args.notices} notices {where} per row")
    print("| notices per commit | frames per commit | frames per notice | CPU ms per notice |")
    print("|---:|---:|---:|---:|")
    for c in found:
        print(
            f"| {c.notices_per_commit} | {c.frames_per_commit:.1f} | {c.frames_per_notice:.1f} "
            f"| {c.cpu_ms_per_notice:.2f} |"
        )
    return found


if __name__ == "__main__":
    main()
