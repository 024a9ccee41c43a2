"""Other tools' formats over HTTP: export what the caller's party may see as GeoJSON, KML or
ASTM F3548 volumes; import GeoJSON features or an operation's F3548 volumes, all recorded or
nothing (docs/formats.md).

An import is one transaction of its own (``Deconfliction.handle_together``), run on the event
loop's thread like the writer's batches, so it never interleaves with them; its answer is kept
with it for a retried ``Idempotency-Key``.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import Response

from ...adapters.codec import iso
from ...adapters.formats.exchange import EXPORTERS, IMPORTERS, ExportOptions, ImportOptions
from ...adapters.formats.f3548 import NoticeFields
from ...adapters.formats.timefmt import parse_time
from ...domain.arrangement import NoticeKind
from ...domain.chain import canonical
from ...domain.errors import DeconflictError, NotPermitted
from ...domain.parties import Role
from ...service.handlers import Outcome
from ...service.imports import record_together
from ...service.ports import Transaction
from ...service.selection import Kind, Selection, select_from
from ..context import Caller, IdempotencyMismatch, Who, recorded
from ..encoding import dumps_text
from ..schemas import FeatureCollectionIn, ImportOut

router = APIRouter(tags=["formats: import and export"])

_SUBJECTS = {
    "notice.filed": "notice",
    "declaration.made": "declaration",
    "measure.created": "measure",
}


# -- export -----------------------------------------------------------------------------------

KindQuery = Annotated[
    list[Kind] | None, Query(description="Only these kinds (repeat); default every kind")
]
OwnerQuery = Annotated[
    list[Annotated[str, Query(max_length=64)]] | None,
    Query(max_length=100, description="Only what these parties own (repeat)"),
]
FromQuery = Annotated[
    str | None,
    Query(alias="from", max_length=40, description="Only what is in force after (ISO or DTG)"),
]
ToQuery = Annotated[
    str | None, Query(max_length=40, description="Only what is in force before (ISO or DTG)")
]
InactiveQuery = Annotated[bool, Query(description="Cancelled and withdrawn ones too")]
AtQuery = Annotated[
    str | None,
    Query(
        max_length=40,
        description="As the party could see it at this past time (ISO or DTG), replayed from "
        "the log; default now",
    ),
]


def _time(text: str | None, name: str) -> Any:
    if text is None:
        return None
    try:
        return parse_time(text)
    except DeconflictError as exc:
        raise exc.at(name) from None


def selection_of(
    kind: list[Kind] | None,
    owner: list[str] | None,
    start: str | None,
    end: str | None,
    every: bool,
) -> Selection:
    try:
        return Selection(
            frozenset(kind or ()),
            frozenset(owner or ()),
            _time(start, "from"),
            _time(end, "to"),
            every,
        )
    except DeconflictError as exc:
        exc.field = "to" if exc.field == "end" else exc.field
        raise


def _export(
    who: Caller, fmt: str, selection: Selection, at: str | None, options: ExportOptions
) -> Response:
    exporter = EXPORTERS[fmt]
    selection = exporter.narrow(selection)
    selected = select_from(who.services.store, who.party, selection, _time(at, "at"))
    return Response(exporter.write(selected, options), media_type=exporter.media_type)


def _document(media_type: str, schema: dict[str, Any], what: str) -> dict[int | str, Any]:
    return {200: {"description": what, "content": {media_type: {"schema": schema}}}}


_COLLECTION = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"const": "FeatureCollection"},
        "features": {"type": "array", "items": {"type": "object"}},
    },
}
_NOTICES = {
    "type": "object",
    "required": ["notices"],
    "properties": {"notices": {"type": "array", "items": {"type": "object"}}},
}


@router.get(
    "/export/geojson",
    response_class=Response,
    responses=_document("application/geo+json", _COLLECTION, "An RFC 7946 FeatureCollection"),
    summary="What the caller's party may see, as a GeoJSON FeatureCollection",
)
def export_geojson(
    who: Who,
    kind: KindQuery = None,
    owner: OwnerQuery = None,
    start: FromQuery = None,
    to: ToQuery = None,
    include_inactive: InactiveQuery = False,
    at: AtQuery = None,
) -> Response:
    selection = selection_of(kind, owner, start, to, include_inactive)
    return _export(who, "geojson", selection, at, ExportOptions())


@router.get(
    "/export/kml",
    response_class=Response,
    responses=_document(
        EXPORTERS["kml"].media_type, {"type": "string"}, "A KML 2.2 document (UTF-8)"
    ),
    summary="What the caller's party may see, as KML (styled by party and state, time spans)",
)
def export_kml(
    who: Who,
    kind: KindQuery = None,
    owner: OwnerQuery = None,
    start: FromQuery = None,
    to: ToQuery = None,
    include_inactive: InactiveQuery = False,
    at: AtQuery = None,
) -> Response:
    selection = selection_of(kind, owner, start, to, include_inactive)
    return _export(who, "kml", selection, at, ExportOptions())


Undulation = Annotated[
    float,
    Query(
        ge=-107.0,
        le=86.0,
        description="Mean sea level above the WGS 84 ellipsoid here, in metres (W84 heights)",
    ),
]


@router.get(
    "/export/f3548",
    response_class=Response,
    responses=_document("application/json", _NOTICES, "Notices with their F3548 Volume4D"),
    summary="The notices the caller's party may see, each with its ASTM F3548 Volume4D list",
)
def export_f3548(
    who: Who,
    owner: OwnerQuery = None,
    start: FromQuery = None,
    to: ToQuery = None,
    include_inactive: InactiveQuery = False,
    at: AtQuery = None,
    geoid_undulation_m: Undulation = 0.0,
) -> Response:
    selection = selection_of([Kind.NOTICE], owner, start, to, include_inactive)
    return _export(who, "f3548", selection, at, ExportOptions(geoid_undulation_m))


# -- import -----------------------------------------------------------------------------------


def _may_import(who: Caller, notices_only: bool) -> None:
    """Refuse at once whoever may record nothing an import could hold (the handlers then
    check each object: a notice needs an officer or commander, a measure its arrangement)."""
    if who.member.role is Role.VIEWER or (notices_only and who.member.role is Role.ADMIN):
        raise NotPermitted(f"a {who.member.role} ({who.member.id}) may not import this")


def _answer(who: Caller, outcomes: list[Outcome], dry_run: bool) -> dict[str, Any]:
    entries = [e for o in outcomes for e in o.entries]
    return {
        "objects": [
            {"type": _SUBJECTS[e.kind], "id": e.subject_id} for e in entries if e.kind in _SUBJECTS
        ],
        "recorded": [] if dry_run else recorded(Outcome(entries)),
        "conflicts": [v for o in outcomes for v in who.conflicts_seen(o)],
    }


def _replayed(who: Caller, request: str) -> Response | None:
    """The kept answer to a retried Idempotency-Key, if there is one."""
    key = who.idempotency_key
    if key is None:
        return None
    with who.services.store.read() as tx:
        kept = tx.recall(who.member.id, key)
    if kept is None:
        return None
    digest, status, body = kept
    if digest != request:
        raise IdempotencyMismatch(
            "this Idempotency-Key was used for a different request", field="Idempotency-Key"
        )
    return Response(body, status, {"Idempotent-Replay": "true"}, media_type="application/json")


def _import(who: Caller, fmt: str, document: Any, options: ImportOptions, query: Any) -> Response:
    request = hashlib.sha256(canonical([who.method, who.path, document, query])).hexdigest()
    replay = _replayed(who, request)
    if replay is not None:
        return replay
    imported = IMPORTERS[fmt].read(document, options)
    services, key = who.services, who.idempotency_key
    kept: list[str] = []

    def remember(outcomes: list[Outcome], tx: Transaction) -> None:
        kept.append(dumps_text(_answer(who, outcomes, dry_run=False)))
        if key is not None:
            now = iso(services.clock.now())
            tx.remember(who.member.id, key, request, 201, kept[0], now)

    outcomes = record_together(
        services.mechanism, who.member.id, imported.commands, imported.locate, then=remember
    )
    services.notifier.notify()
    body = kept[0] if kept else dumps_text(_answer(who, outcomes, dry_run=False))
    return Response(body, 201, media_type="application/json")


def _preview(who: Caller, fmt: str, document: Any, options: ImportOptions) -> dict[str, Any]:
    imported = IMPORTERS[fmt].read(document, options)
    outcomes = record_together(
        who.services.mechanism, who.member.id, imported.commands, imported.locate, dry_run=True
    )
    return _answer(who, outcomes, dry_run=True)


def _features(body: FeatureCollectionIn) -> Any:
    return body.model_dump(mode="json")


_IMPORT_SUMMARY = "all recorded in one transaction, or nothing; every bad feature reported"


@router.post(
    "/import/geojson",
    response_model=ImportOut,
    status_code=201,
    summary=f"Import notices, declarations and measures from GeoJSON features: {_IMPORT_SUMMARY}",
)
async def import_geojson(who: Who, body: FeatureCollectionIn) -> Response:
    _may_import(who, notices_only=False)
    return _import(who, "geojson", _features(body), ImportOptions(who.party), {})


@router.post(
    "/import/geojson/preview",
    response_model=ImportOut,
    summary="Check and screen a GeoJSON import without recording it: what it would record",
)
async def preview_geojson(who: Who, body: FeatureCollectionIn) -> dict[str, Any]:
    _may_import(who, notices_only=False)
    return _preview(who, "geojson", _features(body), ImportOptions(who.party))


F3548Body = Annotated[
    list[dict[str, Any]] | dict[str, Any],
    Body(
        description="A list of F3548 Volume4D (give id, line and kind as query parameters), or "
        '{"id", "line", "kind", "forces", "remarks", "geoid_undulation_m", "volumes": [...]}'
    ),
]


def _notice_fields(
    id: str | None, line: str | None, kind: NoticeKind | None, undulation: float | None
) -> NoticeFields:
    return NoticeFields(id, line, str(kind) if kind else None, geoid_undulation_m=undulation)


IdQuery = Annotated[str | None, Query(max_length=64, description="The notice's id")]
LineQuery = Annotated[str | None, Query(max_length=64, description="The line it is filed on")]
NoticeKindQuery = Annotated[NoticeKind | None, Query(description="The notice's kind")]
OptionalUndulation = Annotated[
    float | None,
    Query(ge=-107.0, le=86.0, description="Mean sea level above the WGS 84 ellipsoid, metres"),
]


@router.post(
    "/import/f3548",
    response_model=ImportOut,
    status_code=201,
    summary="File a notice from an operation's ASTM F3548 Volume4D list: recorded whole or not",
)
async def import_f3548(
    who: Who,
    body: F3548Body,
    id: IdQuery = None,
    line: LineQuery = None,
    kind: NoticeKindQuery = None,
    geoid_undulation_m: OptionalUndulation = None,
) -> Response:
    _may_import(who, notices_only=True)
    fields = _notice_fields(id, line, kind, geoid_undulation_m)
    query = {"id": id, "line": line, "kind": kind, "geoid_undulation_m": geoid_undulation_m}
    return _import(who, "f3548", body, ImportOptions(who.party, fields), query)


@router.post(
    "/import/f3548/preview",
    response_model=ImportOut,
    summary="Check and screen an F3548 notice without filing it: the conflicts it would make",
)
async def preview_f3548(
    who: Who,
    body: F3548Body,
    id: IdQuery = None,
    line: LineQuery = None,
    kind: NoticeKindQuery = None,
    geoid_undulation_m: OptionalUndulation = None,
) -> dict[str, Any]:
    _may_import(who, notices_only=True)
    fields = _notice_fields(id, line, kind, geoid_undulation_m)
    return _preview(who, "f3548", body, ImportOptions(who.party, fields))
