"""The server store: PostgreSQL with PostGIS, schema by Alembic migrations of its own.

It keeps the same log, objects and idempotency tables as the SQLite store and behaves the
same (store_common holds the code both run), plus a ``volumes`` table: one row per volume of
each active notice, declaration and measure, its footprint's outline as a PostGIS geometry
(GiST), its window as a ``tstzrange`` and its altitude band as a ``numrange``.

Writers are serialized by a transaction-level advisory lock taken before the chain head is
read, so two writers can never seal entries on the same head (the chain cannot fork)."""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast

import shapely
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from shapely.geometry.base import BaseGeometry
from sqlalchemy.engine import Connection

from ...domain.chain import LogEntry
from ...domain.declarations import Declaration
from ...domain.geometry import Footprint
from ...domain.measures import ControlMeasure
from ...domain.notices import Notice
from ...domain.volume import SURFACE_TO_SPACE, AltitudeBand, TimeWindow
from ...service.ports import RECORD_TYPES, Record
from ..codec import from_dict
from ..store_common import Decoded, Recent, SqlStore, SqlTransaction

__all__ = [
    "PostgresStore",
    "PostgresTransaction",
    "is_postgres_url",
    "outline",
    "COMMITS",
    "driver_url",
]

_HERE = Path(__file__).parent
#: The advisory lock every write transaction holds ("deconfl" in ASCII).
WRITE_LOCK = 0x6465636F6E666C
#: The channel a commit that wrote to the log is announced on: ``<origin> <head>``.
COMMITS = "deconflict_log"
#: Metres per degree of latitude on a sphere of the mean Earth radius (6,371,008.8 m).
_METRES_PER_DEGREE = 111_195.0
_SCHEMES = ("postgresql://", "postgresql+psycopg://")
#: The kinds of object whose volumes the ``volumes`` table holds.
_SPATIAL = ("notice", "declaration", "measure")


def is_postgres_url(db: str) -> bool:
    """Whether a ``--db`` names a PostgreSQL database rather than a SQLite file."""
    return db.startswith(_SCHEMES)


def driver_url(url: str) -> str:
    """A ``postgresql://`` or ``postgresql+psycopg://`` URL as SQLAlchemy's psycopg URL."""
    return "postgresql+psycopg://" + url.split("://", 1)[1]


def outline(footprint: Footprint) -> BaseGeometry:
    """The footprint as one geometry in lon/lat: its core grown by its reach (a circle's
    radius, half a corridor's width). The growing is done on the local equirectangular plane
    at the footprint's middle latitude, so the outline is a close approximation (a few metres
    in tens of kilometres), meant for indexing and display; screening keeps the exact test on
    the ellipsoid."""
    core = footprint.core
    if footprint.reach_m <= 0:
        return core
    k = math.cos(math.radians(footprint.mid_lat))
    plane = shapely.transform(core, lambda xy: xy * (k, 1.0))
    grown = plane.buffer(footprint.reach_m / _METRES_PER_DEGREE, quad_segs=16)
    return shapely.transform(grown, lambda xy: xy / (k, 1.0))


def _volumes(subject: Record) -> list[tuple[Footprint, AltitudeBand, TimeWindow]]:
    """The volumes of an active notice, declaration or measure (none once it is not active).
    A declaration has no altitude band and a measure may have none: surface to space."""
    if isinstance(subject, Notice):
        if not subject.active:
            return []
        return [(v.footprint, v.band, v.window) for v in subject.volumes]
    if isinstance(subject, Declaration | ControlMeasure):
        if not subject.active:
            return []
        band = subject.band if isinstance(subject, ControlMeasure) else None
        return [(subject.footprint, band or SURFACE_TO_SPACE, subject.window)]
    return []


class PostgresTransaction(SqlTransaction):
    """Reads and records inside one PostgreSQL transaction; keeps ``volumes`` up to date."""

    paramstyle = "format"

    def announce(self, channel: str, payload: str) -> None:
        """NOTIFY the listeners on ``channel`` once this transaction commits."""
        self._run("SELECT pg_notify(?, ?)", (channel, payload))

    def _project(self, entry: LogEntry, subject: Record | None) -> None:
        if entry.subject_type not in _SPATIAL:
            return
        if subject is None:
            subject = from_dict(RECORD_TYPES[entry.subject_type], entry.body)
        self._run(
            "DELETE FROM volumes WHERE type = ? AND id = ?", (entry.subject_type, entry.subject_id)
        )
        for idx, (footprint, band, window) in enumerate(_volumes(subject)):
            self._run(
                'INSERT INTO volumes (type, id, idx, geom, "window", band) VALUES '
                "(?, ?, ?, ST_GeomFromText(?, 4326), tstzrange(?, ?, '[)'), "
                "numrange(?::numeric, ?::numeric, '[)'))",
                (
                    entry.subject_type,
                    entry.subject_id,
                    idx,
                    outline(footprint).wkt,
                    window.start,
                    window.end,
                    band.lower_m,
                    band.upper_m,
                ),
            )


class PostgresStore(SqlStore):
    """Objects, their log and their volumes in one PostgreSQL database (PostGIS needed).

    ``url``: ``postgresql://user@host:port/database`` (or ``postgresql+psycopg://…``)."""

    _transaction_class = PostgresTransaction

    def __init__(self, url: str) -> None:
        if not is_postgres_url(url):
            raise ValueError(f"not a PostgreSQL URL: {url!r}")
        self.url = url
        #: Names this process's commits on the ``COMMITS`` channel (its own are not news to it).
        self.origin = secrets.token_hex(8)
        self._engine = sa.create_engine(driver_url(url), isolation_level="READ COMMITTED")
        self._decoded = Decoded()
        self._recent = Recent()
        self._migrate()

    def _migrate(self) -> None:
        config = Config(str(_HERE / "alembic.ini"))
        config.set_main_option("script_location", str(_HERE / "migrations"))
        with self._engine.begin() as conn:
            # Two processes opening a new database at once: one migrates, the other waits.
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK})
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        # READ COMMITTED: each statement sees what was committed before it, so the head read
        # once the lock is held is the latest one.
        with self._engine.connect() as conn, conn.begin():
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK})
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[SqlTransaction]:
        """A write transaction; one that wrote to the log announces its new head on ``COMMITS``
        as it commits (PostgreSQL delivers the notification only if the commit succeeds)."""
        with super().transaction() as tx:
            before = tx.head()
            yield tx
            if tx.head() > before:
                cast(PostgresTransaction, tx).announce(COMMITS, f"{self.origin} {tx.head()}")

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        # A reader sees one snapshot for all its statements, as a SQLite reader does.
        with self._engine.connect() as conn:
            yield conn.execution_options(isolation_level="REPEATABLE READ")
