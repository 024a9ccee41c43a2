"""A small world for the HTTP API tests, set up through the mechanism as the local operator.

Three parties: ``coalition`` and ``russia`` share the arrangement ``mou`` and its air, ground
and command lines; ``un-desk`` is on no line (it is party only to ``ru-un``, an arrangement
with russia that has no lines). Every party has one member of each role, whose bearer token is
``token(party, role)``. The template is built once into a SQLite file and copied (sqlite3
backup) for each test, so tests never see each other's writes.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from deconflict.adapters.payloads import build_command
from deconflict.bootstrap import ServeSettings, build_server
from deconflict.domain.credentials import token_digest
from deconflict.service.commands import AddMember, CreateParty

PARTIES = ("coalition", "russia", "un-desk")
ROLES = ("admin", "commander", "officer", "viewer")
LINES = ("hotline-air", "hotline-ground", "hotline-command")
START, END = "2030-01-01T10:00:00Z", "2030-01-01T12:00:00Z"

#: Where the coalition's undisclosed declaration is: russia must never learn it.
HIDDEN_DECLARATION = "co-decl-hidden"
HIDDEN_CENTRE = (40.2153, 35.3957)


def token(party: str, role: str) -> str:
    return f"token-{party}-{role}-0123456789abcdef"


def member(party: str, role: str) -> str:
    return f"{party}-{role}"


def auth(party: str, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(party, role)}"}


def fresh(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def point(lon: float, lat: float, radius_m: float = 3000.0) -> dict[str, Any]:
    return {"geometry": {"type": "Point", "coordinates": [lon, lat]}, "radius_m": radius_m}


def volume(lon: float = 40.19, lat: float = 35.41) -> dict[str, Any]:
    return {
        "footprint": point(lon, lat),
        "lower": "SFC",
        "upper": "FL200",
        "start": START,
        "end": END,
    }


def notice_body(notice_id: str, line: str = "hotline-air") -> dict[str, Any]:
    return {"id": notice_id, "line": line, "kind": "air_strike", "volumes": [volume()]}


def declaration_body(declaration_id: str, disclosed_to: list[str] | None = None) -> dict[str, Any]:
    return {
        "id": declaration_id,
        "kind": "site",
        "footprint": point(40.5, 35.1, 500.0),
        "start": START,
        "disclosed_to": disclosed_to or [],
    }


def measure_body(measure_id: str, arrangement: str = "mou") -> dict[str, Any]:
    return {
        "id": measure_id,
        "arrangement": arrangement,
        "kind": "zone",
        "name": "test zone",
        "footprint": point(39.0, 34.0, 1000.0),
        "rule": "no_entry",
        "start": START,
    }


def _run(mechanism: Any, action: str, payload: dict[str, Any], actor: str = "system") -> Any:
    return mechanism.handle(build_command(action, payload), actor)


def build_template(path: Path) -> dict[str, Any]:
    """Build the world into ``path``; return the numbers of the messages the tests answer."""
    app, store = build_server(ServeSettings(db=str(path), deadline_every_s=3600))
    mechanism = app.state.services.mechanism
    for party, affiliate in zip(PARTIES, ("SDF", "SAA", "UN"), strict=True):
        mechanism.handle(CreateParty(party, f"{party} party", (affiliate,)))
        for role in (*ROLES, "spare"):
            mechanism.handle(
                AddMember(
                    member(party, role),
                    party,
                    "officer" if role == "spare" else role,  # type: ignore[arg-type]
                    f"{party} {role}",
                    token_digest(token(party, role)),
                )
            )
    lines = [{"domain": d, "ack_deadline_min": 600} for d in ("air", "ground", "command")]
    _run(
        mechanism,
        "create_arrangement",
        {"id": "mou", "parties": ["coalition", "russia"], "lines": lines},
    )
    _run(mechanism, "create_arrangement", {"id": "ru-un", "parties": ["russia", "un-desk"]})
    for line in LINES:
        _run(
            mechanism, "open_line", {"id": line, "arrangement": "mou", "domain": line.split("-")[1]}
        )
    _run(mechanism, "create_measure", measure_body("mou-zone"))
    officer = {p: member(p, "officer") for p in PARTIES}
    _run(mechanism, "notify", notice_body("co-notice"), officer["coalition"])
    _run(mechanism, "notify", notice_body("ru-notice"), officer["russia"])
    _run(mechanism, "declare", declaration_body("co-decl-shared", ["russia"]), officer["coalition"])
    _run(mechanism, "declare", declaration_body("ru-decl-shared", ["coalition"]), officer["russia"])
    hidden = {
        "id": HIDDEN_DECLARATION,
        "kind": "force_position",
        "footprint": point(*HIDDEN_CENTRE, 2000.0),
        "start": START,
        "label": "SDF forward positions (not for russia)",
    }
    _run(mechanism, "declare", hidden, officer["coalition"])
    # A russian strike over the hidden position: a conflict russia takes part in.
    _run(mechanism, "notify", notice_body("ru-strike"), officer["russia"])
    incident = {
        "id": "co-incident",
        "kind": "strike_on_forces",
        "start": START,
        "end": END,
        "place": point(40.19, 35.41, 1500.0),  # where the strike fell, not the hidden position
        "affected": ["coalition"],
        "alleged": ["russia"],
    }
    _run(mechanism, "report_incident", incident, officer["coalition"])
    _run(
        mechanism,
        "create_measure",
        measure_body("co-zone") | {"owner": "coalition"},
        officer["coalition"],
    )
    _run(mechanism, "suspend_line", {"line": "hotline-command"}, member("coalition", "commander"))
    numbers: dict[str, int] = {}
    with store.read() as tx:
        from deconflict.domain.notices import Notice

        for n in tx.all(Notice):
            numbers[n.id] = n.message_number or 0
    store.close()
    return numbers


def copy_db(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


@contextmanager
def serve(template: Path, tmp_path: Path) -> Iterator[TestClient]:
    """A fresh app over a copy of the template, its lifespan running."""
    db = tmp_path / f"api-{uuid.uuid4().hex[:8]}.sqlite"
    copy_db(template, db)
    app, store = build_server(ServeSettings(db=str(db), deadline_every_s=3600))
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client
    finally:
        store.close()


def declared_routes(app: Any) -> set[tuple[str, str]]:
    """(method, path) of every route the app declares under /api/v1, hidden ones included."""
    found: set[tuple[str, str]] = set()

    def walk(routes: Any) -> None:
        for route in routes:
            contexts = getattr(route, "effective_route_contexts", None)
            if contexts is not None:  # FastAPI's included routers
                for ctx in contexts():
                    found.update((m, ctx.path) for m in ctx.methods or ())
            elif hasattr(route, "path") and getattr(route, "methods", None):
                found.update((m, route.path) for m in route.methods)
            elif hasattr(route, "routes"):
                walk(route.routes)

    walk(app.routes)
    return {(m, p) for m, p in found if p.startswith("/api/v1") and m != "HEAD"}


def declaration_feature(declaration_id: str) -> dict[str, Any]:
    """A GeoJSON feature of a declaration (docs/formats.md)."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [40.6, 35.2]},
        "properties": {
            "kind": "declaration",
            "id": declaration_id,
            "declaration_kind": "site",
            "start": START,
            "radius_m": 400,
        },
    }


def notice_feature(notice_id: str, line: str = "hotline-air") -> dict[str, Any]:
    """A GeoJSON feature of a one-volume notice."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [40.19, 35.41]},
        "properties": {
            "kind": "notice",
            "id": notice_id,
            "line": line,
            "notice_kind": "isr",
            "start": START,
            "end": END,
            "lower": "SFC",
            "upper": "FL200",
            "radius_m": 3000,
        },
    }


def features(*items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(items)}


def f3548_volumes(lon: float = 40.19, lat: float = 35.41) -> list[dict[str, Any]]:
    """An operation's ASTM F3548 Volume4D list: one circle, 0-6096 m above the ellipsoid."""
    return [
        {
            "volume": {
                "outline_circle": {
                    "center": {"lat": lat, "lng": lon},
                    "radius": {"value": 3000, "units": "M"},
                },
                "altitude_lower": {"value": 0, "reference": "W84", "units": "M"},
                "altitude_upper": {"value": 6096, "reference": "W84", "units": "M"},
            },
            "time_start": {"value": START, "format": "RFC3339"},
            "time_end": {"value": END, "format": "RFC3339"},
        }
    ]
