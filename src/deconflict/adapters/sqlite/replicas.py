"""Several servers on one SQLite file: a commit is seen by polling the log's head, and every
process runs the deadline passes (each under the file's write lock: the first marks and
escalates what is due, the others find it settled)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from ...service.ports import Store

__all__ = ["PolledCommits", "EveryProcessLeads"]

LOG = logging.getLogger("deconflict.sqlite")


class PolledCommits:
    """Looks at the store's head from a thread of its own every ``every_s`` and wakes the
    streams when it moved (SQLite has no notifications between processes)."""

    fallback_s = 5.0

    def __init__(self, store: Store, every_s: float = 0.25) -> None:
        self._store, self._every_s = store, every_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, wake: Callable[[], None]) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(wake,), name="poll", daemon=True)
        self._thread.start()

    def _run(self, wake: Callable[[], None]) -> None:
        seen = -1
        while not self._stop.wait(self._every_s):
            try:
                head = self._store.head()
            except Exception as error:  # the file busy or gone for a moment: look again
                LOG.warning("could not read the log's head: %s", error)
                continue
            if head != seen:
                seen = head
                wake()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


class EveryProcessLeads:
    """Every process runs the passes; the store's write lock makes them take turns."""

    def leads(self) -> bool:
        return True

    def close(self) -> None:
        pass
