"""`deconflict import` and `deconflict export` as a user runs them: real subprocesses on a
demo store; GeoJSON in and out again, KML out, an operation's F3548 volumes in as a notice."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastkml import kml

CLI = [sys.executable, "-m", "deconflict.cli"]
START, END = "2030-01-01T10:00:00Z", "2030-01-01T12:00:00Z"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("formats") / "demo.sqlite"
    done = run("demo", "--db", str(db))
    assert done.returncode == 0, done.stderr
    return db


@pytest.fixture
def db(demo: Path, tmp_path: Path) -> Path:
    target = tmp_path / "store.sqlite"
    with sqlite3.connect(demo) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def head(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        (seq,) = conn.execute("SELECT max(seq) FROM log").fetchone()
    return int(seq)


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


STRIKE = {
    "type": "Feature",
    "geometry": {
        "type": "Polygon",
        "coordinates": [[[40.10, 35.30], [40.20, 35.30], [40.20, 35.36], [40.10, 35.30]]],
    },
    "properties": {
        "kind": "notice",
        "id": "cli-strike",
        "line": "hotline-air",
        "notice_kind": "air_strike",
        "start": "011000ZJAN30",
        "end": END,
        "lower": "SFC",
        "upper": "FL250",
    },
}
HIDE = {
    "type": "Feature",
    "geometry": {"type": "Point", "coordinates": [40.6, 35.0]},
    "properties": {
        "kind": "declaration",
        "id": "cli-hide",
        "declaration_kind": "site",
        "start": START,
        "radius_m": 700,
        "label": "a site for the coalition's eyes only",
    },
}


def write(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def export(db: Path, *args: str) -> dict[str, Any]:
    done = run("export", "--db", str(db), *args)
    assert done.returncode == 0, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def test_geojson_in_and_out_again_with_need_to_know(db: Path, tmp_path: Path) -> None:
    file = write(tmp_path / "in.geojson", collection(STRIKE, HIDE))
    done = run("import", str(file), "--format", "geojson", "--as", "coalition-air", "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert "recorded" in done.stdout and "notice cli-strike" in done.stdout
    assert "declaration cli-hide" in done.stdout

    mine = export(db, "--format", "geojson", "--party", "coalition", "--owner", "coalition")
    by_id = {f["properties"]["id"]: f for f in mine["features"]}
    assert by_id["cli-strike"]["properties"]["upper"] == 7620.0  # FL250
    assert by_id["cli-strike"]["properties"]["start"] == START
    assert by_id["cli-hide"]["geometry"]["coordinates"] == [40.6, 35.0]

    theirs = export(db, "--format", "geojson", "--party", "russia", "--kind", "notice")
    assert "cli-strike" in {f["properties"]["id"] for f in theirs["features"]}
    everything = json.dumps(export(db, "--format", "geojson", "--party", "russia", "--all"))
    assert "cli-hide" not in everything and "eyes only" not in everything

    again = run(
        "import", str(file), "--format", "geojson", "--as", "coalition-air", "--db", str(db)
    )
    assert again.returncode == 2 and "features[0].properties.id" in again.stderr


def test_a_dry_run_records_nothing_and_bad_features_are_all_named(db: Path, tmp_path: Path) -> None:
    before = head(db)
    file = write(tmp_path / "maybe.geojson", collection(STRIKE))
    done = run(
        "import",
        str(file),
        "--format",
        "geojson",
        "--as",
        "coalition-air",
        "--dry-run",
        "--db",
        str(db),
    )
    assert done.returncode == 0, done.stderr
    assert "would record" in done.stdout and head(db) == before
    bad_time = json.loads(json.dumps(HIDE))
    bad_time["properties"] |= {"id": "cli-other", "start": "someday"}
    bad_line = json.loads(json.dumps(STRIKE))
    del bad_line["properties"]["line"]
    file = write(tmp_path / "bad.geojson", collection(HIDE, bad_time, bad_line))
    done = run("import", str(file), "--format", "geojson", "--as", "coalition-air", "--db", str(db))
    assert done.returncode == 2
    assert "features[1].properties.start" in done.stderr
    assert "features[2].properties.line" in done.stderr
    assert head(db) == before


def test_kml_out_opens_in_a_kml_library(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "picture.kml"
    done = run("export", "--format", "kml", "--party", "russia", "--out", str(out), "--db", str(db))
    assert done.returncode == 0, done.stderr
    document = kml.KML.from_string(out.read_bytes()).features[0]
    ids = {
        d.value
        for folder in document.features
        for pm in folder.features
        for d in pm.extended_data.elements
        if d.name == "id"
    }
    assert {"ru-strike-0916", "saa-airport", "sdf-conoco"} <= ids
    assert "sdf-ne-deir-ez-zor" not in ids  # never disclosed to russia


def test_an_operations_f3548_volumes_in_as_a_notice_and_out_again(db: Path, tmp_path: Path) -> None:
    volumes = [
        {
            "volume": {
                "outline_polygon": {
                    "vertices": [
                        {"lat": 35.30, "lng": 40.10},
                        {"lat": 35.30, "lng": 40.20},
                        {"lat": 35.36, "lng": 40.20},
                    ]
                },
                "altitude_lower": {"value": 30, "reference": "W84", "units": "M"},
                "altitude_upper": {"value": 150, "reference": "W84", "units": "M"},
            },
            "time_start": {"value": START, "format": "RFC3339"},
            "time_end": {"value": END, "format": "RFC3339"},
        }
    ]
    file = write(tmp_path / "operation.json", volumes)
    done = run(
        "import",
        str(file),
        "--format",
        "f3548",
        "--as",
        "coalition-air",
        "--id",
        "uas-1",
        "--line",
        "hotline-air",
        "--kind",
        "isr",
        "--geoid-undulation-m",
        "30",
        "--db",
        str(db),
    )
    assert done.returncode == 0, done.stderr
    out = export(db, "--format", "f3548", "--party", "russia", "--geoid-undulation-m", "30")
    (uas,) = [n for n in out["notices"] if n["id"] == "uas-1"]
    assert uas["party"] == "coalition" and uas["kind"] == "isr"
    assert uas["volumes"] == volumes  # the same heights above the ellipsoid, as it came
    lower = export(db, "--format", "geojson", "--party", "coalition", "--kind", "notice")
    (feature,) = [f for f in lower["features"] if f["properties"]["id"] == "uas-1"]
    assert (feature["properties"]["lower"], feature["properties"]["upper"]) == (0.0, 120.0)
    refused = run(
        "export", "--format", "f3548", "--party", "russia", "--kind", "declaration", "--db", str(db)
    )
    assert refused.returncode == 2 and "notice" in refused.stderr


def test_an_export_at_a_past_time_is_the_picture_then(db: Path) -> None:
    """`--at`: what the party could see then, replayed from the log — the crossing notified on
    the 18th is not there on the 16th, and its version is the one in force then."""

    def notices(*args: str) -> dict[str, dict[str, Any]]:
        document = export(db, "--format", "geojson", "--party", "russia", "--kind", "notice", *args)
        return {f["properties"]["id"]: f["properties"] for f in document["features"]}

    on_the_16th = notices("--at", "161100ZSEP17")
    assert set(on_the_16th) == {"coalition-isr-0916", "ru-strike-0916"}
    before, after = notices("--at", "181100ZSEP17"), notices()
    assert after["saa-crossing"]["version"] == before["saa-crossing"]["version"] + 1
    assert (
        before["saa-crossing"]["filed_at"]
        < "2017-09-18T11:00:00Z"
        < after["saa-crossing"]["filed_at"]
    )
    assert after["saa-crossing"]["message_number"] > before["saa-crossing"]["message_number"]
    bad = run("export", "--db", str(db), "--format", "kml", "--party", "russia", "--at", "soon")
    assert bad.returncode == 2 and "'soon' is not a time" in bad.stderr


def test_cot_export_writes_the_partys_picture_as_events(db: Path, tmp_path: Path) -> None:
    """`deconflict cot export` takes the other exports' --from/--to (and --start/--end)."""
    out = tmp_path / "russia.xml"
    done = run(
        "cot", "export", "--db", str(db), "--party", "russia", "--from", "161000ZSEP17",
        "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    events = ET.parse(out).getroot().findall("event")
    uids = {e.get("uid") for e in events}
    assert "deconflict.notice.ru-strike-0916.1" in uids
    assert "deconflict.declaration.sdf-conoco" in uids
    assert not any("sdf-ne-deir-ez-zor" in (u or "") for u in uids)  # never disclosed to russia
    same = run(
        "cot", "export", "--db", str(db), "--party", "russia", "--start", "161000ZSEP17",
    )  # fmt: skip
    assert same.returncode == 0
    assert {e.get("uid") for e in ET.fromstring(same.stdout).findall("event")} == uids
    later = run("cot", "export", "--db", str(db), "--party", "russia", "--from", "200000ZSEP17")
    assert "ru-strike-0916" not in later.stdout  # it ended on the 16th
