"""A party's picture streamed live to TAK clients over TCP, and pushed to a TAK server (over
TCP, or TLS with a client certificate as TAK Server's port 8089 asks).

:class:`CotFeed` keeps the party's current picture (``formats.cot.picture`` of what
``select`` gives it, from now on) and answers what changed since it last looked: it reads the
store again only when the log's head has moved or when a shape's window has run out, so an
idle feed costs one ``head()`` per poll. :class:`TakServer` sends each TAK client that
connects the whole picture and then every change, and optionally pushes the same to a TAK
server as a client through pytak's TX worker (reconnecting, with the whole picture again).
:class:`Push` says where and with which credentials.
What a client sends (its own position, pings) is read and dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Coroutine
from configparser import ConfigParser, SectionProxy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# pytak warns at import about its optional extras (takproto, aiohttp), which we do not use.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    import pytak  # type: ignore[import-untyped]
    from pytak.client_functions import get_ssl_ctx, get_tls_config  # type: ignore[import-untyped]

from ..domain.errors import InvalidInput
from ..service.ports import Clock, Store
from ..service.selection import Selection, select
from .formats.cot import Picture, changes, picture

__all__ = ["CotFeed", "Push", "TakServer"]

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


@dataclass(frozen=True)
class Push:
    """Where to push the picture: ``tcp://host:port``, or ``tls://host:port`` with the client's
    certificate — PEM (``cert`` and ``key``) or PKCS#12 (``cert`` ending ``.p12``, with its
    ``password``), as a TAK Server's enrolment or data package gives it — and the CA that
    signed the server's certificate (``ca``; else the system's). The server's name is checked
    against its certificate unless ``check_hostname`` is off (TAK servers reached by address
    often carry a certificate for their name only); the certificate itself always is."""

    url: str
    cert: Path | None = None
    key: Path | None = None
    ca: Path | None = None
    password: str | None = None
    check_hostname: bool = True

    def __post_init__(self) -> None:
        scheme = self.url.partition("://")[0]
        if scheme not in ("tcp", "tls") or not self.url.partition("://")[2]:
            raise InvalidInput(
                f"{self.url!r}: push to a TAK server as tcp://host:port or tls://host:port",
                field="push",
            )
        if scheme == "tls" and self.cert is None:
            raise InvalidInput(
                "a push over TLS needs the client's certificate (--push-cert)", field="push_cert"
            )
        # Not the password: it may come from the environment, set for every command.
        if scheme == "tcp" and (self.cert or self.key or self.ca):
            raise InvalidInput(
                "certificates are for tls:// pushes; this one is tcp://", field="push"
            )
        for name in ("cert", "key", "ca"):
            path = getattr(self, name)
            if path is not None and not path.is_file():
                raise InvalidInput(f"no such file: {path}", field=f"push_{name}")
        if self.cert is not None and self.cert.suffix != ".p12" and self.key is None:
            raise InvalidInput(
                "a PEM certificate needs its private key (--push-key); a .p12 holds both",
                field="push_key",
            )
        if scheme == "tls":
            self._load()

    def section(self) -> SectionProxy:
        """pytak's configuration for this push."""
        options = {
            "PYTAK_TLS_CLIENT_CERT": self.cert,
            "PYTAK_TLS_CLIENT_KEY": self.key,
            "PYTAK_TLS_CLIENT_CAFILE": self.ca,
            "PYTAK_TLS_CLIENT_PASSWORD": self.password,
            "PYTAK_TLS_DONT_CHECK_HOSTNAME": None if self.check_hostname else "1",
        }
        config = ConfigParser(interpolation=None)
        config["deconflict"] = {"COT_URL": self.url, "TAK_PROTO": "0"} | {
            k: str(v) for k, v in options.items() if v is not None
        }
        return config["deconflict"]

    def _load(self) -> None:
        """Load the certificates as the push will (pytak's TLS context), so a wrong password
        or a key that is not the certificate's is said now, not at every reconnection."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # "hostname check disabled"
                get_ssl_ctx(get_tls_config(self.section()))
        except (ValueError, SyntaxError, OSError) as exc:
            cause = exc.__cause__ or exc
            raise InvalidInput(
                f"cannot use the client certificate {self.cert} (with --push-key and "
                f"--push-password, --push-ca): {cause}",
                field="push_cert",
            ) from None


class TakServer:
    """Streams one party's feed to every TAK client that connects, and to a TAK server."""

    def __init__(self, feed: CotFeed, poll_s: float = 0.5, retry_s: float = 5.0) -> None:
        self.feed = feed
        self.poll_s = poll_s
        self.retry_s = retry_s
        self._clients: set[asyncio.StreamWriter] = set()
        self._pushes: set[asyncio.Queue[bytes]] = set()

    async def run(self, host: str, port: int, push: Push | None = None) -> None:
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

    async def _push(self, push: Push) -> None:
        """Push the picture and its changes to a TAK server through pytak's TX worker, while
        reading (and dropping) what the server sends, so a connection it closes — or a client
        certificate it refused after the handshake — is noticed at once, not at the next
        change; then connect again and send it all again."""
        section, url = push.section(), push.url
        while True:
            queue: asyncio.Queue[bytes] = asyncio.Queue()
            for event in self.feed.snapshot():
                queue.put_nowait(event)
            self._pushes.add(queue)
            writer = None
            try:
                reader, writer = await pytak.protocol_factory(section)
                LOG.info("pushing %s's picture to %s", self.feed.party, url)
                await _first_to_end(pytak.TXWorker(queue, section, writer).run(), _drain(reader))
            except (ConnectionError, OSError) as exc:
                LOG.warning("pushing to %s failed (%s); again in %.0f s", url, exc, self.retry_s)
            except SyntaxError as exc:  # pytak's word for a certificate it could not verify
                LOG.warning("pushing to %s: %s; again in %.0f s", url, exc.msg, self.retry_s)
            finally:
                self._pushes.discard(queue)
                if writer is not None:
                    writer.close()
            await asyncio.sleep(self.retry_s)


async def _drain(reader: asyncio.StreamReader) -> None:
    """Read until the other side closes; then say so."""
    while await reader.read(65536):
        pass
    raise ConnectionError("the TAK server closed the connection")


async def _first_to_end(*jobs: Coroutine[Any, Any, None]) -> None:
    """Run the jobs until one ends (its error raised), the others cancelled."""
    tasks = [asyncio.ensure_future(job) for job in jobs]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()
    finally:
        for task in tasks:
            task.cancel()
