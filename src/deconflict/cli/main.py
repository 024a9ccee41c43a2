"""The ``deconflict`` command line: the same handlers as every other entry point."""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Callable
from dataclasses import asdict
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from ..adapters.codec import to_dict
from ..adapters.payloads import build_command
from ..adapters.postgres.store import is_postgres_url
from ..adapters.report import write_report
from ..adapters.scenario import bundled, load_scenario
from ..bootstrap import (
    Settings,
    build,
    build_server,
    default_db_path,
    load_serve_settings,
    open_store,
    scratch_store,
)
from ..domain.chain import verify_chain, verify_export
from ..domain.conflicts import Conflict
from ..domain.credentials import token_digest
from ..domain.errors import Conflicting, DeconflictError, NotFound
from ..domain.incidents import IncidentKind
from ..domain.parties import Role
from ..service.clock import SimulatedClock, SystemClock
from ..service.commands import AddMember, IssueCredential, RevokeCredentials
from ..service.export import export_for
from ..service.findings import finding, report_material
from ..service.handlers import Deconfliction
from ..service.tension import tension
from ..service.verification import verify_store
from ..service.views import notice_history, read_for
from . import cot, formats
from .replay import run_scenario
from .timeline import (
    conflict_table,
    conflict_view_table,
    finding_text,
    notice_history_text,
    tension_table,
)

F = TypeVar("F", bound=Callable[..., Any])

DEMO_SCENARIO = "deir-ez-zor-2017.yaml"


class _StoreParam(click.ParamType[str, Any]):
    """A store: a PostgreSQL URL, kept as typed (read as a path it would lose the ``//``
    after its scheme), or a SQLite file, ``~`` expanded."""

    name = "store"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        if is_postgres_url(text):
            return text
        path = Path(text).expanduser()
        if path.is_dir():
            self.fail(f"{text!r} is a directory, not a store file", param, ctx)
        return str(path)


STORE = _StoreParam()


def _db_option(f: F) -> F:
    return click.option(
        "--db",
        type=STORE,
        envvar="DECONFLICT_DB",
        default=None,
        help="SQLite store file or postgresql:// URL (default: a file in the user's data directory; env DECONFLICT_DB).",
    )(f)


def _named_errors(f: F) -> F:
    """The one place where errors become exit codes and messages."""

    @wraps(f)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except DeconflictError as exc:
            click.echo(f"error [{exc.code}]: {exc}", err=True)
            for problem in getattr(exc, "problems", [])[1:]:  # every bad part of a document
                click.echo(f"error [{problem.code}]: {problem}", err=True)
            sys.exit(2)

    return run  # type: ignore[return-value]


@click.group()
@click.version_option(package_name="deconflict")
def main() -> None:
    """deconflict: lines, notices screened as 4D volumes, and a verifiable log."""


def _replay(path: Path, db: str | Path, as_json: bool, quiet: bool = False) -> list[Conflict]:
    scenario = load_scenario(path)
    start = scenario.steps[0].at if scenario.steps else SystemClock().now()
    clock = SimulatedClock(start)
    store, mechanism = build(Settings(str(db)), clock)
    try:
        if not (as_json or quiet):
            click.echo(f"{scenario.title}\nstore: {db}\n")
        result = run_scenario(
            scenario, mechanism, clock, (lambda _: None) if quiet else click.echo, as_json
        )
        if not as_json:
            click.echo(
                f"\n{result.steps} steps, {result.entries} log entries, {len(result.conflicts)} conflicts found"
            )
        return result.conflicts
    finally:
        store.close()


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_db_option
@click.option(
    "--json", "as_json", is_flag=True, help="One JSON object per line per event and conflict."
)
@_named_errors
def replay(file: Path, db: str | None, as_json: bool) -> None:
    """Run a scenario FILE (YAML) on a simulated clock and print its timeline."""
    _replay(file, db or default_db_path(), as_json)


@main.command()
@_db_option
@click.option(
    "--json", "as_json", is_flag=True, help="One JSON object per line per event and conflict."
)
@_named_errors
def demo(db: str | None, as_json: bool) -> None:
    """Replay the seed's Deir ez-Zor scenario (16-21 Sept 2017) into a fresh demo store."""
    target = db or str(default_db_path().with_name("demo.sqlite"))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    _replay(bundled(DEMO_SCENARIO), target, as_json)
    if as_json:
        return
    store, _ = build(Settings(str(target)), SystemClock())
    try:
        with store.read() as tx:  # as they stand at the end: an amendment cleared some
            conflicts, russian = tx.all(Conflict), read_for(tx, "russia").conflicts
    finally:
        store.close()
    click.echo("\nConflicts found, as they stand now\n" + conflict_table(conflicts))
    click.echo(
        "\nThe same conflicts as the Russian cell sees them (need-to-know)\n"
        + conflict_view_table(russian)
    )
    command = Path(sys.executable).parent / "deconflict"
    click.echo(f"\nVerify the record:  {command} log verify --db {target}")
    click.echo(
        f"The 16 Sept dispute: {command} incident finding sdf-strike-0916 --db {target} --as russia"
    )


