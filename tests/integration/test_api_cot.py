"""GET /api/v1/export/cot: the caller's party's picture as CoT events, and nothing else."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import xmlschema
from fastapi.testclient import TestClient

from .api_fixtures import HIDDEN_DECLARATION, auth

SCHEMA = xmlschema.XMLSchema(Path(__file__).parents[1] / "data" / "cot-event-2.0.xsd")
V = "/api/v1"




def export(client: TestClient, party: str, query: str = "") -> list[ET.Element]:
    answer = client.get(f"{V}/export/cot{query}", headers=auth(party, "viewer"))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(answer.content)
    for event in root:
        SCHEMA.validate(ET.tostring(event).decode())
    return list(root)


def test_each_party_gets_what_it_may_see_as_valid_events(client: TestClient) -> None:
    window = "?from=2030-01-01T09:00:00Z&to=2030-01-01T13:00:00Z"
    russian = {e.get("uid") for e in export(client, "russia", window)}
    coalition = {e.get("uid") for e in export(client, "coalition", window)}
    hidden = f"deconflict.declaration.{HIDDEN_DECLARATION}"
    assert hidden in coalition and hidden not in russian
    assert "deconflict.declaration.co-decl-shared" in russian
    assert {"deconflict.notice.co-notice.1", "deconflict.notice.ru-notice.1"} <= russian
    assert "deconflict.measure.mou-zone" in russian
    # un-desk is on no line of mou and bound by no arrangement with measures: nothing of it.
    assert export(client, "un-desk", window) == []


def test_kinds_and_owners_narrow_the_export(client: TestClient) -> None:
    window = "&from=2030-01-01T09:00:00Z"
    notices = export(client, "russia", f"?kind=notice&owner=russia{window}")
    assert {e.get("uid") for e in notices} >= {"deconflict.notice.ru-notice.1"}
    assert all(".notice.ru-" in (e.get("uid") or "") for e in notices)


def test_a_window_that_ends_before_it_starts_is_refused(client: TestClient) -> None:
    answer = client.get(
        f"{V}/export/cot?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z",
        headers=auth("russia", "viewer"),
    )
    assert answer.status_code == 422 and answer.json()["field"] == "to"
    answer = client.get(f"{V}/export/cot?from=yesterday", headers=auth("russia", "viewer"))
    assert answer.status_code == 422 and answer.json()["field"] == "from"
