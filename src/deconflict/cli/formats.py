"""``deconflict import`` and ``deconflict export``: documents in the formats of other tools
(GeoJSON, KML, ASTM F3548 volumes; docs/formats.md), through the same handlers and the same
need-to-know as the API. The log's own export is ``deconflict log export``.

Registered on the main group by :func:`register`, which is handed the main module's options
(so this module does not import it back).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..adapters.formats.exchange import (
    EXPORTERS,
    IMPORTERS,
    ExportOptions,
    ImportOptions,
    read_json,
)
from ..adapters.formats.f3548 import NoticeFields
from ..adapters.formats.timefmt import parse_time
from ..bootstrap import Settings, build, default_db_path
from ..domain.errors import InvalidInput, NotFound
from ..domain.parties import Member
from ..service.clock import SystemClock
from ..service.handlers import Deconfliction, Outcome
from ..service.imports import record_together
from ..service.selection import Kind, Selection, select_from
from ..service.visibility import Visibility
from .timeline import conflict_view_table

__all__ = ["register"]

F = TypeVar("F", bound=Callable[..., Any])
Decorator = Callable[[F], F]


def _member(mechanism: Deconfliction, member_id: str) -> Member:
    found: Member | None = mechanism.get(Member, member_id)
    if found is None:
        raise NotFound(f"unknown member {member_id!r}", field="as")
    return found


def _summary(outcomes: list[Outcome], mechanism: Deconfliction, party: str) -> str:
    seen = Visibility(mechanism, party)
    views = [v for o in outcomes for c in o.conflicts if (v := seen.view(c)) is not None]
    subjects = [
        f"{e.subject_type} {e.subject_id}"
        for o in outcomes
        for e in o.entries
        if e.kind in ("notice.filed", "declaration.made", "measure.created")
    ]
    text = f"{len(outcomes)} object(s): {', '.join(subjects) or '-'}"
    if views:
        text += f"\n{len(views)} conflict(s), as {party} sees them:\n{conflict_view_table(views)}"
    return text


def _import(
    file: Path,
    fmt: str,
    actor: str,
    dry_run: bool,
    db: Any,
    fields: NoticeFields,
) -> None:
    try:
        document = read_json(file.read_bytes())
    except OSError as exc:
        raise InvalidInput(f"cannot read {file}: {exc}", field="file") from None
    store, mechanism = build(Settings(str(db or default_db_path())), SystemClock())
    try:
        party = _member(mechanism, actor).party
        imported = IMPORTERS[fmt].read(document, ImportOptions(party, fields))
        outcomes = record_together(
            mechanism, actor, imported.commands, imported.locate, dry_run=dry_run
        )
        summary = _summary(outcomes, mechanism, party)
    finally:
        store.close()
    verb = "would record (dry run, nothing recorded)" if dry_run else "recorded"
    click.echo(f"{file.name}: {verb} {summary}")


def _selection(
    kinds: tuple[str, ...], owners: tuple[str, ...], start: str | None, end: str | None, every: bool
) -> Selection:
    return Selection(
        frozenset(Kind(k) for k in kinds),
        frozenset(owners),
        parse_time(start) if start else None,
        parse_time(end) if end else None,
        every,
    )


def _export(
    fmt: str,
    party: str,
    selection: Selection,
    at: str | None,
    undulation: float,
    out: Path | None,
    db: Any,
) -> None:
    exporter = EXPORTERS[fmt]
    selection = exporter.narrow(selection)
    when = parse_time(at) if at else None
    store, _ = build(Settings(str(db or default_db_path())), SystemClock())
    try:
        selected = select_from(store, party, selection, when)
    finally:
        store.close()
    body = exporter.write(selected, ExportOptions(undulation))
    if out is None:
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
    else:
        out.write_bytes(body)
        click.echo(f"wrote {out} ({exporter.media_type})", err=True)


def _import_command(db_option: Decorator[Any], named_errors: Decorator[Any]) -> click.Command:
    @click.command("import")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--format", "fmt", type=click.Choice(sorted(IMPORTERS)), required=True)
    @click.option("--as", "actor", required=True, help="The importing member (its party's).")
    @click.option("--dry-run", is_flag=True, help="Check and screen; record nothing.")
    @click.option("--id", "notice_id", default=None, help="f3548: the notice's id.")
    @click.option("--line", default=None, help="f3548: the line the notice is filed on.")
    @click.option("--kind", default=None, help="f3548: the notice's kind (e.g. isr).")
    @click.option("--forces", default=None, help="f3548: the forces taking part.")
    @click.option("--remarks", default=None, help="f3548: remarks.")
    @click.option(
        "--geoid-undulation-m",
        type=float,
        default=None,
        help="f3548: mean sea level above the WGS 84 ellipsoid here (default 0).",
    )
    @db_option
    @named_errors
    def import_file(
        file: Path,
        fmt: str,
        actor: str,
        dry_run: bool,
        notice_id: str | None,
        line: str | None,
        kind: str | None,
        forces: str | None,
        remarks: str | None,
        geoid_undulation_m: float | None,
        db: Any,
    ) -> None:
        """Record what FILE holds (GeoJSON features, or an operation's F3548 volumes as one
        notice) as member AS: every part checked first and every bad one reported, then all
        recorded in one transaction, or nothing."""
        fields = NoticeFields(notice_id, line, kind, forces, remarks, geoid_undulation_m)
        _import(file, fmt, actor, dry_run, db, fields)

    return import_file


def _export_command(db_option: Decorator[Any], named_errors: Decorator[Any]) -> click.Command:
    @click.command("export")
    @click.option("--format", "fmt", type=click.Choice(sorted(EXPORTERS)), required=True)
    @click.option("--party", required=True, help="Export what this party may see.")
    @click.option(
        "--kind",
        "kinds",
        multiple=True,
        type=click.Choice([k.value for k in Kind]),
        help="Only this kind (repeat; default every kind).",
    )
    @click.option("--owner", "owners", multiple=True, help="Only what this party owns (repeat).")
    @click.option("--from", "start", default=None, help="Only what is in force after (DTG/ISO).")
    @click.option("--to", "end", default=None, help="Only what is in force before (DTG/ISO).")
    @click.option("--all", "every", is_flag=True, help="Cancelled and withdrawn ones too.")
    @click.option(
        "--at",
        default=None,
        help="As the party could see it at this past time (DTG/ISO), replayed from the log.",
    )
    @click.option(
        "--geoid-undulation-m",
        type=float,
        default=0.0,
        help="f3548: mean sea level above the WGS 84 ellipsoid here (default 0).",
    )
    @click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None)
    @db_option
    @named_errors
    def export_selection(
        fmt: str,
        party: str,
        kinds: tuple[str, ...],
        owners: tuple[str, ...],
        start: str | None,
        end: str | None,
        every: bool,
        at: str | None,
        geoid_undulation_m: float,
        out: Path | None,
        db: Any,
    ) -> None:
        """Write what PARTY may see (need-to-know applies) as GeoJSON, KML or F3548 volumes
        (notices only), to --out or stdout. The log itself: `deconflict log export`."""
        selection = _selection(kinds, owners, start, end, every)
        _export(fmt, party, selection, at, geoid_undulation_m, out, db)

    return export_selection


def register(group: click.Group, db_option: Decorator[Any], named_errors: Decorator[Any]) -> None:
    """Add ``import`` and ``export`` to the ``deconflict`` group."""
    group.add_command(_import_command(db_option, named_errors))
    group.add_command(_export_command(db_option, named_errors))
