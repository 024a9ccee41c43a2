"""``deconflict cot …`` (Cursor-on-Target for TAK clients) and ``deconflict aco import``
(Airspace Control Orders): the same selection and the same handlers as the API.

Registered on the main group by :func:`register`, which is handed the main module's options
(so this module does not import it back).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..adapters.clock_file import FileClock
from ..adapters.formats import aco as aco_format
from ..adapters.formats import cot as cot_format
from ..adapters.formats.timefmt import parse_time
from ..bootstrap import Settings, build, default_db_path, open_store
from ..domain.errors import InvalidInput
from ..domain.measures import Side
from ..service.clock import SystemClock
from ..service.handlers import SYSTEM
from ..service.imports import record_together
from ..service.ports import Clock
from ..service.selection import Kind, Selection

__all__ = ["register"]

F = TypeVar("F", bound=Callable[..., Any])
Decorator = Callable[[F], F]


def _db(db: str | None) -> str:
    return db or str(default_db_path())


def _clock(clock_file: Path | None) -> Clock:
    return FileClock(clock_file) if clock_file else SystemClock()


def _selection(
    kinds: tuple[str, ...], owners: tuple[str, ...], start: str | None, end: str | None
) -> Selection:
    return Selection(
        kinds=frozenset(Kind(k) for k in kinds),
        owners=frozenset(owners),
        start=parse_time(start) if start else None,
        end=parse_time(end) if end else None,
    )


# -- Cursor-on-Target -------------------------------------------------------------------------


_KINDS = click.Choice([k.value for k in Kind])
_FILE = click.Path(dir_okay=False, path_type=Path)
_CLOCK = click.option(
    "--clock-file",
    type=_FILE,
    default=None,
    envvar="DECONFLICT_CLOCK_FILE",
    help="Read the time from this file (exercises, tests).",
)


@click.option("--party", required=True, help="As this party may see it (need-to-know applies).")
@click.option("--kind", "kinds", multiple=True, type=_KINDS, help="Only this kind (repeat).")
@click.option("--owner", "owners", multiple=True, help="Only what this party owns (repeat).")
@click.option(
    "--from", "--start", "start", default=None, help="From (DTG or ISO 8601; default: now)."
)
@click.option("--to", "--end", "end", default=None, help="Until (DTG or ISO 8601).")
@click.option(
    "--out",
    type=_FILE,
    default=None,
    help="File (default: stdout).",
)
@_CLOCK
def cot_export(
    party: str,
    kinds: tuple[str, ...],
    owners: tuple[str, ...],
    start: str | None,
    end: str | None,
    out: Path | None,
    db: str | None,
    clock_file: Path | None,
) -> None:
    """The party's notices, disclosed declarations and measures as one file of CoT events."""
    selection = _selection(kinds, owners, start, end)
    store = open_store(Settings(_db(db)))
    try:
        with store.read() as tx:
            data = cot_format.export(tx, party, selection, _clock(clock_file).now())
    finally:
        store.close()
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        out.write_bytes(data)


@click.option(
    "--party", required=True, help="Stream what this party may see (need-to-know applies)."
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=8087, show_default=True, help="TCP port for TAK clients.")
@click.option("--kind", "kinds", multiple=True, type=_KINDS, help="Only this kind (repeat).")
@click.option(
    "--push", default=None, help="Also push to a TAK server: tcp://host:port or tls://host:port."
)
@click.option(
    "--push-cert",
    type=_FILE,
    default=None,
    help="tls://: the client's certificate, PEM or .p12 (as the TAK server issued it).",
)
@click.option(
    "--push-key",
    type=_FILE,
    default=None,
    help="tls://: the PEM certificate's private key.",
)
@click.option(
    "--push-ca",
    type=_FILE,
    default=None,
    help="tls://: the CA that signed the TAK server's certificate (default: the system's).",
)
@click.option(
    "--push-password",
    envvar="DECONFLICT_TAK_PASSWORD",
    default=None,
    help="tls://: the .p12's or key's password [env DECONFLICT_TAK_PASSWORD].",
)
@click.option(
    "--push-no-hostname-check",
    is_flag=True,
    help="tls://: accept a server certificate issued for another name (still verified).",
)
@click.option(
    "--poll",
    "poll_s",
    type=float,
    default=0.5,
    show_default=True,
    help="Seconds between looks at the store.",
)
@_CLOCK
def cot_serve(
    party: str,
    host: str,
    port: int,
    kinds: tuple[str, ...],
    push: str | None,
    push_cert: Path | None,
    push_key: Path | None,
    push_ca: Path | None,
    push_password: str | None,
    push_no_hostname_check: bool,
    poll_s: float,
    db: str | None,
    clock_file: Path | None,
) -> None:
    """Stream PARTY's picture as CoT over TCP: all of it to each TAK client that connects, then
    every change (new and amended notices, disclosed declarations, measures; t-x-d-d deletions
    when they are cancelled, withdrawn or expire)."""
    from ..adapters.tak import CotFeed, Push, TakServer  # pytak only for this command

    target = None
    if push is not None:
        target = Push(push, push_cert, push_key, push_ca, push_password, not push_no_hostname_check)
    elif push_cert or push_key or push_ca:  # a password may be in the environment anyway
        raise InvalidInput("--push-cert, --push-key, --push-ca go with --push", field="push")

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    store = open_store(Settings(_db(db)))
    feed = CotFeed(store, _clock(clock_file), party, _selection(kinds, (), None, None))
    click.echo(
        f"streaming {party}'s picture as CoT on {host}:{port}"
        + (f", pushing to {push}" if push else "")
    )
    try:
        asyncio.run(TakServer(feed, poll_s=poll_s).run(host, port, target))
    except KeyboardInterrupt:
        pass
    finally:
        store.close()


