"""A real `deconflict serve` process on loopback, and a Server-Sent Events reader for tests."""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

CLI = [sys.executable, "-m", "deconflict.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(*args: str) -> str:
    done = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@dataclass
class Server:
    db: Path
    clock: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def set_time(self, iso: str) -> None:
        self.clock.write_text(iso)

    def start(self) -> None:
        env = {**os.environ, "DECONFLICT_DEADLINE_EVERY_S": "0.2"}
        self.process = subprocess.Popen(
            [
                *CLI,
                "serve",
                "--db",
                str(self.db),
                "--port",
                str(self.port),
                "--clock-file",
                str(self.clock),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/openapi.json", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
            self.process = None


@dataclass
class Event:
    id: int
    kind: str
    data: dict[str, Any]


class Stream:
    """Reads a member's stream in a thread; events arrive on a queue."""

    def __init__(self, url: str, token: str, last_event_id: int | None = None) -> None:
        self.events: queue.Queue[Event] = queue.Queue()
        self.history: list[Event] = []
        self._stop = threading.Event()
        headers = {"Authorization": f"Bearer {token}"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self._thread = threading.Thread(target=self._read, args=(url, headers), daemon=True)
        self._thread.start()

    def _read(self, url: str, headers: dict[str, str]) -> None:
        try:
            self._frames(url, headers)
        except httpx.TransportError:
            return  # the server went away (a restart in the test): this stream is over

    def _frames(self, url: str, headers: dict[str, str]) -> None:
        with httpx.stream("GET", f"{url}/api/v1/stream", headers=headers, timeout=None) as response:
            fields: dict[str, str] = {}
            for line in response.iter_lines():
                if self._stop.is_set():
                    return
                if not line:
                    if "data" in fields:
                        self.events.put(
                            Event(int(fields["id"]), fields["event"], json.loads(fields["data"]))
                        )
                    fields = {}
                elif not line.startswith(":"):
                    name, _, value = line.partition(": ")
                    fields[name] = value

    def _matches(self, event: Event, kind: str, match: dict[str, Any]) -> bool:
        return event.kind == kind and all(_at(event.data, k) == v for k, v in match.items())

    def until(self, kind: str, timeout: float = 10.0, **match: Any) -> Event:
        """The first event received (or to come) of ``kind`` whose data has the given fields
        (``a__b`` for nested fields)."""
        for event in self.history:
            if self._matches(event, kind, match):
                return event
        end = time.monotonic() + timeout
        while (left := end - time.monotonic()) > 0:
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                break
            self.history.append(event)
            if self._matches(event, kind, match):
                return event
        raise AssertionError(
            f"no {kind} {match} within {timeout} s; got {[e.kind for e in self.history]}"
        )

    def drain(self, wait: float = 0.5) -> list[Event]:
        """Everything received so far, after waiting a moment for stragglers."""
        time.sleep(wait)
        while not self.events.empty():
            self.history.append(self.events.get())
        return list(self.history)

    def close(self) -> None:
        self._stop.set()


def _at(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("__"):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def iter_numbers(text: str) -> Iterator[str]:
    import re

    yield from re.findall(r"-?\d+\.\d+", text)
