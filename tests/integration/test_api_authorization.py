"""Who may do what over HTTP: every /api/v1 route x every role x own party, another party's
visible object, and an object the caller's party may not see.

The table below is the contract: 200/201 allowed, 403 forbidden (the role may not, or the
object belongs to another party the caller can see), 404 the object is invisible to the
caller's party (need-to-know: the answer must not reveal it exists). A role that may not do
the action at all gets 403 whatever the object. Each cell runs on a fresh copy of the template
store, so cells are independent; a new route without a row fails ``test_every_route_has_rows``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from deconflict.bootstrap import ServeSettings, build_server
from deconflict.service.commands import RevokeCredentials

from .api_fixtures import (
    END,
    HIDDEN_CENTRE,
    HIDDEN_DECLARATION,
    ROLES,
    START,
    auth,
    build_template,
    declaration_body,
    declaration_feature,
    declared_routes,
    f3548_volumes,
    features,
    fresh,
    measure_body,
    member,
    notice_body,
    notice_feature,
    point,
    serve,
    volume,
)

PROBLEM = "application/problem+json"
Numbers = dict[str, int]
#: (path with its parameters filled, JSON body or None), given the template's message numbers.
Make = Callable[[Numbers], tuple[str, dict[str, Any] | None]]


def _all(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def _only(roles: tuple[str, ...], status: int, otherwise: int = 403) -> dict[str, int]:
    return {r: status if r in roles else otherwise for r in ROLES}


READERS = _all(200)
WRITERS = ("commander", "officer")


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # the template, as the app declares it
    scope: str  # own | peer (another party's object the caller sees) | outsider (invisible)
    party: str  # the caller's party
    make: Make
    expect: dict[str, int]
    bugs: dict[str, str] = field(default_factory=dict)  # role -> xfail reason

    @property
    def stream(self) -> bool:
        return self.path.endswith("/stream")


def _get(path: str) -> Make:
    return lambda _: (path, None)


def _post(path: str, body: Callable[[], dict[str, Any]] | None = None) -> Make:
    return lambda _: (path, body() if body else None)


def _const(body: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    return lambda: body


def _ack(notice: str) -> Make:
    return lambda n: (
        f"/api/v1/lines/hotline-air/messages/{n[notice]}/acknowledge",
        {"answer": "no_objection"},
    )


def _aco() -> dict[str, Any]:
    """An Airspace Control Order of one zone in the arrangement ``mou``, under fresh ids."""
    text = (
        "MSGID/ACO/CAOC//\nPERIOD/010000ZJAN2030/020000ZJAN2030//\n"
        "ACMID/ACM:ROZ/NAME:ROZ 1/CIRCLE/USE:ROZ//\nCIRCLE/LATM:3400N03900E/RADIUS:1NM//\n"
        "EFFLEVEL/FLFL:FL050-FL100//\n"
    )
    return {"arrangement": "mou", "text": text, "prefix": fresh("aco") + "-"}


V = "/api/v1"
ROWS: list[Row] = [
    Row("GET", f"{V}/me", "own", "coalition", _get(f"{V}/me"), READERS),
    Row("GET", f"{V}/parties", "own", "coalition", _get(f"{V}/parties"), READERS),
    Row(
        "POST",
        f"{V}/parties",
        "own",
        "coalition",
        _post(f"{V}/parties", lambda: {"id": fresh("party"), "name": "a new party"}),
        _only(("admin",), 201),
    ),
    Row("GET", f"{V}/members", "own", "coalition", _get(f"{V}/members"), READERS),
    Row(
        "POST",
        f"{V}/members",
        "own",
        "coalition",
        _post(f"{V}/members", lambda: {"id": fresh("m"), "party": "coalition", "role": "officer"}),
        _only(("admin",), 201),
    ),
    Row(
        "POST",
        f"{V}/members",
        "peer",
        "coalition",
        _post(f"{V}/members", lambda: {"id": fresh("m"), "party": "russia", "role": "officer"}),
        _all(403),
        {},
    ),
    Row(
        "POST",
        f"{V}/members/{{member_id}}/revoke",
        "own",
        "coalition",
        _post(f"{V}/members/coalition-spare/revoke"),
        _only(("admin",), 200),
    ),
    Row(
        "POST",
        f"{V}/members/{{member_id}}/revoke",
        "peer",
        "coalition",
        _post(f"{V}/members/russia-spare/revoke"),
        _only(("admin",), 404),
        {},
    ),
    Row("GET", f"{V}/arrangements", "own", "coalition", _get(f"{V}/arrangements"), READERS),
    Row(
        "POST",
        f"{V}/arrangements",
        "own",
        "coalition",
        _post(f"{V}/arrangements", lambda: {"id": fresh("a"), "parties": ["coalition", "un-desk"]}),
        _only(("admin",), 201),
    ),
    Row(
        "POST",
        f"{V}/arrangements",
        "peer",
        "coalition",
        _post(f"{V}/arrangements", lambda: {"id": fresh("a"), "parties": ["russia", "un-desk"]}),
        _all(403),
        {},
    ),
    Row("GET", f"{V}/lines", "own", "coalition", _get(f"{V}/lines"), READERS),
    Row(
        "POST",
        f"{V}/lines",
        "own",
        "coalition",
        _post(f"{V}/lines", lambda: {"id": fresh("l"), "arrangement": "mou", "domain": "air"}),
        _only(("admin",), 201),
    ),
    Row(
        "POST",
        f"{V}/lines",
        "outsider",
        "coalition",
        _post(f"{V}/lines", lambda: {"id": fresh("l"), "arrangement": "ru-un", "domain": "air"}),
        _only(("admin",), 404),
        {},
    ),
    Row(
        "GET",
        f"{V}/lines/{{line_id}}/messages",
        "own",
        "coalition",
        _get(f"{V}/lines/hotline-air/messages"),
        READERS,
    ),
    Row(
        "GET",
        f"{V}/lines/{{line_id}}/messages",
        "outsider",
        "un-desk",
        _get(f"{V}/lines/hotline-air/messages"),
        _all(404),
    ),
    Row(
        "POST",
        f"{V}/lines/{{line_id}}/messages",
        "own",
        "coalition",
        _post(f"{V}/lines/hotline-air/messages", lambda: {"kind": "text", "text": "hello"}),
        _only(WRITERS, 201),
    ),
    Row(
        "POST",
        f"{V}/lines/{{line_id}}/messages",
        "outsider",
        "un-desk",
        _post(f"{V}/lines/hotline-air/messages", lambda: {"kind": "text", "text": "hello"}),
        _only(WRITERS, 404),
        {},
    ),
    Row(
        "POST",
        f"{V}/lines/{{line_id}}/messages/{{number}}/acknowledge",
        "peer",
        "coalition",
        _ack("ru-notice"),
        _only(WRITERS, 201),
    ),
    Row(
        "POST",
        f"{V}/lines/{{line_id}}/messages/{{number}}/acknowledge",
        "own",
        "coalition",
        _ack("co-notice"),  # a party does not acknowledge its own message
        _all(403),
    ),
    Row(
        "POST",
        f"{V}/lines/{{line_id}}/messages/{{number}}/acknowledge",
        "outsider",
        "un-desk",
        _ack("ru-notice"),
        _only(WRITERS, 404),
        {},
    ),
    Row(
        "POST",
        f"{V}/lines/{{line_id}}/suspend",
        "own",
        "coalition",
        _post(f"{V}/lines/hotline-air/suspend"),
        _only(("commander",), 200),
    ),
    Row(
        "POST",
        f"{V}/lines/{{line_id}}/suspend",
        "outsider",
        "un-desk",
        _post(f"{V}/lines/hotline-air/suspend"),
        _only(("commander",), 404),
        {},
    ),
    Row(
        "POST",
        f"{V}/lines/{{line_id}}/resume",
        "own",
        "coalition",
        _post(f"{V}/lines/hotline-command/resume"),
        _only(("commander",), 200),
    ),
    Row(
        "POST",
        f"{V}/lines/{{line_id}}/resume",
        "outsider",
        "un-desk",
        _post(f"{V}/lines/hotline-command/resume"),
        _only(("commander",), 404),
        {},
    ),
    Row("GET", f"{V}/notices", "own", "coalition", _get(f"{V}/notices"), READERS),
    Row(
        "POST",
        f"{V}/notices",
        "own",
        "coalition",
        _post(f"{V}/notices", lambda: notice_body(fresh("n"))),
        _only(WRITERS, 201),
    ),
    Row(
        "POST",
        f"{V}/notices",
        "outsider",
        "un-desk",
        _post(f"{V}/notices", lambda: notice_body(fresh("n"))),
        _only(WRITERS, 404),
        {},
    ),
    Row(
        "POST",
        f"{V}/notices/preview",
        "own",
        "coalition",
        _post(f"{V}/notices/preview", lambda: notice_body(fresh("n"))),
        _only(WRITERS, 200),
    ),
    Row(
        "POST",
        f"{V}/notices/preview",
        "outsider",
        "un-desk",
        _post(f"{V}/notices/preview", lambda: notice_body(fresh("n"))),
        _only(WRITERS, 404),
    ),
    *(
        Row("GET", f"{V}/notices/{{notice_id}}{tail}", scope, party, _get(path), expect)
        for tail in ("", "/versions")
        for scope, party, path, expect in (
            ("own", "coalition", f"{V}/notices/co-notice{tail}", READERS),
            ("peer", "coalition", f"{V}/notices/ru-notice{tail}", READERS),
            ("outsider", "un-desk", f"{V}/notices/co-notice{tail}", _all(404)),
        )
    ),
    *(
        Row(
            "POST",
            f"{V}/notices/{{notice_id}}/{verb}",
            scope,
            party,
            _post(f"{V}/notices/{notice}/{verb}", _const(body)),
            expect,
            bugs,
        )
        for verb, ok, body in (
            ("amend", 201, {"volumes": [volume(40.0, 35.0)]}),
            ("amend/preview", 200, {"volumes": [volume(40.0, 35.0)]}),
            ("cancel", 200, {"reason": "no longer needed"}),
        )
        for scope, party, notice, expect, bugs in (
            ("own", "coalition", "co-notice", _only(WRITERS, ok), {}),
            ("peer", "coalition", "ru-notice", _all(403), {}),
            (
                "outsider",
                "un-desk",
                "co-notice",
                _only(WRITERS, 404),
                {},
            ),
        )
    ),
    Row("GET", f"{V}/declarations", "own", "coalition", _get(f"{V}/declarations"), READERS),
    Row(
        "POST",
        f"{V}/declarations",
        "own",
        "coalition",
        _post(f"{V}/declarations", lambda: declaration_body(fresh("d"))),
        _only(WRITERS, 201),
    ),
    Row(
        "POST",
        f"{V}/declarations/preview",
        "own",
        "coalition",
        _post(f"{V}/declarations/preview", lambda: declaration_body(fresh("d"))),
        _only(WRITERS, 200),
    ),
    Row(
        "POST",
        f"{V}/declarations/{{declaration_id}}/withdraw",
        "own",
        "coalition",
        _post(f"{V}/declarations/co-decl-shared/withdraw"),
        _only(WRITERS, 200),
    ),
    Row(
        "POST",
        f"{V}/declarations/{{declaration_id}}/withdraw",
        "peer",
        "coalition",
        _post(f"{V}/declarations/ru-decl-shared/withdraw"),
        _all(403),
    ),
    Row(
        "POST",
        f"{V}/declarations/{{declaration_id}}/withdraw",
        "outsider",
        "russia",
        _post(f"{V}/declarations/{HIDDEN_DECLARATION}/withdraw"),
        _only(WRITERS, 404),
        {},
    ),
    Row("GET", f"{V}/measures", "own", "coalition", _get(f"{V}/measures"), READERS),
    Row(
        "POST",
        f"{V}/measures",
        "own",
        "coalition",
        _post(f"{V}/measures", lambda: measure_body(fresh("zone"))),
        _only(("admin", *WRITERS), 201),
    ),
    Row(
        "POST",
        f"{V}/measures",
        "outsider",
        "un-desk",
        _post(f"{V}/measures", lambda: measure_body(fresh("zone"))),
        _only(("admin", *WRITERS), 404),
        {},
    ),
    *(
        Row(
            "POST",
            f"{V}/measures/preview",
            scope,
            party,
            _post(f"{V}/measures/preview", lambda: measure_body(fresh("zone"))),
            _only(("admin", *WRITERS), status),
        )
        for scope, party, status in (("own", "coalition", 200), ("outsider", "un-desk", 404))
    ),
    Row("GET", f"{V}/conflicts", "own", "coalition", _get(f"{V}/conflicts"), READERS),
    Row("GET", f"{V}/log", "own", "coalition", _get(f"{V}/log"), READERS),
    Row("GET", f"{V}/stream", "own", "coalition", _get(f"{V}/stream"), READERS),
    Row("GET", f"{V}/incidents", "own", "coalition", _get(f"{V}/incidents"), READERS),
    Row(
        "POST",
        f"{V}/incidents",
        "own",
        "coalition",
        _post(
            f"{V}/incidents",
            lambda: {
                "id": fresh("inc"),
                "kind": "other",
                "start": START,
                "end": END,
                "place": point(40.2, 35.4, 1000.0),
                "alleged": ["russia"],
            },
        ),
        _only(WRITERS, 201),
    ),
    *(
        Row(
            "GET",
            f"{V}/incidents/{{incident_id}}/{what}",
            scope,
            party,
            _get(f"{V}/incidents/co-incident/{what}"),
            expect,
        )
        for what in ("finding", "report")
        for scope, party, expect in (
            ("own", "coalition", READERS),
            ("peer", "russia", READERS),  # alleged: it may read the finding, redacted
            ("outsider", "un-desk", _all(404)),
        )
    ),
    Row(
        "POST",
        f"{V}/measures/{{zone_id}}/ladder",
        "own",
        "coalition",
        _post(f"{V}/measures/co-zone/ladder", lambda: {"id": fresh("step"), "rung": "dissuade"}),
        _only(("commander",), 201),
    ),
    Row(
        "POST",
        f"{V}/measures/{{zone_id}}/ladder",
        "peer",
        "russia",
        _post(f"{V}/measures/co-zone/ladder", lambda: {"id": fresh("step"), "rung": "dissuade"}),
        _all(403),
    ),
    Row(
        "POST",
        f"{V}/measures/{{zone_id}}/ladder",
        "outsider",
        "un-desk",
        _post(f"{V}/measures/co-zone/ladder", lambda: {"id": fresh("step"), "rung": "dissuade"}),
        _only(("commander",), 404),
    ),
    Row("GET", f"{V}/tension", "own", "coalition", _get(f"{V}/tension"), READERS),
    Row(
        "GET",
        f"{V}/situation",
        "own",
        "coalition",
        _get(f"{V}/situation?at=2030-01-01T11:00:00Z"),
        READERS,
    ),
    Row(
        "GET",
        f"{V}/basemap",
        "own",
        "coalition",
        _get(f"{V}/basemap?bbox=40.5,34.0,41.5,35.0&resolution=l"),
        READERS,
    ),
    *(
        Row("GET", f"{V}/export/{fmt}", "own", "coalition", _get(f"{V}/export/{fmt}"), READERS)
        for fmt in ("geojson", "kml", "f3548")
    ),
    *(
        Row(
            "POST",
            f"{V}/import/geojson{tail}",
            scope,
            party,
            _post(f"{V}/import/geojson{tail}", body),
            _only(WRITERS, ok if scope == "own" else 404),
        )
        for tail, ok in (("", 201), ("/preview", 200))
        for scope, party, body in (
            ("own", "coalition", lambda: features(declaration_feature(fresh("d")))),
            ("outsider", "un-desk", lambda: features(notice_feature(fresh("n")))),
        )
    ),
    *(
        Row(
            "POST",
            f"{V}/import/f3548{tail}",
            scope,
            party,
            _post(
                f"{V}/import/f3548{tail}?id={fresh('op')}&line=hotline-air&kind=isr", f3548_volumes
            ),
            _only(WRITERS, ok if scope == "own" else 404),
        )
        for tail, ok in (("", 201), ("/preview", 200))
        for scope, party in (("own", "coalition"), ("outsider", "un-desk"))
    ),
    Row("GET", f"{V}/export/cot", "own", "coalition", _get(f"{V}/export/cot"), READERS),
    *(
        Row(
            "POST",
            f"{V}/import/aco{tail}",
            scope,
            party,
            _post(f"{V}/import/aco{tail}", _aco),
            _only(("admin", *WRITERS), ok if scope == "own" else 404),
        )
        for tail, ok in (("", 201), ("/preview", 200))
        for scope, party in (("own", "coalition"), ("outsider", "un-desk"))
    ),
]

EXPORT_TYPES = {
    "geojson": "application/geo+json",
    "kml": "application/vnd.google-earth.kml+xml",
    "f3548": "application/json",
    "cot": "application/xml",
}


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Numbers]:
    path = tmp_path_factory.mktemp("api-template") / "template.sqlite"
    return path, build_template(path)


@pytest.fixture
def numbers(template: tuple[Path, Numbers]) -> Numbers:
    return template[1]


@pytest.fixture
def client(template: tuple[Path, Numbers], tmp_path: Path) -> Iterator[TestClient]:
    with serve(template[0], tmp_path) as c:
        yield c


def call(
    client: TestClient, method: str, path: str, headers: dict[str, str], body: Any = None
) -> tuple[int, dict[str, str], bytes]:
    """One request; a stream is read to its first frame, then dropped."""
    if path.endswith("/stream"):
        with client.stream(method, path, headers=headers) as response:
            first = next(response.iter_raw(), b"")
            return response.status_code, dict(response.headers), first
    response = client.request(method, path, headers=headers, json=body)
    return response.status_code, dict(response.headers), response.content


def assert_problem(status: int, headers: dict[str, str], content: bytes, expected: int) -> None:
    assert headers["content-type"].startswith(PROBLEM), headers
    problem = json.loads(content)
    assert problem["status"] == expected and problem["code"] and problem["detail"]


# -- the matrix -------------------------------------------------------------------------------


def _cells() -> Iterator[Any]:
    for row in ROWS:
        for role in ROLES:
            marks = (
                [pytest.mark.xfail(strict=True, reason=row.bugs[role])] if role in row.bugs else []
            )
            ident = f"{row.method}:{row.path.removeprefix(V)}:{row.scope}:{role}"
            yield pytest.param(row, role, id=ident, marks=marks)


@pytest.mark.parametrize(("row", "role"), list(_cells()))
def test_matrix(client: TestClient, numbers: Numbers, row: Row, role: str) -> None:
    path, body = row.make(numbers)
    status, headers, content = call(client, row.method, path, auth(row.party, role), body)
    expected = row.expect[role]
    assert status == expected, content[:500]
    if expected >= 400:
        assert_problem(status, headers, content, expected)
    elif row.stream:
        assert headers["content-type"].startswith("text/event-stream")
    elif row.path.endswith("/report"):
        assert headers["content-type"].startswith("text/html")
        assert (HIDDEN_DECLARATION in content.decode()) == (row.party == "coalition")
    elif row.path.startswith(f"{V}/export/"):
        assert headers["content-type"].startswith(EXPORT_TYPES[row.path.rsplit("/", 1)[1]])
    else:
        assert headers["content-type"].startswith("application/json")
        json.loads(content)


def test_every_route_has_rows(template: tuple[Path, Numbers], tmp_path: Path) -> None:
    app, store = build_server(ServeSettings(db=str(tmp_path / "routes.sqlite")))
    try:
        declared = declared_routes(app)
    finally:
        store.close()
    covered = {(row.method, row.path) for row in ROWS}
    assert covered == declared, {
        "routes without a matrix row": sorted(declared - covered),
        "rows for no route": sorted(covered - declared),
    }
    assert len(declared) >= 29
    # Every route is tried by every role.
    assert all(set(row.expect) == set(ROLES) for row in ROWS)


ROUTES = sorted({(row.method, row.path): row for row in ROWS if row.scope == "own"}.items())


@pytest.mark.parametrize(
    "row", [row for _, row in ROUTES], ids=[f"{m}:{p.removeprefix(V)}" for (m, p), _ in ROUTES]
)
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic dXNlcjpwdw=="}],
    ids=["no-token", "unknown-token", "not-bearer"],
)
def test_no_valid_token_is_401(
    client: TestClient, numbers: Numbers, row: Row, headers: dict[str, str]
) -> None:
    path, body = row.make(numbers)
    status, answer_headers, content = call(client, row.method, path, headers, body)
    assert status == 401, content[:500]
    assert_problem(status, answer_headers, content, 401)
    assert answer_headers.get("www-authenticate", "").startswith("Bearer")


def test_every_route_needs_a_token() -> None:
    assert {(m, p) for (m, p), _ in ROUTES} == {(r.method, r.path) for r in ROWS}


# -- revoked tokens ---------------------------------------------------------------------------


def test_a_token_revoked_over_http_is_refused(client: TestClient) -> None:
    officer = auth("coalition", "officer")
    assert client.get(f"{V}/me", headers=officer).status_code == 200
    revoked = client.post(
        f"{V}/members/{member('coalition', 'officer')}/revoke", headers=auth("coalition", "admin")
    )
    assert revoked.status_code == 200, revoked.text
    for method, path, body in (
        ("GET", f"{V}/me", None),
        ("GET", f"{V}/notices", None),
        ("POST", f"{V}/notices", notice_body(fresh("n"))),
    ):
        status, headers, content = call(client, method, path, officer, body)
        assert status == 401, content
        assert_problem(status, headers, content, 401)
    # The others of the party are untouched.
    assert client.get(f"{V}/me", headers=auth("coalition", "commander")).status_code == 200


def test_a_token_revoked_by_the_operator_is_refused(client: TestClient) -> None:
    headers = auth("russia", "officer")
    assert client.get(f"{V}/me", headers=headers).json()["member"]["party"] == "russia"
    client.app.state.services.mechanism.handle(RevokeCredentials(member("russia", "officer")))  # type: ignore[attr-defined]
    status, answer_headers, content = call(client, "GET", f"{V}/stream", headers)
    assert status == 401
    assert_problem(status, answer_headers, content, 401)


# -- a member never acts for another party ----------------------------------------------------


def test_a_notice_is_filed_for_the_callers_party_and_nobody_elses(client: TestClient) -> None:
    russia = auth("russia", "officer")
    spoofed = notice_body(fresh("n")) | {"party": "coalition"}
    answer = client.post(f"{V}/notices", headers=russia, json=spoofed)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    assert "party" in answer.text
    assert client.get(f"{V}/notices/{spoofed['id']}", headers=russia).status_code == 404

    honest = notice_body(fresh("n"))
    filed = client.post(f"{V}/notices", headers=russia, json=honest)
    assert filed.status_code == 201, filed.text
    assert filed.json()["notice"]["party"] == "russia"
    seen = client.get(f"{V}/notices/{honest['id']}", headers=auth("coalition", "viewer")).json()
    assert seen["party"] == "russia"
    messages = client.get(f"{V}/lines/hotline-air/messages", headers=russia).json()
    assert messages[-1]["party"] == "russia" and messages[-1]["member"] == "russia-officer"

    # Nor for another party's forces.
    borrowed = notice_body(fresh("n")) | {"forces": "SDF"}
    assert client.post(f"{V}/notices", headers=russia, json=borrowed).status_code == 403


def test_a_declaration_cannot_name_its_party(client: TestClient) -> None:
    russia = auth("russia", "commander")
    spoofed = declaration_body(fresh("d")) | {"party": "coalition"}
    assert client.post(f"{V}/declarations", headers=russia, json=spoofed).status_code == 422
    honest = declaration_body(fresh("d"))
    assert client.post(f"{V}/declarations", headers=russia, json=honest).status_code == 201
    mine = {d["id"]: d for d in client.get(f"{V}/declarations", headers=russia).json()}
    assert mine[honest["id"]]["party"] == "russia"
    coalition = client.get(f"{V}/declarations", headers=auth("coalition", "commander")).json()
    assert honest["id"] not in {d["id"] for d in coalition}


def test_members_are_listed_for_the_callers_party_only(client: TestClient) -> None:
    for party in ("coalition", "russia", "un-desk"):
        listed = client.get(f"{V}/members", headers=auth(party, "viewer")).json()
        assert listed and {m["party"] for m in listed} == {party}


# -- viewers read and never write -------------------------------------------------------------


def test_viewers_read_everything_they_may_and_write_nothing(
    client: TestClient, numbers: Numbers
) -> None:
    viewer = auth("coalition", "viewer")
    before = client.get(f"{V}/log", headers=viewer).json()
    for row in ROWS:
        path, body = row.make(numbers)
        status, _, content = call(client, row.method, path, viewer, body)
        if row.method == "GET":
            if row.party == "coalition":
                assert status == 200, (row.path, content)
        else:
            assert status == 403, (row.method, path, content)
    assert client.get(f"{V}/log", headers=viewer).json() == before
    assert client.get(f"{V}/log", headers=auth("coalition", "admin")).json() == before


# -- need-to-know -----------------------------------------------------------------------------


def _leaks(text: str) -> list[str]:
    lon, lat = HIDDEN_CENTRE
    needles = (HIDDEN_DECLARATION, f"{lon}", f"{lat}", "not for russia")
    return [n for n in needles if n in text]


def test_russia_never_sees_the_undisclosed_coalition_declaration(client: TestClient) -> None:
    russia = auth("russia", "commander")
    conflicts = client.get(f"{V}/conflicts", headers=russia)
    assert conflicts.status_code == 200
    hidden = [
        c
        for c in conflicts.json()
        if c["other"]["type"] == "declaration" and c["other"]["party"] == "coalition"
    ]
    assert hidden, "the fixture should give russia a conflict with the hidden declaration"
    for c in hidden:
        assert c["other"]["id"] is None and not c["disclosed"]
        assert c["distance_m"] is None and c["band"] is None and c["detail"] == ""
    for path in (
        "conflicts",
        "conflicts?active=true",
        "declarations",
        "log",
        "notices",
        "situation?at=2030-01-01T11:00:00Z",
    ):
        text = client.get(f"{V}/{path}", headers=russia).text
        assert not _leaks(text), (path, _leaks(text))
    # ... while the coalition sees its own declaration in the same conflicts.
    own = client.get(f"{V}/conflicts", headers=auth("coalition", "commander")).json()
    assert HIDDEN_DECLARATION in {c["other"]["id"] for c in own}


def test_a_new_strike_answers_russia_without_the_hidden_declaration(client: TestClient) -> None:
    strike = notice_body(fresh("strike"))
    strike["volumes"][0]["footprint"]["geometry"]["coordinates"] = list(HIDDEN_CENTRE)
    filed = client.post(f"{V}/notices", headers=auth("russia", "officer"), json=strike)
    assert filed.status_code == 201, filed.text
    found = filed.json()["conflicts"]
    assert any(c["other"]["type"] == "declaration" for c in found)
    assert not _leaks(json.dumps([c for c in found if c["other"]["type"] == "declaration"]))
    assert HIDDEN_DECLARATION not in filed.text
