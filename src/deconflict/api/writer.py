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
import time
from collections.abc import Callable

from ..service.handlers import Deconfliction, Done, Request
from .streams import Notifier

__all__ = ["Writer"]

LOG = logging.getLogger("deconflict.api")


class Writer:
    def __init__(
        self,
        mechanism: Deconfliction,
        notifier: Notifier,
        batch: int = 64,
        turn_s: float = 0.025,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        """At most ``batch`` commands to a transaction, and as many as fit in ``turn_s`` by
        what commands have cost lately: while a batch is written nothing else on the loop
        runs (requests read, answers and streams written), so a batch of slow commands (a
        notice with 80 conflicts takes 20 ms) is cut short."""
        self._mechanism = mechanism
        self._notifier = notifier
        self._batch = batch
        self._turn_s = turn_s
        self._timer = timer
        #: Seconds a command has taken lately (a moving average over batches).
        self.cost_s = 0.001
        self._queued: list[tuple[Request, asyncio.Future[Done]]] = []
        self._scheduled = False
        #: Batches written so far (how busy the server has been).
        self.batches = 0

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
        size = max(1, min(self._batch, int(self._turn_s / self.cost_s)))
        jobs, self._queued = self._queued[:size], self._queued[size:]
        if self._queued:  # more than a batch: the rest after the loop has had a turn
            self._schedule(loop)
        self.batches += 1
        started = self._timer()
        try:
            done = self._mechanism.handle_all([request for request, _ in jobs])
        except Exception as error:  # the commit failed: every request of the batch fails
            LOG.exception("a batch of %d commands could not be committed", len(jobs))
            done = [Done(error=error)] * len(jobs)
        took = (self._timer() - started) / len(jobs)
        self.cost_s = max(1e-5, 0.7 * self.cost_s + 0.3 * took)
        for (_, future), result in zip(jobs, done, strict=True):
            if not future.done():  # the client may have gone away
                future.set_result(result)
        if any(  # a dry run's entries were undone: nothing to tell the streams
            d.outcome is not None and d.outcome.entries and not request.dry_run
            for (request, _), d in zip(jobs, done, strict=True)
        ):
            self._notifier.notify()