@main.group()
def log() -> None:
    """The append-only, hash-chained log."""


@log.command()
@_db_option
@click.option("--as", "party", default=None, help="Leave out the bodies this party may not read.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File (default: stdout).",
)
@_named_errors
def export(db: str | None, party: str | None, out: Path | None) -> None:
    """The log as JSON lines: every header and hash, and the bodies PARTY may read; anyone can
    check it alone with `deconflict log verify --export FILE`."""
    store, _ = build(Settings(str(db or default_db_path())), SystemClock())
    try:
        lines = (json.dumps(row, ensure_ascii=False) for row in export_for(store, party))
        if out is None:
            for line in lines:
                click.echo(line)
        else:
            with out.open("w", encoding="utf-8") as file:
                file.writelines(f"{line}\n" for line in lines)
    finally:
        store.close()


def _verify_export(path: Path) -> None:
    try:
        rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"cannot read {path}: {exc}") from None
    problems = verify_export(rows)
    for problem in problems:
        click.echo(f"TAMPERED {problem}")
    if problems:
        click.echo(f"export verification FAILED: {len(problems)} problem(s) in {len(rows)} entries")
        sys.exit(1)
    bodies = sum(row.get("body") is not None for row in rows)
    click.echo(
        f"export verified: {len(rows)} entries, chain whole, {bodies} bodies match their digests"
    )


@log.command()
@_db_option
@click.option(
    "--export",
    "exported",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Verify a party's export alone (no store needed).",
)
@_named_errors
def verify(db: str | None, exported: Path | None) -> None:
    """Recompute the chain and replay the log into a fresh store; exit 1 on any difference."""
    if exported is not None:
        _verify_export(exported)
        return
    path = db or str(default_db_path())
    if not is_postgres_url(path) and not Path(path).exists():
        raise click.ClickException(f"no store at {path}")
    store, _ = build(Settings(str(path)), SystemClock())
    try:
        report = verify_store(store, scratch_store)
    finally:
        store.close()
    for problem in report.problems:
        click.echo(f"TAMPERED {problem}")
    if not report.ok:
        click.echo(
            f"log verification FAILED: {len(report.problems)} problem(s) in {report.entries} entries"
        )
        sys.exit(1)
    click.echo(
        f"log verified: {report.entries} entries, chain whole, replay matches {report.objects} objects"
    )


@main.command("migrate-store")
@click.option(
    "--from", "source", type=STORE, required=True, help="The store to copy: a SQLite file or URL."
)
@click.option(
    "--to",
    "target",
    type=STORE,
    required=True,
    help="A new, empty store: a SQLite file or postgresql:// URL.",
)
@_named_errors
def migrate_store(source: str, target: str) -> None:
    """Copy a store's whole log, entry by entry and hash by hash, into a new store (SQLite to
    PostgreSQL or back), then check the copy: the chain recomputed and every object the same."""
    if not is_postgres_url(source) and not Path(source).exists():
        raise NotFound(f"no store at {source}", field="from")
    old, new = open_store(Settings(source)), open_store(Settings(target))
    try:
        if new.head() != 0:
            raise Conflicting(
                f"{target} already holds {new.head()} log entries; migrate into an empty store",
                field="to",
            )
        new.load_entries(old.entries())
        problems = verify_chain(new.entries())
        copied = new.head()
        same = copied == old.head() and new.objects() == old.objects()
    finally:
        old.close()
        new.close()
    for problem in problems:
        click.echo(f"CHAIN {problem}")
    if problems or not same:
        click.echo("migration FAILED: the copy differs from the store it was made from")
        sys.exit(1)
    click.echo(f"migrated {copied} log entries; chain whole, every object the same")


@main.command()
@_db_option
@click.option("--as", "party", required=True, help="Read as this party (need-to-know applies).")
@_named_errors
def read(db: str | None, party: str) -> None:
    """Everything PARTY may read, as JSON: notices, declarations, measures, conflicts, messages."""
    store, _ = build(Settings(str(db or default_db_path())), SystemClock())
    try:
        with store.read() as tx:
            view = read_for(tx, party)
    finally:
        store.close()
    click.echo(
        json.dumps(
            {k: to_dict(v) for k, v in asdict(view).items() if k != "party"} | {"party": party},
            indent=2,
        )
    )


