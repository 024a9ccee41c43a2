"""`deconflict serve` as two cells use it: a real server process, real HTTP clients, live streams."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ..integration.test_store_contract import _pg_database
from .service import Server, Stream, cli, iter_numbers

SETUP = """
schema: deconflict-scenario/1
steps:
  - {at: 160600ZSEP17, action: create_party, id: coalition, name: Coalition, affiliates: [SDF]}
  - {at: 160600ZSEP17, action: create_party, id: russia, name: Russian forces, affiliates: [SAA]}
  - {at: 160600ZSEP17, action: add_member, id: coalition-air, party: coalition, role: officer}
  - {at: 160600ZSEP17, action: add_member, id: russia-air, party: russia, role: officer}
  - at: 160600ZSEP17
    action: create_arrangement
    id: mou
    parties: [coalition, russia]
    lines: [{domain: air, ack_deadline_min: 15}, {domain: ground, ack_deadline_min: 30}, {domain: command, ack_deadline_min: 60}]
  - {at: 160600ZSEP17, action: open_line, id: hotline-air, arrangement: mou, domain: air}
  - {at: 160600ZSEP17, action: open_line, id: hotline-ground, arrangement: mou, domain: ground}
  - {at: 160600ZSEP17, action: open_line, id: hotline-command, arrangement: mou, domain: command}
  - at: 160700ZSEP17
    as: coalition-air
    action: declare
    id: sdf-hidden
    kind: force_position
    forces: SDF
    footprint: {shape: circle, centre: 35.395N 40.215E, radius_m: 2000}
    start: 160700ZSEP17