# -- Airspace Control Orders ------------------------------------------------------------------


def _sides(values: tuple[str, ...]) -> dict[str, Side]:
    sides = {}
    for value in values:
        party, _, side = value.partition("=")
        if side.lower() not in ("left", "right") or not party:
            raise InvalidInput(f"{value!r}: give PARTY=left or PARTY=right", field="side")
        sides[party] = Side(side.lower())
    return sides


@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--arrangement", required=True, help="The arrangement the measures belong to.")
@click.option(
    "--as",
    "actor",
    default=SYSTEM.id,
    help="The member recording them (default: the local operator).",
)
@click.option(
    "--owner",
    default=None,
    help="The party that owns the zones (default: none, they bind every party).",
)
@click.option(
    "--side", "sides", multiple=True, help="For LINE measures: PARTY=left|right (repeat)."
)
@click.option(
    "--ground-m",
    type=float,
    default=None,
    help="Ground elevation (m AMSL) for heights above ground (AGL).",
)
@click.option("--prefix", default="aco-", show_default=True, help="Prefix of the measures' ids.")
@click.option("--dry-run", is_flag=True, help="Check and screen, record nothing.")
def aco_import(
    file: Path,
    arrangement: str,
    actor: str,
    owner: str | None,
    sides: tuple[str, ...],
    ground_m: float | None,
    prefix: str,
    dry_run: bool,
    db: str | None,
) -> None:
    """Record every airspace control means of the ACO in FILE as a control measure, all of
    them or none: a bad set is reported with its line number, and nothing is recorded."""
    options = aco_format.AcoOptions(arrangement, prefix, owner, _sides(sides), ground_m)
    measures = aco_format.read_aco(file.read_text("utf-8"), options)
    store, mechanism = build(Settings(_db(db)), SystemClock())
    try:
        outcomes = record_together(
            mechanism,
            actor,
            [m.command() for m in measures],
            aco_format.locate(measures),
            dry_run=dry_run,
        )
    finally:
        store.close()
    for m, outcome in zip(measures, outcomes, strict=True):
        found = f", {len(outcome.conflicts)} conflicts" if outcome.conflicts else ""
        click.echo(f"line {m.line}: {m.measure.id} ({m.measure.name}){found}")
    verb = "would be recorded (dry run)" if dry_run else "recorded"
    click.echo(f"{len(measures)} measures {verb} in {arrangement}")


def register(group: click.Group, db_option: Decorator[Any], named_errors: Decorator[Any]) -> None:
    """Add ``cot export``, ``cot serve`` and ``aco import`` to the ``deconflict`` group."""
    cot = click.Group(
        "cot", help="Cursor-on-Target: a party's picture as CoT events for TAK clients."
    )
    aco = click.Group(
        "aco", help="Airspace Control Orders (USMTF ACO): their airspace control means as measures."
    )
    for target, name, run in (
        (cot, "export", cot_export),
        (cot, "serve", cot_serve),
        (aco, "import", aco_import),
    ):
        target.add_command(click.command(name)(db_option(named_errors(run))))
    group.add_command(cot)
    group.add_command(aco)
