"""Recording an imported document: all of its commands or none of them.

The formats (GeoJSON features, F3548 volumes) read a document into commands and know where
each came from; this records them together (``Deconfliction.handle_together``) and, when one
is refused, names the place in the document it came from instead of its index in the batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..domain.errors import BatchRejected
from . import commands as c
from .handlers import Deconfliction, Outcome, Request
from .ports import Transaction

__all__ = ["record_together"]

#: Where the field of the n-th command lies in the document (``features[3].properties.id``).
Locate = Callable[[int, str | None], str]


def record_together(
    mechanism: Deconfliction,
    actor: str,
    commands: Sequence[c.Command],
    locate: Locate,
    *,
    dry_run: bool = False,
    then: Callable[[list[Outcome], Transaction], Any] | None = None,
) -> list[Outcome]:
    """Run ``commands`` as ``actor`` in one transaction, all recorded or none; ``then`` is
    given every outcome inside that transaction once the last command has run (to keep a
    retried request's answer with what it answers).

    A command that fails raises :class:`BatchRejected` with the failing command's code and
    its field located in the document; a dry run checks and screens each command against
    what is on record and records nothing.
    """
    outcomes: list[Outcome] = []

    def collect(outcome: Outcome, tx: Transaction) -> None:
        outcomes.append(outcome)
        if then is not None and len(outcomes) == len(commands):
            then(outcomes, tx)

    requests = [Request(command, actor, then=collect) for command in commands]
    try:
        mechanism.handle_together(requests, dry_run=dry_run)
    except BatchRejected as exc:
        exc.field = locate(exc.index, exc.cause.field)
        raise
    return outcomes
