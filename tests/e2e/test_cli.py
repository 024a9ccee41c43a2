"""The command line as a user runs it: real subprocesses on a real SQLite file."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "deconflict.cli"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    done = run("demo", "--db", str(db))
    assert done.returncode == 0, done.stderr
    return db


def copy(db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy.sqlite"
    with sqlite3.connect(db) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def tamper(db: Path, *statements: str) -> None:
    with sqlite3.connect(db) as conn:
        # A tamperer with file access can drop the append-only triggers first.
        conn.execute("DROP TRIGGER IF EXISTS log_no_update")
        conn.execute("DROP TRIGGER IF EXISTS log_no_delete")
        for statement in statements:
            conn.execute(statement)


def test_demo_replays_the_seed_and_ends_with_the_conflict_table(tmp_path: Path) -> None:
    done = run("demo", "--db", str(tmp_path / "d.sqlite"))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Conflicts found" in out
    table = out.split("Conflicts found", 1)[1]
    assert (
        "ru-strike-0916 v1 (russia)" in table
        and "declaration sdf-ne-deir-ez-zor (coalition)" in table
    )
    assert "line_crossing" in table and "advisory" in table
    assert '"A new incident of the same kind will bring a response."' in out
    # Both tables show each conflict as it stands at the end: the crossing's first version
    # was amended, which cleared its conflicts.
    full, russian = (
        {row.split()[0]: row.split()[-1] for row in part.splitlines() if row.startswith("C-")}
        for part in table.split("as the Russian cell sees them", 1)
    )
    assert full == russian
    v1 = [row for row in table.splitlines() if "saa-crossing v1" in row]
    assert v1 and all(row.endswith("cleared") for row in v1)


def test_log_verify_accepts_an_untouched_log(demo_db: Path) -> None:
    done = run("log", "verify", "--db", str(demo_db))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "log verified" in done.stdout and "chain whole" in done.stdout


def test_an_edited_log_row_is_reported_with_its_sequence_number(
    demo_db: Path, tmp_path: Path
) -> None:
    db = copy(demo_db, tmp_path)
    with sqlite3.connect(db) as conn:
        (seq,) = conn.execute(
            "SELECT seq FROM log WHERE kind = 'notice.filed' AND subject_id = 'ru-strike-0916'"
        ).fetchone()
    # Move the strike's filing time, as someone might to claim it was notified earlier.
    tamper(
        db,
        f"UPDATE log SET body = replace(body, '2017-09-16T08:30:00Z', '2017-09-16T06:30:00Z') WHERE seq = {seq}",
    )
    done = run("log", "verify", "--db", str(db))
    assert done.returncode == 1
    assert f"seq {seq}: body was edited" in done.stdout


def test_a_deleted_log_row_is_reported(demo_db: Path, tmp_path: Path) -> None:
    db = copy(demo_db, tmp_path)
    tamper(db, "PRAGMA foreign_keys=OFF", "DELETE FROM log WHERE seq = 30")
    done = run("log", "verify", "--db", str(db))
    assert done.returncode == 1
    assert "seq 31: expected seq 30" in done.stdout


def test_reordered_log_rows_are_reported(demo_db: Path, tmp_path: Path) -> None:
    db = copy(demo_db, tmp_path)
    tamper(
        db,
        "UPDATE log SET seq = -1 WHERE seq = 20",
        "UPDATE log SET seq = 20 WHERE seq = 21",
        "UPDATE log SET seq = 21 WHERE seq = -1",
    )
    done = run("log", "verify", "--db", str(db))
    assert done.returncode == 1
    assert "seq 20:" in done.stdout and "seq 21:" in done.stdout


def test_an_inserted_log_row_is_reported(demo_db: Path, tmp_path: Path) -> None:
    db = copy(demo_db, tmp_path)
    with sqlite3.connect(db) as conn:
        last = conn.execute("SELECT max(seq), hash FROM log").fetchone()
        conn.execute(
            "INSERT INTO log VALUES (?, '2017-09-21T10:00:00Z', 'russia-air', 'declaration.made', "
            "'declaration', 'fake', '{}', 'x', ?, 'forged')",
            (last[0] + 1, "0" * 64),
        )
    done = run("log", "verify", "--db", str(db))
    assert done.returncode == 1
    assert f"seq {last[0] + 1}:" in done.stdout


def test_a_state_row_edited_behind_the_logs_back_is_reported(demo_db: Path, tmp_path: Path) -> None:
    db = copy(demo_db, tmp_path)
    # A state is the log entry its row names: a line's row set back to its first state, and
    # a declaration's pointed at another object's entry (which never counts as its state).
    with sqlite3.connect(db) as conn:
        line, first = conn.execute(
            "SELECT subject_id, min(seq) FROM log WHERE subject_type = 'line' "
            "GROUP BY subject_id HAVING count(*) > 1 LIMIT 1"
        ).fetchone()
    tamper(
        db,
        f"UPDATE objects SET seq = {first} WHERE type = 'line' AND id = '{line}'",
        "UPDATE objects SET seq = (SELECT seq FROM objects WHERE type = 'declaration' "
        "AND id <> 'sdf-ne-deir-ez-zor' LIMIT 1) WHERE id = 'sdf-ne-deir-ez-zor'",
    )
    done = run("log", "verify", "--db", str(db))
    assert done.returncode == 1
    assert f"line {line}: stored state differs from the log" in done.stdout
    assert "declaration sdf-ne-deir-ez-zor: written by the log at seq" in done.stdout
    assert "but missing from the store" in done.stdout


def test_the_log_refuses_updates_through_sql(demo_db: Path, tmp_path: Path) -> None:
    db = copy(demo_db, tmp_path)
    with sqlite3.connect(db) as conn, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE log SET actor = 'someone' WHERE seq = 1")


def test_replay_with_json_writes_one_object_per_event_and_conflict(tmp_path: Path) -> None:
    import json

    scenario = Path(__file__).parents[2] / "scenarios" / "deir-ez-zor-2017.yaml"
    done = run("replay", str(scenario), "--db", str(tmp_path / "r.sqlite"), "--json")
    assert done.returncode == 0, done.stderr
    objects = [json.loads(line) for line in done.stdout.splitlines()]
    events = [o for o in objects if o["type"] == "event"]
    conflicts = [o for o in objects if o["type"] == "conflict"]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert {
        "step",
        "at",
        "actor",
        "kind",
        "subject_type",
        "subject_id",
        "hash",
        "prev_hash",
        "body",
    } <= events[0].keys()
    assert len(conflicts) == 10 and {c["rule"] for c in conflicts} >= {
        "declaration_buffer",
        "air_separation",
        "line_side",
        "line_crossing",
        "short_notice",
    }


def test_a_bad_step_names_the_step_and_field_and_applies_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "schema: deconflict-scenario/1\nsteps:\n"
        "  - {at: 150600ZSEP17, action: create_party, id: coalition, name: Coalition}\n"
        "  - {at: 150600ZSEP17, action: create_party, id: russia, name: Russia}\n"
        "  - {at: 150600ZSEP17, action: add_member, id: ru, party: russia, role: officer}\n"
        "  - at: 150700ZSEP17\n    as: ru\n    action: declare\n    id: saa-1\n    kind: force_position\n"
        "    footprint: {shape: circle, centre: 95.0N 40.0E, radius_m: 1000}\n    start: 150700ZSEP17\n"
    )
    db = tmp_path / "bad.sqlite"
    done = run("replay", str(bad), "--db", str(db))
    assert done.returncode == 2
    assert "step 4" in done.stderr and "footprint.centre" in done.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM log").fetchone()[0] == 3
        assert (
            conn.execute("SELECT count(*) FROM objects WHERE type = 'declaration'").fetchone()[0]
            == 0
        )


def test_conflicts_as_a_party_hide_what_it_may_not_see(demo_db: Path) -> None:
    done = run("conflicts", "--db", str(demo_db), "--as", "russia")
    assert done.returncode == 0, done.stderr
    assert "force_position declaration, not disclosed (coalition)" in done.stdout
    assert "sdf-ne-deir-ez-zor" not in done.stdout
    full = run("conflicts", "--db", str(demo_db))
    assert "declaration sdf-ne-deir-ez-zor (coalition)" in full.stdout


def test_read_as_a_party_prints_json_without_undisclosed_declarations(demo_db: Path) -> None:
    import json

    done = run("read", "--db", str(demo_db), "--as", "russia")
    assert done.returncode == 0, done.stderr
    view = json.loads(done.stdout)
    assert {d["id"] for d in view["declarations"]} == {"sdf-conoco", "saa-airport", "sdf-east-bank"}
    assert "sdf-ne-deir-ez-zor" not in done.stdout


def test_an_unreadable_scenario_is_a_named_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: deconflict-scenario/1\nsteps: [{at: 161200ZSEP17, action: fly}]\n")
    done = run("replay", str(bad), "--db", str(tmp_path / "x.sqlite"))
    assert done.returncode == 2
    assert "error [invalid_scenario]: step 1" in done.stderr and "action" in done.stderr
    assert "Traceback" not in done.stderr


def test_notice_history_shows_every_version_to_the_parties_of_its_line(demo_db: Path) -> None:
    done = run("notice", "history", "saa-crossing", "--db", str(demo_db), "--as", "coalition")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("v1  notice.filed     172000ZSEP17  by russia-ground")
    assert any(line.startswith("v2  notice.amended   181200ZSEP17") for line in lines)
    assert "181300ZSEP17-201800ZSEP17" in done.stdout and "MGRS 37SFV" in done.stdout
    hidden = run("notice", "history", "saa-crossing", "--db", str(demo_db), "--as", "un-desk")
    assert hidden.returncode == 2 and "no notice 'saa-crossing'" in hidden.stderr


def test_incident_finding_and_tension_from_the_command_line(demo_db: Path) -> None:
    done = run("incident", "finding", "sdf-strike-0916", "--db", str(demo_db), "--as", "russia")
    assert done.returncode == 0, done.stderr
    assert "notice_covering   russia notice ru-strike-0916 v1" in done.stdout
    assert "force_position under 1 km from the place (not disclosed to russia)" in done.stdout
    assert "sdf-ne-deir-ez-zor" not in done.stdout
    hidden = run("incident", "finding", "sdf-strike-0916", "--db", str(demo_db), "--as", "un-desk")
    assert hidden.returncode == 2 and "no incident" in hidden.stderr
    picture = run("tension", "--db", str(demo_db))
    assert (
        "2017-09-21  coalition / russia  1          0               0             2        1"
        in picture.stdout
    )


def test_an_incident_filed_from_the_command_line_gets_its_finding(
    demo_db: Path, tmp_path: Path
) -> None:
    db = copy(demo_db, tmp_path)
    done = run(
        "incident",
        "file",
        "co-0916-b",
        "--as",
        "coalition-ground",
        "--kind",
        "strike_on_forces",
        "--start",
        "161000ZSEP17",
        "--end",
        "161100ZSEP17",
        "--at",
        "35.41N 40.19E",
        "--uncertainty-m",
        "500",
        "--alleged",
        "russia",
        "--db",
        str(db),
    )
    assert done.returncode == 0, done.stderr
    finding = run("incident", "finding", "co-0916-b", "--db", str(db))
    assert "notice_covering   russia notice ru-strike-0916 v1" in finding.stdout
    viewer = run(
        "incident",
        "file",
        "x-1",
        "--as",
        "coalition-viewer",
        "--kind",
        "other",
        "--start",
        "161000ZSEP17",
        "--end",
        "161100ZSEP17",
        "--at",
        "35.41N 40.19E",
        "--db",
        str(db),
    )
    assert viewer.returncode == 2 and "not_permitted" in viewer.stderr


def test_a_partys_export_verifies_alone_and_holds_no_undisclosed_geometry(
    demo_db: Path, tmp_path: Path
) -> None:
    import json

    export = tmp_path / "russia.jsonl"
    assert (
        run(
            "log", "export", "--db", str(demo_db), "--as", "russia", "--out", str(export)
        ).returncode
        == 0
    )
    done = run("log", "verify", "--export", str(export))
    assert done.returncode == 0, done.stdout
    assert "chain whole" in done.stdout
    rows = [json.loads(line) for line in export.read_text().splitlines()]
    hidden = next(r for r in rows if r["subject_id"] == "sdf-ne-deir-ez-zor")
    assert hidden["body"] is None and len(hidden["body_sha256"]) == 64
    assert not {"40.215", "35.395"} & set(re.findall(r"\d+\.\d+", export.read_text()))
    assert all(r["body"] is None for r in rows if r["subject_type"] == "credential")

    edited = [dict(r) for r in rows]
    target = next(r for r in edited if r["kind"] == "notice.filed")
    target["body"]["remarks"] = "nothing to see"
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text("\n".join(json.dumps(r) for r in edited))
    failed = run("log", "verify", "--export", str(tampered))
    assert failed.returncode == 1 and f"seq {target['seq']}: body was edited" in failed.stdout
    gap = tmp_path / "gap.jsonl"
    gap.write_text("\n".join(json.dumps(r) for r in rows if r["seq"] != 10))
    assert "seq 11: expected seq 10" in run("log", "verify", "--export", str(gap)).stdout
