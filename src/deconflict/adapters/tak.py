"""A party's picture streamed live to TAK clients over TCP, and pushed to a TAK server.

:class:`CotFeed` keeps the party's current picture (``formats.cot.picture`` of what
``select`` gives it, from now on) and answers what changed since it last looked: it reads the
store again only when the log's head has moved or when a shape's window has run out, so an
idle feed costs one ``head()`` per poll. :class:`TakServer` sends each TAK client that
connects the whole picture and then every change, and optionally pushes the same to a TAK
server as a client through pytak's TX worker (reconnecting, with the whole picture again).
What a client sends (its own position, pings) is read and dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from configparser import ConfigParser
from dataclasses import dataclass, field

# pytak warns at import about its extras for TLS and HTTP, which a push over TCP needs not.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    import pytak  # type: ignore[import-untyped]

from ..service.ports import Clock, Store
from ..service.selection import Selection, select
from .formats.cot import Picture, changes, picture

__all__ = ["CotFeed", "TakServer"]

LOG = logging.getLogger("deconflict.tak")


@dataclass
class CotFeed:
    """The party's CoT picture, as of the last look at the store."""

    store: Store
    clock: Clock
    party: str
    selection: Selection = field(default_factory=Selection)
    current: Picture = field(default_factory=dict)
    _head: int = field(default=-1, init=False)

    def snapshot(self) -> list[bytes]:
        """Every event of the current picture (what a client that just connected needs)."""
        now = self.clock.now()
        return [event.xml(now) for event in self.current.values()]

    def look(self) -> tuple[int, Picture] | None:
        """The picture now, when it may differ from the current one (the log grew or a shape
        expired), else None. Reads the store; meant for a worker thread."""
        now = self.clock.now()
        head = self.store.head()
        expired = any(event.stale <= now for event in self.current.values())
        if head == self._head and not expired:
            return None
        window = Selection(
            kinds=self.selection.kinds,
            owners=self.selection.owners,
            start=now,
            end=self.selection.end,
        )
        with self.store.read() as tx:
            seen = select(tx, self.party, window)
        return head, picture(seen, window)

    def advance(self, head: int, after: Picture) -> list[bytes]:
        """Take ``after`` as the current picture; the events that bring a client up to it."""
        moves = changes(self.current, after, self.clock.now())
        self._head, self.current = head, after
        return moves


class TakServer:
    """Streams one party's feed to every TAK client that connects, and to a TAK server."""

    def __init__(self, feed: CotFeed, poll_s: float = 0.5, retry_s: float = 5.0) -> None:
        self.feed = feed
        self.poll_s = poll_s
        self.retry_s = retry_s
        self._clients: set[asyncio.StreamWriter] = set()
        self._pushes: set[asyncio.Queue[bytes]] = set()

    async def run(self, host: str, port: int, push: str | None = None) -> None:
        """Serve until cancelled."""
        await self._refresh()  # the picture before anyone connects
        server = await asyncio.start_server(self._serve_client, host, port)
        tasks = [asyncio.create_task(self._follow())]
        if push:
            tasks.append(asyncio.create_task(self._push(push)))
        LOG.info("streaming %s's picture on %s:%d", self.feed.party, host, port)
        try:
            async with server:
                await server.serve_forever()
        finally:
            for task in tasks:
                task.cancel()
            for writer in list(self._clients):
                writer.close()

    async def _refresh(self) -> None:
        found = await asyncio.to_thread(self.feed.look)
        if found is None:
            return
        # Taken on the loop, between client connections: a client gets the picture it was
        # sent and then exactly the changes after it.
        self._send(self.feed.advance(*found))

    async def _follow(self) -> None:
        while True:
            await asyncio.sleep(self.poll_s)
            try:
                await self._refresh()
            except Exception:  # a store hiccup must not end the stream; the next poll retries
                LOG.exception("reading the store failed")

    def _send(self, events: list[bytes]) -> None:
        if not events:
            return
        for writer in list(self._clients):
            if writer.is_closing():
                self._clients.discard(writer)
                continue
            writer.writelines(events)
        for queue in self._pushes:
            for event in events:
                queue.put_nowait(event)

    async def _serve_client(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        writer.writelines(self.feed.snapshot())
        self._clients.add(writer)
        try:
            await writer.drain()
            while await reader.read(65536):  # what the client says is not for us
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self._clients.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()

    async def _push(self, url: str) -> None:
        """Push the picture and its changes to a TAK server (``tcp://host:port``) through
        pytak's TX worker; after a dropped connection, connect again and send it all again."""
        config = ConfigParser()
        config["deconflict"] = {"COT_URL": url, "TAK_PROTO": "0"}
        while True:
            queue: asyncio.Queue[bytes] = asyncio.Queue()
            for event in self.feed.snapshot():
                queue.put_nowait(event)
            self._pushes.add(queue)
            try:
                worker = await pytak.txworker_factory(queue, config["deconflict"])
                LOG.info("pushing %s's picture to %s", self.feed.party, url)
                await worker.run()
            except (ConnectionError, OSError) as exc:
                LOG.warning("pushing to %s failed (%s); again in %.0f s", url, exc, self.retry_s)
            finally:
                self._pushes.discard(queue)
            await asyncio.sleep(self.retry_s)