"""
HIDDEN = (40.215, 35.395)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Server, dict[str, str]]]:
    db, setup, clock = tmp_path / "serve.sqlite", tmp_path / "setup.yaml", tmp_path / "clock"
    setup.write_text(SETUP)
    cli("replay", str(setup), "--db", str(db))
    tokens = {
        m: cli("member", "token", m, "--db", str(db)).strip()
        for m in ("coalition-air", "russia-air")
    }
    srv = Server(db, clock)
    srv.set_time("2017-09-16T08:00:00Z")
    srv.start()
    yield srv, tokens
    srv.stop()


def _client(srv: Server, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=f"{srv.url}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


STRIKE: dict[str, Any] = {
    "id": "ru-strike-1",
    "line": "hotline-air",
    "kind": "air_strike",
    "forces": "SAA",
    "volumes": [
        {
            "footprint": {
                "geometry": {"type": "Point", "coordinates": [40.19, 35.41]},
                "radius_m": 3000,
            },
            "lower": "SFC",
            "upper": "FL200",
            "start": "161000ZSEP17",
            "end": "161200ZSEP17",
        }
    ],
}


def test_a_conflict_reaches_both_cells_each_as_it_may_see_it_and_survives_a_restart(
    server: tuple[Server, dict[str, str]],
) -> None:
    srv, tokens = server
    coalition_stream = Stream(srv.url, tokens["coalition-air"])
    russia_stream = Stream(srv.url, tokens["russia-air"])
    russia, coalition = _client(srv, tokens["russia-air"]), _client(srv, tokens["coalition-air"])

    filed = russia.post("/notices", json=STRIKE)
    assert filed.status_code == 201, filed.text
    answer = filed.json()
    assert answer["notice"]["volumes"][0]["footprint"]["geometry"] == {
        "type": "Point",
        "coordinates": [40.19, 35.41],
    }
    [seen_by_russia] = [c for c in answer["conflicts"] if c["rule"] == "declaration_buffer"]
    assert seen_by_russia["other"] == {
        "type": "declaration",
        "kind": "force_position",
        "party": "coalition",
        "id": None,
    }
    assert seen_by_russia["distance_m"] is None and seen_by_russia["distance_band"] == "under 1 km"

    # The coalition's stream carries the conflict in full; Russia's carries the redacted view.
    full = coalition_stream.until("conflict.found", data__subject__id="ru-strike-1")
    assert (
        full.data["data"]["other"]["id"] == "sdf-hidden" and full.data["data"]["distance_m"] == 0.0
    )
    redacted = russia_stream.until("conflict.found", data__subject__id="ru-strike-1")
    assert redacted.data["data"]["other"]["id"] is None
    russia_stream.until("message.notice", data__notice="ru-strike-1")
    everything_russia_got = str([e.data for e in russia_stream.drain()]) + filed.text
    assert "sdf-hidden" not in everything_russia_got
    assert not {f"{v:.3f}" for v in HIDDEN} & set(iter_numbers(everything_russia_got))

    # The coalition objects; Russia sees the objection on the line.
    objection = coalition.post(
        "/lines/hotline-air/messages/1/acknowledge",
        json={"answer": "objection", "reason": "SDF positions in the target area"},
    )
    assert objection.status_code == 201, objection.text
    russia_stream.until("message.acknowledgement", data__answer="objection")
    last_seen = coalition_stream.until("message.acknowledgement", data__answer="objection").id
    coalition_stream.close()

    # A restart loses nothing; the stream resumes after the last event it delivered.
    srv.stop()
    srv.start()
    messages = russia.get("/lines/hotline-air/messages").json()
    assert [m["kind"] for m in messages] == ["notice", "acknowledgement"]
    assert messages[0]["acknowledgements"][0]["answer"] == "objection"
    assert {c["id"] for c in russia.get("/conflicts").json()} == {
        c["id"] for c in answer["conflicts"]
    }
    resumed = Stream(srv.url, tokens["coalition-air"], last_event_id=last_seen)
    russia.post(
        "/lines/hotline-air/messages", json={"kind": "text", "text": "Strike postponed 30 min"}
    )
    resumed.until("message.text", data__text="Strike postponed 30 min")
    assert all(e.id > last_seen for e in resumed.drain())
    resumed.close()
    russia_stream.close()


def test_an_unanswered_message_escalates_when_the_clock_passes_its_deadline(
    server: tuple[Server, dict[str, str]],
) -> None:
    srv, tokens = server
    russia = _client(srv, tokens["russia-air"])
    sent = russia.post(
        "/lines/hotline-ground/messages",
        json={"kind": "text", "text": "Water released upstream: explain"},
    )
    assert sent.status_code == 201
    stream = Stream(srv.url, tokens["coalition-air"])
    srv.set_time("2017-09-16T08:29:00Z")
    assert "message.escalation" not in [e.kind for e in stream.drain(1.0)]
    srv.set_time("2017-09-16T08:31:00Z")
    escalation = stream.until("message.escalation", timeout=10)
    assert escalation.data["data"]["line"] == "hotline-command"
    assert "hotline-ground#1" in escalation.data["data"]["text"]
    overdue = russia.get("/lines/hotline-ground/messages").json()[0]
    assert overdue["overdue_at"] == "2017-09-16T08:31:00Z"
    stream.close()


def test_a_retried_request_never_files_twice(server: tuple[Server, dict[str, str]]) -> None:
    srv, tokens = server
    russia = _client(srv, tokens["russia-air"])
    first = russia.post("/notices", json=STRIKE, headers={"Idempotency-Key": "k-1"})
    again = russia.post("/notices", json=STRIKE, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers.get("Idempotent-Replay") == "true"
    assert [n["id"] for n in russia.get("/notices").json()] == ["ru-strike-1"]
    other = russia.post(
        "/notices", json={**STRIKE, "id": "ru-strike-2"}, headers={"Idempotency-Key": "k-1"}
    )
    assert other.status_code == 422 and other.json()["code"] == "idempotency_mismatch"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 422, "invalid_input"),
        (b'{"id": "x"}', 422, "invalid_input"),
        (b"x" * 2_000_000, 413, "too_large"),
    ],
)
def test_bad_requests_get_problem_json_and_never_a_server_error(
    server: tuple[Server, dict[str, str]], body: bytes, status: int, code: str
) -> None:
    srv, tokens = server
    answer = _client(srv, tokens["russia-air"]).post(
        "/notices", content=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"] == code


def test_bad_geometry_is_named_and_nothing_is_written(
    server: tuple[Server, dict[str, str]],
) -> None:
    srv, tokens = server
    russia = _client(srv, tokens["russia-air"])
    bow_tie = [[40.0, 35.0], [40.1, 35.1], [40.1, 35.0], [40.0, 35.1], [40.0, 35.0]]
    bad = {
        **STRIKE,
        "volumes": [
            {
                **STRIKE["volumes"][0],
                "footprint": {"geometry": {"type": "Polygon", "coordinates": [bow_tie]}},
            }
        ],
    }
    answer = russia.post("/notices", json=bad)
    assert answer.status_code == 422 and answer.json()["code"] == "invalid_geometry"
    assert "Self-intersection" in answer.json()["detail"]
    mgrs = {
        **STRIKE,
        "volumes": [
            {
                **STRIKE["volumes"][0],
                "footprint": {"shape": "circle", "centre": "37SFV 0849 1824", "radius_m": 1000},
            }
        ],
    }
    assert russia.post("/notices", json={**mgrs, "id": "ru-mgrs"}).status_code == 201
    assert [n["id"] for n in russia.get("/notices").json()] == ["ru-mgrs"]
    assert russia.get("/lines/hotline-ground/messages").json() == []
    no_token = httpx.get(f"{srv.url}/api/v1/notices")
    assert no_token.status_code == 401 and no_token.json()["code"] == "unauthorized"


def test_serve_demo_loads_the_seed_and_prints_a_working_token_per_demo_member(
    tmp_path: Path,
) -> None:
    import subprocess
    import time

    from .service import CLI, free_port

    port = free_port()
    process = subprocess.Popen(
        [*CLI, "serve", "--demo", "--db", str(tmp_path / "demo.sqlite"), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        tokens: dict[str, str] = {}
        while len(tokens) < 5:
            line = process.stdout.readline()
            assert line, process.stderr.read() if process.stderr else "no output"
            parts = line.split()
            if len(parts) == 2 and parts[0].count("-") == 1:
                tokens[parts[0]] = parts[1]
        assert set(tokens) == {
            "coalition-air",
            "coalition-cdr",
            "russia-air",
            "russia-cdr",
            "coalition-viewer",
        }
        url = f"http://127.0.0.1:{port}/api/v1"
        for _ in range(100):
            try:
                me = httpx.get(
                    f"{url}/me",
                    headers={"Authorization": f"Bearer {tokens['russia-air']}"},
                    timeout=2,
                )
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert me.json()["member"]["party"] == "russia"
        conflicts = httpx.get(
            f"{url}/conflicts", headers={"Authorization": f"Bearer {tokens['russia-air']}"}
        ).json()
        assert any(
            c["subject"]["id"] == "ru-strike-0916" and c["other"]["id"] is None for c in conflicts
        )
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(params=["sqlite", "postgres"])
def two_servers(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Server, Server, dict[str, str]]]:
    """Two `deconflict serve` processes on one store: a SQLite file or a PostgreSQL database."""
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            db = str(tmp_path / "shared.sqlite")
        else:
            db = stack.enter_context(_pg_database())
        setup, clock = tmp_path / "setup.yaml", tmp_path / "clock"
        setup.write_text(SETUP)
        cli("replay", str(setup), "--db", db)
        tokens = {
            m: cli("member", "token", m, "--db", db).strip()
            for m in ("coalition-air", "russia-air")
        }
        clock.write_text("2017-09-16T08:00:00Z")
        a, b = Server(Path(db), clock), Server(Path(db), clock)
        a.db = b.db = db  # type: ignore[assignment]  # a URL stays a URL
        for srv in (a, b):
            srv.start()
            stack.callback(srv.stop)
        yield a, b, tokens


def test_two_servers_on_one_store_screen_and_stream_each_others_notices(
    two_servers: tuple[Server, Server, dict[str, str]],
) -> None:
    """A notice filed on A is screened against on B, and B's streams carry A's conflicts
    within a second."""
    a, b, tokens = two_servers
    coalition_on_b = Stream(b.url, tokens["coalition-air"])
    coalition_on_b.drain()
    russia_on_a = _client(a, tokens["russia-air"])
    sent = time.monotonic()  # from the request, so the commit and its signal are counted
    filed = russia_on_a.post("/notices", json=STRIKE)
    assert filed.status_code == 201, filed.text
    found = coalition_on_b.until("conflict.found", timeout=5, data__subject__id="ru-strike-1")
    delay = time.monotonic() - sent
    print(f"conflict filed on A delivered by B's stream after {delay * 1000:.0f} ms")
    assert delay < 1.0
    assert found.data["data"]["other"]["id"] == "sdf-hidden"
    # B screens a new notice against A's, which it never filed itself.
    second = dict(STRIKE, id="co-strike-1", forces="SDF")
    answer = _client(b, tokens["coalition-air"]).post("/notices", json=second)
    assert answer.status_code == 201, answer.text
    assert "ru-strike-1" in {c["other"]["id"] for c in answer.json()["conflicts"]}
    coalition_on_b.close()


def _deadline_leader(db: str, servers: tuple[Server, ...]) -> Server:
    """The server holding PostgreSQL's deadline lock (docs/operations.md), asked as an operator
    would: who holds the advisory lock, by its connection's application_name."""
    import psycopg

    from deconflict.adapters.postgres.replicas import DEADLINES_LOCK, libpq_url

    with psycopg.connect(libpq_url(db), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
            "WHERE l.locktype = 'advisory' AND l.granted "
            "AND (l.classid::bigint << 32) + l.objid::bigint = %s",
            (DEADLINES_LOCK,),
        ).fetchall()
    assert len(rows) == 1, rows
    pid = int(rows[0][0].rsplit(":", 1)[1])
    [leader] = [s for s in servers if s.process is not None and s.process.pid == pid]
    return leader


