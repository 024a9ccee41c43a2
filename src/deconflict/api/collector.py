"""Python's cyclic garbage collector, kept off the request path of a long-running server.

A full collection walks every object the collector tracks; a server that holds 10^5 volumes
tracks millions, and the pass stalls every request for as long as it takes (hundreds of ms to
seconds). So what has lived a while is moved out of the collector's view (``gc.freeze``) a
little at a time, and young collections stay short. What would then never be collected —
reference cycles that die after being frozen — is collected by a full pass when the server is
quiet, or, under load that never stops, after ``full_at_least_every_s`` at the latest.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable

__all__ = ["Collector"]

LOG = logging.getLogger("deconflict.api")


class Collector:
    def __init__(
        self,
        activity: Callable[[], int],
        freeze_every_s: float = 1.0,
        quiet_s: float = 10.0,
        full_at_least_every_s: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``activity`` counts the work done so far (the writer's batches): when it has not
        moved for ``quiet_s``, the server is quiet."""
        self._activity = activity
        self._freeze_every_s = freeze_every_s
        self._quiet_s = quiet_s
        self._full_every_s = full_at_least_every_s
        self._clock = clock
        self._seen = activity()
        self._moved_at = self._full_at = clock()
        self.full_passes = 0

    def step(self) -> None:
        """One look: a full pass when quiet since the last one, or overdue; else freeze what
        survived so far."""
        now, seen = self._clock(), self._activity()
        if seen != self._seen:
            self._seen, self._moved_at = seen, now
        quiet = now - self._moved_at >= self._quiet_s and self._moved_at > self._full_at
        if quiet or now - self._full_at >= self._full_every_s:
            self.full()
        else:
            gc.freeze()

    def full(self) -> None:
        started = time.perf_counter()
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self._full_at = self._clock()
        self.full_passes += 1
        LOG.debug("full collection in %.0f ms", (time.perf_counter() - started) * 1000)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self._freeze_every_s)
            self.step()
