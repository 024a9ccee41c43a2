"""Live streams: Server-Sent Events per member, resumable from the last event id.

The stream is derived from the log, never from memory: after a reconnect it reads on from the
``Last-Event-ID`` it was given, so nothing is lost and nothing repeated. A notifier only wakes
the readers when a command has committed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable

__all__ = ["Notifier", "sse"]


class Notifier:
    """Wakes every waiting stream; ``notify`` may be called from any thread."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop, self._event = loop, asyncio.Event()

    def notify(self) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            here = asyncio.get_running_loop()
        except RuntimeError:
            here = None
        if here is loop:
            self._pulse()
        else:
            loop.call_soon_threadsafe(self._pulse)

    def _pulse(self) -> None:
        if self._event is not None:
            self._event.set()
            self._event = asyncio.Event()

    def ticket(self) -> asyncio.Event | None:
        """Take before reading: a commit made after it wakes ``wait`` even if it came before
        the wait began (no lost wake-up between reading and waiting)."""
        return self._event

    async def wait(self, timeout: float, ticket: asyncio.Event | None = None) -> bool:
        """True when woken by a commit, False when the timeout ran out."""
        event = ticket or self._event
        if event is None:
            await asyncio.sleep(timeout)
            return False
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return False
        return True


def _frame(seq: int, kind: str, payload: dict[str, object]) -> str:
    return f"id: {seq}\nevent: {kind}\ndata: {json.dumps(payload, separators=(',', ':'))}\n\n"


async def sse(
    after: int,
    read: Callable[[int], tuple[int, list[tuple[int, str, dict[str, object]]]]],
    notifier: Notifier,
    heartbeat_s: float = 15.0,
) -> AsyncIterator[str]:
    """Frames for every item after ``after``; ``read(after)`` returns (new head, items)."""
    yield ": deconflict stream\n\n"
    while True:
        ticket = notifier.ticket()
        head, items = await asyncio.to_thread(read, after)
        for seq, kind, payload in items:
            yield _frame(seq, kind, payload)
        if head > after:
            after = head
            continue  # there may be more than one page
        if not await notifier.wait(heartbeat_s, ticket):
            yield ": keep-alive\n\n"