def _deadline_entries(db: str, message: str) -> tuple[int, int]:
    """(overdue marks of ``message``, escalations naming it) in the store's log."""
    from deconflict.bootstrap import Settings, open_store

    store = open_store(Settings(db))
    try:
        entries = list(store.entries())
    finally:
        store.close()
    overdue = [e for e in entries if e.kind == "message.overdue" and e.subject_id == message]
    escalations = [
        e
        for e in entries
        if e.kind == "message.escalation" and message in str(e.body.get("text", ""))
    ]
    return len(overdue), len(escalations)


def test_two_servers_mark_and_escalate_an_unanswered_message_once(
    two_servers: tuple[Server, Server, dict[str, str]],
) -> None:
    """Deadline passes run in one process of the cluster (PostgreSQL: the holder of the
    deadline lock); a message past its deadline is marked overdue and escalated once, and
    when the process that led stops, the other takes over."""
    a, b, tokens = two_servers
    db = str(a.db)
    russia_on_a = _client(a, tokens["russia-air"])
    sent = russia_on_a.post("/lines/hotline-ground/messages", json={"kind": "text", "text": "1"})
    assert sent.status_code == 201, sent.text
    watching = Stream(b.url, tokens["coalition-air"])
    a.set_time("2017-09-16T08:31:00Z")  # the clock file both servers read
    watching.until("message.escalation", timeout=10)
    watching.drain(1.5)  # several more passes of both servers (every 0.2 s)
    assert _deadline_entries(db, "hotline-ground#1") == (1, 1)

    # The process that led stops; the other one takes over.
    leader = _deadline_leader(db, (a, b)) if "://" in db else a
    leader.stop()
    other = b if leader is a else a
    again = _client(other, tokens["russia-air"]).post(
        "/lines/hotline-ground/messages", json={"kind": "text", "text": "2"}
    )
    assert again.status_code == 201, again.text
    other.set_time("2017-09-16T09:02:00Z")
    end = time.monotonic() + 15
    while _deadline_entries(db, "hotline-ground#2") != (1, 1) and time.monotonic() < end:
        time.sleep(0.2)
    assert _deadline_entries(db, "hotline-ground#2") == (1, 1)
    if "://" in db:
        assert _deadline_leader(db, (other,)) is other
    watching.close()
