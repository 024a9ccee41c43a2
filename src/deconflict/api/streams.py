"""Live streams: Server-Sent Events per member, resumable from the last event id.

The stream is derived from the log, never from memory: after a reconnect it reads on from the
``Last-Event-ID`` it was given, so nothing is lost and nothing repeated. A notifier only wakes
the readers when a command has committed.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Hashable
from typing import Any

from .encoding import dumps_text

__all__ = ["Notifier", "Pages", "frames", "sse"]


class Pages:
    """Pages of the log already presented, shared by the streams that read the same range for
    the same party: a commit wakes every member's stream of a party and each would otherwise
    read, check and present the same entries again. The first reader of a range makes it
    while the others wait for it."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._made: OrderedDict[Hashable, Any] = OrderedDict()
        self._making: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._made:
                return self._made[key]
            making = self._making.setdefault(key, threading.Lock())
        with making:
            with self._lock:
                if key in self._made:
                    return self._made[key]
            page = make()
            with self._lock:
                self._made[key] = page
                self._making.pop(key, None)
                while len(self._made) > self._size:
                    self._made.popitem(last=False)
        return page


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


def frames(items: list[tuple[int, str, dict[str, object]]]) -> str:
    """Server-Sent Events frames, one per item (``id``, ``event``, ``data``), as one chunk."""
    return "".join(
        f"id: {seq}\nevent: {kind}\ndata: {dumps_text(payload)}\n\n" for seq, kind, payload in items
    )


async def sse(
    after: int,
    read: Callable[[int], tuple[int, str, bool]],
    notifier: Notifier,
    heartbeat_s: float = 15.0,
    poll_s: float = 0.5,
    read_recent: Callable[[int], tuple[int, str, bool] | None] | None = None,
) -> AsyncIterator[str]:
    """The stream after ``after``: ``read(after)`` returns (new position, the frames up to it,
    whether that is the head), written as one chunk per read. A commit of this process wakes
    it at once; what another process commits to the same store is seen within ``poll_s``; a
    keep-alive comment goes out when nothing came for ``heartbeat_s``. A read that reached the
    head is not followed by another until something wakes the stream: one read per commit (the
    head asked once), where reading on until a read came back empty asked it three times, from
    two thread hops. ``read_recent``, if given, is tried first, on the loop itself: it reads
    what the process holds in memory (the page just committed) and returns None when the
    page must be read from the store, in a thread."""
    yield ": deconflict stream\n\n"
    quiet = 0.0
    while True:
        ticket = notifier.ticket()
        got = read_recent(after) if read_recent is not None else None
        after, chunk, reached = got if got is not None else await asyncio.to_thread(read, after)
        if chunk:
            yield chunk
            quiet = 0.0
        if not reached:
            continue  # more than a read's pages behind
        # A commit since the ticket was taken (before the read) ends the wait at once.
        if not await notifier.wait(poll_s, ticket):
            quiet += poll_s
            if quiet >= heartbeat_s:
                yield ": keep-alive\n\n"
                quiet = 0.0
