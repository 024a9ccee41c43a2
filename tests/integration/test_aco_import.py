"""An Airspace Control Order imported through the service (API and CLI): its measures recorded
all together or not at all, and screening then flags a notice inside an imported zone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner
from fastapi.testclient import TestClient

from deconflict.cli.main import main

from .api_fixtures import auth, copy_db, fresh, notice_body, volume

V = "/api/v1"
ACO = """MSGID/ACO/CAOC-1/007/JAN/-//
GEODATUM/WGE//
PERIOD/010000ZJAN2030/020000ZJAN2030//
ACMID/ACM:ROZ/NAME:ROZ EAST/POLYGON/USE:ROZ//
POLYGON/LATS:343000N0383000E/LATS:343000N0390000E/LATS:340000N0390000E/
LATS:340000N0383000E//
EFFLEVEL/FLFL:FL050-FL250//
ACMID/ACM:NFA/NAME:CLINIC/CIRCLE/USE:NFA//
CIRCLE/LATM:3430N03730E/RADIUS:2NM//
EFFLEVEL/BRRA:SFC-030AMSL//
APERIOD/DISCRETE/010800ZJAN/011800ZJAN//
ACMID/ACM:CORRIDOR/NAME:TR BLUE/CORRIDOR/USE:AIRCOR//
CORRIDOR/WIDTH:4NM/LATM:3300N03700E/LATM:3320N03730E//
EFFLEVEL/RARA:010AMSL-080AMSL//
"""
BAD = ACO.replace("LATM:3430N03730E", "LATM:3430N3730E").replace("RADIUS:2NM", "RADIUS:2")




def body(text: str = ACO, **more: Any) -> dict[str, Any]:
    return {"arrangement": "mou", "text": text, "prefix": fresh("aco")[:12] + "-", **more}


def measures(client: TestClient) -> dict[str, Any]:
    found = client.get(f"{V}/measures", headers=auth("coalition", "viewer")).json()
    return {m["id"]: m for m in found}


def head(client: TestClient) -> int:
    return int(client.get(f"{V}/log", headers=auth("coalition", "admin")).json()[-1]["seq"])


def test_the_measures_are_recorded_and_a_notice_inside_a_zone_is_flagged(
    client: TestClient,
) -> None:
    sent = body()
    answer = client.post(f"{V}/import/aco", headers=auth("coalition", "admin"), json=sent)
    assert answer.status_code == 201, answer.text
    prefix = sent["prefix"]
    ids = [o["id"] for o in answer.json()["objects"]]
    assert ids == [f"{prefix}roz-east", f"{prefix}clinic", f"{prefix}tr-blue"]
    seen = measures(client)
    roz = seen[f"{prefix}roz-east"]
    assert (roz["rule"], roz["kind"], roz["name"]) == ("no_entry", "zone", "ROZ EAST (ROZ)")
    assert seen[f"{prefix}clinic"]["rule"] == "no_strike"
    assert seen[f"{prefix}tr-blue"]["rule"] == "notify_before_entry"
    # Russia files a notice inside the imported restricted operations zone: it is flagged.
    inside = notice_body(fresh("n")) | {"volumes": [volume(38.75, 34.25)]}
    filed = client.post(f"{V}/notices", headers=auth("russia", "officer"), json=inside)
    assert filed.status_code == 201, filed.text
    others = {(c["other"]["type"], c["other"]["id"]) for c in filed.json()["conflicts"]}
    assert ("measure", f"{prefix}roz-east") in others


def test_a_bad_order_is_refused_whole_with_every_bad_line(client: TestClient) -> None:
    before = head(client)
    answer = client.post(f"{V}/import/aco", headers=auth("coalition", "admin"), json=body(BAD))
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["code"] == "invalid_input" or problem["code"].startswith("invalid_")
    lines = [e["field"] for e in problem["errors"]]
    assert lines == ["line 9", "line 9"], problem
    assert "3430N3730E" in problem["errors"][0]["message"]
    assert "unit" in problem["errors"][1]["message"]
    assert head(client) == before


def test_a_measure_the_service_refuses_undoes_the_whole_order_and_names_its_line(
    client: TestClient,
) -> None:
    admin = auth("coalition", "admin")
    sent = body()
    assert client.post(f"{V}/import/aco", headers=admin, json=sent).status_code == 201
    before = head(client)
    # The same ids again, after a new ACM that alone would be fine: refused at line 4, nothing kept.
    again = sent | {"text": ACO}
    answer = client.post(f"{V}/import/aco", headers=admin, json=again)
    assert answer.status_code == 409, answer.text
    assert answer.json()["field"].startswith("line 4")
    assert head(client) == before


def test_a_preview_screens_and_records_nothing(client: TestClient) -> None:
    before = head(client)
    answer = client.post(
        f"{V}/import/aco/preview", headers=auth("russia", "commander"), json=body()
    )
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["objects"]) == 3 and answer.json()["recorded"] == []
    assert head(client) == before


def test_the_command_line_imports_checks_and_reports_lines(template: Path, tmp_path: Path) -> None:
    db = tmp_path / "cli.sqlite"
    copy_db(template, db)
    good, bad = tmp_path / "good.aco", tmp_path / "bad.aco"
    good.write_text(ACO)
    bad.write_text(BAD)
    runner = CliRunner()
    common = ["--db", str(db), "--arrangement", "mou", "--prefix", "cli-"]
    dry = runner.invoke(main, ["aco", "import", str(good), *common, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "3 measures would be recorded (dry run)" in dry.output
    refused = runner.invoke(main, ["aco", "import", str(bad), *common])
    assert refused.exit_code == 2
    assert refused.output.count("line 9:") == 2, refused.output
    done = runner.invoke(main, ["aco", "import", str(good), *common, "--as", "coalition-officer"])
    assert done.exit_code == 0, done.output
    assert "line 4: cli-roz-east" in done.output and "3 measures recorded in mou" in done.output
    twice = runner.invoke(main, ["aco", "import", str(good), *common])
    assert twice.exit_code == 2 and "line 4" in twice.output


def test_a_retried_import_is_answered_again_and_recorded_once(client: TestClient) -> None:
    headers = auth("coalition", "commander") | {"Idempotency-Key": fresh("key")}
    sent = body()
    first = client.post(f"{V}/import/aco", headers=headers, json=sent)
    assert first.status_code == 201, first.text
    before = head(client)
    again = client.post(f"{V}/import/aco", headers=headers, json=sent)
    assert again.status_code == 201 and again.headers["Idempotent-Replay"] == "true"
    assert again.json() == first.json() and head(client) == before
    other = client.post(f"{V}/import/aco", headers=headers, json=body())
    assert other.status_code == 422 and other.json()["code"] == "idempotency_mismatch"