@main.command()
@_db_option
@click.option("--as", "party", default=None, help="As this party sees them (need-to-know applies).")
@_named_errors
def conflicts(db: str | None, party: str | None) -> None:
    """The conflicts on record: all of them, or as PARTY may see them."""
    store, _ = build(Settings(str(db or default_db_path())), SystemClock())
    try:
        with store.read() as tx:
            table = (
                conflict_view_table(read_for(tx, party).conflicts)
                if party
                else conflict_table(tx.all(Conflict))
            )
    finally:
        store.close()
    click.echo(table)


@main.group()
def notice() -> None:
    """Notices and their versions."""


@notice.command()
@click.argument("notice_id")
@_db_option
@click.option("--as", "party", default=None, help="As this party (need-to-know applies).")
@_named_errors
def history(notice_id: str, db: str | None, party: str | None) -> None:
    """Every version of NOTICE_ID: when it was filed, amended or cancelled, by whom, and where."""
    store, _ = build(Settings(str(db or default_db_path())), SystemClock())
    try:
        with store.read() as tx:
            click.echo(notice_history_text(notice_history(tx, notice_id, party)))
    finally:
        store.close()


DEMO_MEMBERS = ("coalition-air", "coalition-cdr", "russia-air", "russia-cdr", "coalition-viewer")


def _issue_token(mechanism: Deconfliction, member: str) -> str:
    token = secrets.token_urlsafe(32)
    mechanism.handle(IssueCredential(member, token_digest(token)))
    return token


