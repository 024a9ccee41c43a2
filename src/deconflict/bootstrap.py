"""The one composition root: settings → adapters → handlers. Nothing happens at import."""

from __future__ import annotations

import gc
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from .adapters.clock_file import FileClock
from .adapters.postgres.store import PostgresStore, is_postgres_url
from .adapters.sqlite.replicas import EveryProcessLeads, PolledCommits
from .adapters.sqlite.store import SqliteStore
from .adapters.volume_index import TimeSlicedIndex
from .domain.errors import InvalidInput
from .service.clock import SystemClock
from .service.handlers import Deconfliction
from .service.ports import Clock, CommitSignal, Leadership
from .service.situation import Situation

__all__ = [
    "Settings",
    "ServeSettings",
    "default_db_path",
    "default_web_modules",
    "build",
    "open_store",
    "replicas",
    "scratch_store",
    "load_serve_settings",
    "build_server",
]


def default_db_path() -> Path:
    """The store's default place: the user's data directory."""
    return Path(platformdirs.user_data_dir("deconflict")) / "deconflict.sqlite"


def default_web_modules() -> Path:
    """Where ``npm ci`` in the repository's ``web/`` puts the console's browser libraries."""
    import deconflict

    return Path(deconflict.__file__).parents[2] / "web" / "node_modules"


@dataclass(frozen=True)
class Settings:
    #: A SQLite file, or a PostgreSQL URL (``postgresql://…``, docs/operations.md).
    db: str
    #: A long-running process checkpoints SQLite's write-ahead log off the commit path
    #: (SQLite only).
    checkpoint_every_s: float | None = None


def scratch_store() -> SqliteStore:
    """A private, empty store in memory (replays, previews)."""
    return SqliteStore(":memory:")


def open_store(settings: Settings) -> SqliteStore | PostgresStore:
    """The store ``settings.db`` names: a PostgreSQL URL, or else a SQLite file (``~``
    expanded: a TOML file or an environment variable is not read by a shell)."""
    if is_postgres_url(settings.db):
        return PostgresStore(settings.db)
    path = settings.db if settings.db == ":memory:" else Path(settings.db).expanduser()
    return SqliteStore(path, settings.checkpoint_every_s)


def replicas(store: SqliteStore | PostgresStore) -> tuple[CommitSignal, Leadership]:
    """How a server hears the other servers' commits on its store, and whether it runs the
    deadline passes: LISTEN/NOTIFY and a session advisory lock on PostgreSQL; polling the
    head, and every process, on SQLite (docs/operations.md)."""
    if isinstance(store, PostgresStore):
        # psycopg itself (a fifth of a second to import) only for a server on PostgreSQL.
        from .adapters.postgres.replicas import AdvisoryLeadership, ListenedCommits

        return ListenedCommits(store.url, store.origin), AdvisoryLeadership(store.url)
    return PolledCommits(store), EveryProcessLeads()


def build(settings: Settings, clock: Clock) -> tuple[SqliteStore | PostgresStore, Deconfliction]:
    """Open the store, build the live situation from it, and return the mechanism."""
    store = open_store(settings)
    mechanism = Deconfliction(store, clock, Situation(TimeSlicedIndex))
    # Loading makes every object of the live situation at once, and all of them stay: the
    # cyclic collector would walk the growing heap again and again for nothing (a third of
    # the start at 10^5 volumes). Off while loading; what was loaded is then frozen out of
    # its view, as the server's collector does with what lives on (api/collector.py).
    gc.disable()
    try:
        mechanism.start()
    finally:
        gc.enable()
    gc.freeze()
    return store, mechanism


@dataclass(frozen=True)
class ServeSettings:
    """``deconflict serve``: from flags, then DECONFLICT_* variables, then a TOML file's
    ``[serve]`` table, then these defaults (docs/service.md)."""

    db: str = ""
    host: str = "127.0.0.1"
    port: int = 8350
    deadline_every_s: float = 1.0
    max_body_bytes: int = 1_048_576
    clock_file: str = ""
    #: The console's third-party browser files (``npm ci`` in web/); docs/console.md.
    web_modules: str = field(default_factory=lambda: str(default_web_modules()))
    #: Optional online map tiles for the console, e.g. ``https://tile.example/{z}/{x}/{y}.png``.
    tile_url: str = ""


def _typed(name: str, value: Any) -> Any:
    kind = {f.name: f.type for f in fields(ServeSettings)}[name]
    try:
        return {"int": int, "float": float}.get(str(kind), str)(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a valid {kind}", field=name) from None


def load_serve_settings(
    flags: Mapping[str, Any], environ: Mapping[str, str] = os.environ, config: Path | None = None
) -> ServeSettings:
    settings = ServeSettings(db=str(default_db_path()))
    layers: list[Mapping[str, Any]] = []
    if config is not None:
        with config.open("rb") as file:
            layers.append(tomllib.load(file).get("serve", {}))
    names = [f.name for f in fields(ServeSettings)]
    layers.append(
        {
            n: environ[f"DECONFLICT_{n.upper()}"]
            for n in names
            if f"DECONFLICT_{n.upper()}" in environ
        }
    )
    layers.append({n: v for n, v in flags.items() if v is not None and n in names})
    for layer in layers:
        unknown = set(layer) - set(names)
        if unknown:
            raise InvalidInput(
                f"unknown settings {sorted(unknown)}; known: {names}", field="config"
            )
        settings = replace(settings, **{n: _typed(n, v) for n, v in layer.items()})
    return settings


def build_server(settings: ServeSettings) -> tuple[Any, SqliteStore | PostgresStore]:
    """The ASGI application over the configured store and clock."""
    # The web stack is imported only by the command that serves, not by every CLI call.
    from .api.app import create_app
    from .api.collector import Collector
    from .api.context import Services
    from .api.streams import Notifier
    from .api.writer import Writer

    clock: Clock = FileClock(Path(settings.clock_file)) if settings.clock_file else SystemClock()
    store, mechanism = build(Settings(settings.db, checkpoint_every_s=0.2), clock)
    notifier = Notifier()
    commits, deadlines = replicas(store)
    services = Services(
        store,
        mechanism,
        clock,
        notifier,
        writer := Writer(mechanism, notifier),
        commits=commits,
        deadlines=deadlines,
    )
    app = create_app(
        services,
        deadline_every_s=settings.deadline_every_s,
        max_body_bytes=settings.max_body_bytes,
        web_modules=Path(settings.web_modules) if settings.web_modules else None,
        tile_url=settings.tile_url,
        # The situation just loaded lives as long as the server: the collector's full passes
        # stay off it and off the request path (api/collector.py).
        collector=Collector(lambda: writer.batches),
    )
    return app, store
