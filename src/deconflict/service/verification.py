"""``log verify``: the chain recomputed, then the log replayed into a fresh store and compared."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..domain.chain import verify_chain
from ..domain.errors import DeconflictError
from .ports import Store

__all__ = ["Verification", "verify_store"]


@dataclass
class Verification:
    entries: int = 0
    objects: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _compare(
    stored: dict[tuple[str, str], dict[str, object]],
    replayed: dict[tuple[str, str], dict[str, object]],
) -> list[str]:
    problems = []
    for key in sorted(stored.keys() | replayed.keys()):
        kind, id = key
        mine, theirs = stored.get(key), replayed.get(key)
        if theirs is None:
            problems.append(f"{kind} {id}: in the store but never written by the log")
        elif mine is None:
            problems.append(
                f"{kind} {id}: written by the log at seq {theirs['seq']} but missing from the store"
            )
        elif mine != theirs:
            problems.append(
                f"{kind} {id}: stored state differs from the log (last written at seq {theirs['seq']})"
            )
    return problems


def verify_store(store: Store, fresh: Callable[[], Store]) -> Verification:
    """Check the chain of ``store`` and that replaying its log rebuilds exactly its state."""
    entries = list(store.entries())
    report = Verification(entries=len(entries))
    report.problems += [str(p) for p in verify_chain(entries)]
    replay = fresh()
    try:
        replay.load_entries(iter(entries))
        stored = store.objects()
        report.objects = len(stored)
        report.problems += _compare(stored, replay.objects())
    except DeconflictError as exc:
        report.problems.append(f"replay failed: {exc}")
    finally:
        replay.close()
    return report
