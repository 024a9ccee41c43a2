"""`deconflict cot serve` as a real process on loopback, received by a real TAK client library
(pytak's RX worker), and pushing to a TAK server stand-in through pytak's TX worker.

The party's picture arrives; another party's undisclosed declaration never does, not even
live; a notice filed later arrives live, and its cancellation and another's expiry arrive as
``t-x-d-d`` deletions naming it."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from configparser import ConfigParser
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
import xmlschema

from deconflict.adapters.payloads import build_command
from deconflict.adapters.scenario import bundled
from deconflict.bootstrap import Settings, build
from deconflict.service.clock import SimulatedClock
from deconflict.service.handlers import Deconfliction

from .service import CLI, cli, free_port

with warnings.catch_warnings():  # pytak names its optional extras (TLS, HTTP) at import
    warnings.simplefilter("ignore", UserWarning)
    import pytak  # type: ignore[import-untyped]

SCHEMA = xmlschema.XMLSchema(Path(__file__).parents[1] / "data" / "cot-event-2.0.xsd")
NOW = datetime(2017, 9, 16, 9, 0, tzinfo=UTC)
HIDDEN = "sdf-ne-deir-ez-zor"  # the coalition's SDF position, never disclosed to russia


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("cot") / "seed.sqlite"
    cli("replay", str(bundled("deir-ez-zor-2017.yaml")), "--db", str(db))
    return db


@dataclass
class CotServe:
    db: Path
    clock: Path
    push: int
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *CLI,
                "cot",
                "serve",
                "--party",
                "russia",
                "--port",
                str(self.port),
                "--db",
                str(self.db),
                "--clock-file",
                str(self.clock),
                "--poll",
                "0.2",
                "--push",
                f"tcp://127.0.0.1:{self.push}",
            ],
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def stop(self) -> str:
        assert self.process is not None
        self.process.terminate()
        try:
            _, err = self.process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate(timeout=15)
        return err


class TakClient:
    """A TAK client: pytak's TCP client and RX worker, the events parsed as they come."""

    def __init__(self, port: int) -> None:
        config = ConfigParser()
        config["client"] = {"COT_URL": f"tcp://127.0.0.1:{port}"}
        self.config = config["client"]
        self.queue: asyncio.Queue[bytes] = asyncio.Queue()
        self.seen: list[ET.Element] = []

    async def connect(self) -> None:
        for _ in range(300):  # the process imports and opens its store first
            try:
                reader, self.writer = await pytak.protocol_factory(self.config)
                break
            except OSError:
                await asyncio.sleep(0.1)
        else:
            raise AssertionError("cot serve did not listen")
        self._task = asyncio.create_task(pytak.RXWorker(self.queue, self.config, reader).run())

    async def until(self, match: str, timeout: float = 10.0) -> ET.Element:
        """The first event received whose uid (or, for a deletion, the uid it deletes) is
        ``match``."""
        for event in self.seen:
            if _about(event) == match:
                return event
        try:
            async with asyncio.timeout(timeout):
                while True:
                    data = await self.queue.get()
                    SCHEMA.validate(data.decode().strip())
                    event = ET.fromstring(data.strip())
                    self.seen.append(event)
                    if _about(event) == match:
                        return event
        except TimeoutError:
            raise AssertionError(f"no {match} in {[_about(e) for e in self.seen]}") from None

    async def drain(self, wait: float = 1.0) -> None:
        await asyncio.sleep(wait)
        while not self.queue.empty():
            self.seen.append(ET.fromstring((await self.queue.get()).strip()))


def _about(event: ET.Element) -> str | None:
    if event.get("type") == "t-x-d-d":
        link = event.find("detail/link")
        return None if link is None else f"deleted:{link.get('uid')}"
    return event.get("uid")


