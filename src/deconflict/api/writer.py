"""Commands from every request, many to a transaction (group commit), on the event loop.

A request queues its command and waits; the first one queued schedules a flush, which runs
once the loop has read the other requests that are ready and writes everything queued by then
as one batch — one transaction, one commit — so under load a commit's cost is shared by the
batch. Each command is still all or nothing on its own (``Deconfliction.handle_all``).

The batch runs on the loop's own thread: the work is Python under one interpreter lock, and
handing it to another thread only adds the wait for that lock to every SQLite call.
"""

from __future__ import annotations

import asyncio
import logging

from ..service.handlers import Deconfliction, Done, Request
from .streams import Notifier

__all__ = ["Writer"]

LOG = logging.getLogger("deconflict.api")


class Writer:
    def __init__(self, mechanism: Deconfliction, notifier: Notifier, batch: int = 64) -> None:
        self._mechanism = mechanism
        self._notifier = notifier
        self._batch = batch
        self._queued: list[tuple[Request, asyncio.Future[Done]]] = []
        self._scheduled = False

    async def run(self, request: Request) -> Done:
        """Queue a command and wait for what became of it."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Done] = loop.create_future()
        self._queued.append((request, future))
        self._schedule(loop)
        return await future

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._flush, loop)

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        self._scheduled = False
        jobs, self._queued = self._queued[: self._batch], self._queued[self._batch :]
        if self._queued:  # more than a batch: the rest after the loop has had a turn
            self._schedule(loop)
        try:
            done = self._mechanism.handle_all([request for request, _ in jobs])
        except Exception as error:  # the commit failed: every request of the batch fails
            LOG.exception("a batch of %d commands could not be committed", len(jobs))
            done = [Done(error=error)] * len(jobs)
        for (_, future), result in zip(jobs, done, strict=True):
            if not future.done():  # the client may have gone away
                future.set_result(result)
        if any(  # a dry run's entries were undone: nothing to tell the streams
            d.outcome is not None and d.outcome.entries and not request.dry_run
            for (request, _), d in zip(jobs, done, strict=True)
        ):
            self._notifier.notify()
