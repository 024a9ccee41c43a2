"""The seed scenario as Cursor-on-Target: every event each party gets is valid against the
CoT 2.0 event schema, and no party gets a shape it may not see."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import xmlschema

from deconflict.adapters.formats.cot import changes, export, picture
from deconflict.adapters.sqlite.store import SqliteStore
from deconflict.service.selection import Selection, select

SCHEMA = xmlschema.XMLSchema(Path(__file__).parents[1] / "data" / "cot-event-2.0.xsd")
PARTIES = ("coalition", "russia")
NOW = datetime(2017, 9, 16, 9, 0, tzinfo=UTC)
ALL_TIME = Selection(start=datetime(2017, 1, 1, tzinfo=UTC), include_inactive=True)


def test_every_event_and_deletion_of_the_seed_is_a_valid_cot_event(seed_store: SqliteStore) -> None:
    checked = 0
    for party in PARTIES:
        with seed_store.read() as tx:
            shapes = picture(select(tx, party, ALL_TIME), ALL_TIME)
        assert shapes, party
        for event in [*changes({}, shapes, NOW), *changes(shapes, {}, NOW)]:
            SCHEMA.validate(event.decode())
            checked += 1
    assert checked >= 20


def test_an_export_holds_what_the_party_may_see_and_nothing_else(seed_store: SqliteStore) -> None:
    with seed_store.read() as tx:
        russian = ET.fromstring(export(tx, "russia", ALL_TIME, NOW))
        coalition = ET.fromstring(export(tx, "coalition", ALL_TIME, NOW))
    for root in (russian, coalition):
        for event in root:
            SCHEMA.validate(ET.tostring(event).decode())
    ru = {e.get("uid") for e in russian}
    co = {e.get("uid") for e in coalition}
    hidden = "deconflict.declaration.sdf-ne-deir-ez-zor"  # the SDF position never disclosed
    assert hidden in co and hidden not in ru
    assert "deconflict.declaration.sdf-conoco" in ru  # disclosed to russia
    assert "deconflict.measure.euphrates-line" in ru and "deconflict.notice.ru-strike-0916.1" in ru
    assert all("sdf-ne-deir-ez-zor" not in ET.tostring(e).decode() for e in russian)


def test_the_current_picture_leaves_out_what_has_ended(seed_store: SqliteStore) -> None:
    late = datetime(2017, 9, 17, 0, 0, tzinfo=UTC)
    with seed_store.read() as tx:
        root = ET.fromstring(export(tx, "russia", Selection(), late))
    uids = {e.get("uid") for e in root}
    assert "deconflict.notice.ru-strike-0916.1" not in uids  # 16 Sept 1000-1200Z
    assert all(e.get("stale", "") > "2017-09-17" for e in root)