class TakServerStandIn:
    """Accepts pytak's push and keeps what it sends."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received = b""

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def _serve(self, reader: asyncio.StreamReader, _: asyncio.StreamWriter) -> None:
        while chunk := await reader.read(65536):
            self.received += chunk


def _notice(notice_id: str, start: str, end: str) -> dict[str, object]:
    return {
        "id": notice_id,
        "line": "hotline-air",
        "kind": "air_transit",
        "volumes": [
            {
                "footprint": {"shape": "circle", "centre": "35.30N 40.10E", "radius_m": 4000},
                "lower": "FL100",
                "upper": "FL150",
                "start": start,
                "end": end,
            }
        ],
    }


def _declaration(declaration_id: str, disclosed_to: list[str]) -> dict[str, object]:
    return {
        "id": declaration_id,
        "kind": "site",
        "footprint": {"shape": "circle", "centre": "35.45N 40.30E", "radius_m": 500},
        "start": "160900ZSEP17",
        "disclosed_to": disclosed_to,
    }


def _run(mechanism: Deconfliction, action: str, payload: dict[str, object], actor: str) -> None:
    mechanism.handle(build_command(action, payload), actor)


@pytest.fixture
def world(seeded: Path, tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    db = tmp_path / "world.sqlite"
    with closing(sqlite3.connect(seeded)) as source, closing(sqlite3.connect(db)) as copy:
        source.backup(copy)  # the write-ahead log's pages too
    clock = tmp_path / "clock"
    clock.write_text(NOW.isoformat())
    yield db, clock


def test_a_tak_client_gets_the_picture_and_its_changes_live(world: tuple[Path, Path]) -> None:
    db, clock = world
    store, mechanism = build(Settings(str(db)), SimulatedClock(NOW))

    async def scenario() -> None:
        tak_server = TakServerStandIn()
        await tak_server.start()
        serve = CotServe(db, clock, tak_server.port)
        serve.start()
        try:
            client = TakClient(serve.port)
            await client.connect()
            # The picture: russia's own strike notice, the line, a declaration disclosed to it.
            for uid in (
                "deconflict.notice.ru-strike-0916.1",
                "deconflict.measure.euphrates-line",
                "deconflict.declaration.sdf-conoco",
            ):
                await client.until(uid)
            # Live: an undisclosed declaration is recorded before a disclosed one; only the
            # disclosed one may arrive.
            _run(mechanism, "declare", _declaration("co-hidden-site", []), "coalition-ground")
            _run(
                mechanism, "declare", _declaration("co-shown-site", ["russia"]), "coalition-ground"
            )
            await client.until("deconflict.declaration.co-shown-site")
            # A notice filed now arrives; its cancellation deletes it.
            _run(
                mechanism,
                "notify",
                _notice("ru-transit-a", "161300ZSEP17", "161400ZSEP17"),
                "russia-air",
            )
            filed = await client.until("deconflict.notice.ru-transit-a.1")
            assert filed.get("start") == "2017-09-16T13:00:00.000Z"
            _run(mechanism, "cancel", {"id": "ru-transit-a", "reason": "not needed"}, "russia-air")
            deleted = await client.until("deleted:deconflict.notice.ru-transit-a.1")
            link = deleted.find("detail/link")
            assert link is not None and link.get("type") == filed.get("type")
            # Another expires: when the clock passes its end, it is deleted.
            _run(
                mechanism,
                "notify",
                _notice("ru-transit-b", "160930ZSEP17", "161000ZSEP17"),
                "russia-air",
            )
            await client.until("deconflict.notice.ru-transit-b.1")
            clock.write_text("2017-09-16T10:00:01Z")
            await client.until("deleted:deconflict.notice.ru-transit-b.1")
            await client.drain()
            leaked = [e for e in client.seen if HIDDEN in ET.tostring(e).decode()]
            leaked += [e for e in client.seen if "co-hidden-site" in ET.tostring(e).decode()]
            assert leaked == []
            # The TAK server got the same picture pushed, through pytak's TX worker.
            for _ in range(50):
                if b"deconflict.notice.ru-transit-b.1.delete" in tak_server.received:
                    break
                await asyncio.sleep(0.1)
            pushed = tak_server.received.decode()
            assert "deconflict.declaration.co-shown-site" in pushed
            assert "deconflict.notice.ru-transit-b.1.delete" in pushed
            assert HIDDEN not in pushed and "co-hidden-site" not in pushed
        finally:
            errors = serve.stop()
            tak_server.server.close()
        assert "Traceback" not in errors, errors

    try:
        asyncio.run(scenario())
    finally:
        store.close()
