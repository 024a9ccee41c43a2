"""The one composition root: settings → adapters → handlers. Nothing happens at import."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs

from .adapters.sqlite.store import SqliteStore
from .adapters.volume_index import TimeSlicedIndex
from .service.handlers import Deconfliction
from .service.ports import Clock
from .service.situation import Situation

__all__ = ["Settings", "default_db_path", "build", "scratch_store"]


def default_db_path() -> Path:
    """The store's default place: the user's data directory."""
    return Path(platformdirs.user_data_dir("deconflict")) / "deconflict.sqlite"


@dataclass(frozen=True)
class Settings:
    db: str


def scratch_store() -> SqliteStore:
    """A private, empty store in memory (replays, previews)."""
    return SqliteStore(":memory:")


def build(settings: Settings, clock: Clock) -> tuple[SqliteStore, Deconfliction]:
    """Open the store, build the live situation from it, and return the mechanism."""
    store = SqliteStore(settings.db)
    mechanism = Deconfliction(store, clock, Situation(TimeSlicedIndex))
    mechanism.start()
    return store, mechanism