@main.command()
@click.option("--db", type=STORE, default=None, help="SQLite store file or postgresql:// URL.")
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 8350).")
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="TOML file with a [serve] table.",
)
@click.option(
    "--clock-file", default=None, help="Read the time from this file (exercises and tests)."
)
@click.option(
    "--web-modules",
    default=None,
    help="The console's browser libraries: a node_modules folder (default: web/node_modules).",
)
@click.option(
    "--tile-url",
    default=None,
    help="Optional online map tiles for the console: an {z}/{x}/{y} URL template.",
)
@click.option(
    "--demo",
    is_flag=True,
    help="Load the Deir ez-Zor scenario into a fresh demo store and print tokens.",
)
@_named_errors
def serve(
    db: str | None,
    host: str | None,
    port: int | None,
    config: Path | None,
    clock_file: str | None,
    web_modules: str | None,
    tile_url: str | None,
    demo: bool,
) -> None:
    """Run the HTTP service: the API under /api/v1, OpenAPI at /openapi.json, docs at /docs."""
    import uvicorn  # the web stack only for this command

    if demo:
        db = db or str(default_db_path().with_name("serve-demo.sqlite"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        _replay(bundled(DEMO_SCENARIO), db, as_json=False, quiet=True)
    flags = {
        "db": str(db) if db else None,
        "host": host,
        "port": port,
        "clock_file": clock_file,
        "web_modules": web_modules,
        "tile_url": tile_url,
    }
    settings = load_serve_settings(flags, os.environ, config)
    app, store = build_server(settings)
    if demo:
        _, mechanism = build(Settings(settings.db), SystemClock())
        click.echo("Demo tokens (shown once):")
        for member in DEMO_MEMBERS:
            click.echo(f"  {member:<17} {_issue_token(mechanism, member)}")
    click.echo(
        f"deconflict serving {settings.db} on http://{settings.host}:{settings.port} (console at /, docs at /docs)",
        err=True,
    )
    # The event loop writes batches while worker threads read what the loop cannot (a stream's
    # pages this process does not hold, the GET routes): hand the interpreter lock over every
    # millisecond instead of every 5 (BENCHMARKS.md).
    sys.setswitchinterval(0.001)
    try:
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            log_level="warning",
            timeout_graceful_shutdown=2,
        )
    finally:
        store.close()


@main.group()
def member() -> None:
    """Members and their tokens (run locally, as the operator)."""


@member.command("add")
@click.argument("member_id")
@click.option("--party", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", default="")
@_db_option
@_named_errors
def member_add(member_id: str, party: str, role: str, name: str, db: str | None) -> None:
    """Add a member and print its token, once (only the token's SHA-256 is kept)."""
    store, mechanism = build(Settings(str(db or default_db_path())), SystemClock())
    try:
        token = secrets.token_urlsafe(32)
        mechanism.handle(AddMember(member_id, party, Role(role), name, token_digest(token)))
        click.echo(token)
    finally:
        store.close()


@member.command("token")
@click.argument("member_id")
@_db_option
@_named_errors
def member_token(member_id: str, db: str | None) -> None:
    """Issue another token for a member and print it, once."""
    store, mechanism = build(Settings(str(db or default_db_path())), SystemClock())
    try:
        click.echo(_issue_token(mechanism, member_id))
    finally:
        store.close()


@member.command("revoke")
@click.argument("member_id")
@_db_option
@_named_errors
def member_revoke(member_id: str, db: str | None) -> None:
    """Revoke every token of a member at once."""
    store, mechanism = build(Settings(str(db or default_db_path())), SystemClock())
    try:
        mechanism.handle(RevokeCredentials(member_id))
        click.echo(f"revoked the tokens of {member_id}")
    finally:
        store.close()


@main.group()
def incident() -> None:
    """Incidents and the facts on record about them."""


@incident.command("finding")
@click.argument("incident_id")
@_db_option
@click.option("--as", "party", default=None, help="As this party (need-to-know applies).")
@click.option("--json", "as_json", is_flag=True, help="The facts as JSON.")
@_named_errors
def incident_finding(incident_id: str, db: str | None, party: str | None, as_json: bool) -> None:
    """The finding for INCIDENT_ID: notices, acknowledgements, declarations, measures and messages
    on record about its place and time, each with its log sequence number. Facts, not verdicts."""
    store, _ = build(Settings(str(db or default_db_path())), SystemClock())
    try:
        with store.read() as tx:
            reported, facts = finding(tx, incident_id, party)
    finally:
        store.close()
    if as_json:
        click.echo(
            json.dumps(
                {"incident": to_dict(reported), "facts": [to_dict(f) for f in facts]}, indent=2
            )
        )
    else:
        click.echo(finding_text(reported, facts))


@main.command("tension")
@_db_option
@click.option("--as", "party", default=None, help="Only the pairs this party belongs to.")
@_named_errors
def tension_picture(db: str | None, party: str | None) -> None:
    """Per pair of parties and per day: incidents, line crossings, zone entries, overdue
    acknowledgements and warnings."""
    store, _ = build(Settings(str(db or default_db_path())), SystemClock())
    try:
        with store.read() as tx:
            rows = tension(tx, party)
    finally:
        store.close()
    click.echo(tension_table(rows))


@incident.command("report")
@click.argument("incident_id")
@_db_option
@click.option("--as", "party", default=None, help="The report as this party may read it.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    help="Folder for <id>.html, <id>.md and map.png (default: here).",
)
@_named_errors
def incident_report(incident_id: str, db: str | None, party: str | None, out: Path) -> None:
    """Write the finding for INCIDENT_ID as a self-contained HTML file (map inside) and Markdown."""
    store, _ = build(Settings(str(db or default_db_path())), SystemClock())
    try:
        with store.read() as tx:
            material = report_material(tx, incident_id, party)
    finally:
        store.close()
    report = write_report(material, party)
    out.mkdir(parents=True, exist_ok=True)
    stem = incident_id + (f"-{party}" if party else "")
    (out / f"{stem}.html").write_text(report.html, encoding="utf-8")
    (out / f"{stem}.md").write_text(
        report.markdown.replace("](map.png)", f"]({stem}.png)"), encoding="utf-8"
    )
    (out / f"{stem}.png").write_bytes(report.png)
    click.echo(f"wrote {out / stem}.html, .md and .png")


@incident.command("file")
@click.argument("incident_id")
@click.option("--as", "actor", required=True, help="The reporting member.")
@click.option("--kind", required=True, type=click.Choice([k.value for k in IncidentKind]))
@click.option("--start", required=True, help="DTG or ISO 8601.")
@click.option("--end", required=True, help="DTG or ISO 8601.")
@click.option("--at", "where", required=True, help="Where: decimal degrees, MGRS or ACO.")
@click.option(
    "--uncertainty-m", type=float, default=None, help="Radius of uncertainty around --at."
)
@click.option("--affected", multiple=True, help="An affected party (repeat).")
@click.option("--alleged", multiple=True, help="An alleged party (repeat).")
@click.option("--text", default="")
@_db_option
@_named_errors
def incident_file(
    incident_id: str,
    actor: str,
    kind: str,
    start: str,
    end: str,
    where: str,
    uncertainty_m: float | None,
    affected: tuple[str, ...],
    alleged: tuple[str, ...],
    text: str,
    db: str | None,
) -> None:
    """Report an incident as a member: when, where (with its uncertainty), who."""
    place = (
        {"shape": "circle", "centre": where, "radius_m": uncertainty_m}
        if uncertainty_m
        else {"shape": "point", "at": where}
    )
    payload = {
        "id": incident_id,
        "kind": kind,
        "start": start,
        "end": end,
        "place": place,
        "affected": list(affected),
        "alleged": list(alleged),
        "text": text,
    }
    store, mechanism = build(Settings(str(db or default_db_path())), SystemClock())
    try:
        mechanism.handle(build_command("report_incident", payload), actor)
    finally:
        store.close()
    click.echo(
        f"incident {incident_id} reported; its finding: deconflict incident finding {incident_id}"
    )


# `deconflict import` / `deconflict export`: other tools' formats (docs/formats.md).
formats.register(main, _db_option, _named_errors)

# `deconflict cot` (TAK clients) / `deconflict aco import` (Airspace Control Orders).
cot.register(main, _db_option, _named_errors)
