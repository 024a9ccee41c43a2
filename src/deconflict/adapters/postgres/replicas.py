"""Several servers on one PostgreSQL database: each hears the others' commits (LISTEN/NOTIFY),
and one of them — whichever holds a session advisory lock — processes the deadlines.

Both keep a connection of their own, outside the store's pool: a LISTEN and a session lock
live as long as their session, so they cannot share pooled connections."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable

import psycopg

from .store import COMMITS

__all__ = ["ListenedCommits", "AdvisoryLeadership", "DEADLINES_LOCK", "libpq_url"]

LOG = logging.getLogger("deconflict.postgres")

#: The session advisory lock the replica that processes deadlines holds ("deadlin" in ASCII).
DEADLINES_LOCK = 0x646561646C696E


def libpq_url(url: str) -> str:
    """A store URL (``postgresql://`` or ``postgresql+psycopg://``) as libpq takes it."""
    return "postgresql://" + url.split("://", 1)[1]


def _name(role: str) -> str:
    """The application_name an operator sees in pg_stat_activity for this connection."""
    return f"deconflict {role} {socket.gethostname()}:{os.getpid()}"[:63]


class ListenedCommits:
    """LISTENs on the commit channel from a thread of its own and wakes the streams on every
    commit another process announces (the store NOTIFYs ``<origin> <head>`` as it commits).
    A lost connection is opened again; the streams are woken on each (re)connection, since
    what was committed meanwhile was not heard."""

    fallback_s = 5.0

    def __init__(self, url: str, origin: str, retry_s: float = 1.0) -> None:
        self._url, self._own = libpq_url(url), f"{origin} "
        self._retry_s = retry_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, wake: Callable[[], None]) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(wake,), name="listen", daemon=True)
        self._thread.start()

    def _run(self, wake: Callable[[], None]) -> None:
        while not self._stop.is_set():
            try:
                self._listen(wake)
            except psycopg.Error as error:
                LOG.warning(
                    "listening for commits failed (%s); again in %.0f s", error, self._retry_s
                )
                self._stop.wait(self._retry_s)

    def _listen(self, wake: Callable[[], None]) -> None:
        with psycopg.connect(self._url, autocommit=True, application_name=_name("listen")) as conn:
            conn.execute(f"LISTEN {COMMITS}")
            wake()
            while not self._stop.is_set():
                # A bounded wait, so that ``stop`` is seen within half a second.
                for note in conn.notifies(timeout=0.5):
                    if not note.payload.startswith(self._own):
                        wake()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


class AdvisoryLeadership:
    """The lead is a session advisory lock (``DEADLINES_LOCK``) on a connection of its own:
    the first replica to ask takes it and keeps it while its session lives; when that process
    ends or its connection drops, PostgreSQL releases the lock and the next replica to ask
    takes over. Who holds it: ``pg_locks`` joined with ``pg_stat_activity`` (its
    application_name is ``deconflict deadlines <host>:<pid>``; docs/operations.md)."""

    def __init__(self, url: str, key: int = DEADLINES_LOCK) -> None:
        self._url, self._key = libpq_url(url), key
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None
        self._held = False
        self._lock = threading.Lock()

    def leads(self) -> bool:
        with self._lock:
            try:
                return self._ask()
            except psycopg.Error as error:
                if self._held:
                    LOG.warning("lost the lead on deadline processing: %s", error)
                self._drop()
                return False

    def _ask(self) -> bool:
        if self._conn is None or self._conn.closed:
            self._held = False
            self._conn = psycopg.connect(
                self._url, autocommit=True, application_name=_name("deadlines")
            )
        if self._held:
            self._conn.execute("SELECT 1")  # the lock lives with the session: is it alive?
            return True
        row = self._conn.execute("SELECT pg_try_advisory_lock(%s)", (self._key,)).fetchone()
        self._held = bool(row and row[0])
        if self._held:
            LOG.info("this process now processes the deadlines")
        return self._held

    def _drop(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn, self._held = None, False

    def close(self) -> None:
        with self._lock:
            self._drop()
