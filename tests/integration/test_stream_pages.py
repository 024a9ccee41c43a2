"""A stream that is far behind catches up in one read: several pages of the log per turn. The
page just committed is presented from memory, on the event loop, exactly as from the store."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from deconflict.api.context import Caller, Services
from deconflict.api.routes.log import PAGE, _page, _recent_page
from deconflict.api.streams import Pages
from deconflict.domain.parties import Member

from .api_fixtures import PARTIES, auth, declaration_feature, features, member, notice_body

OFFICER = auth("coalition", "officer")


@pytest.mark.parametrize("start", ["the beginning", "the head"])
def test_a_stream_far_behind_gets_more_than_a_page_in_its_first_chunk(
    client: TestClient, start: str
) -> None:
    """From the beginning the log holds entries another process wrote (the template's), read
    from the store in a thread; from the head before the import, only this process's, held in
    memory and presented on the event loop."""
    after = 0 if start == "the beginning" else client.app.state.services.store.head()  # type: ignore[attr-defined]
    many = features(*(declaration_feature(f"site-{i:04d}") for i in range(PAGE + 100)))
    answer = client.post("/api/v1/import/geojson", json=many, headers=OFFICER)
    assert answer.status_code == 201, answer.text
    with client.stream("GET", f"/api/v1/stream?after={after}", headers=OFFICER) as stream:
        chunks = stream.iter_text()
        banner = next(chunks)
        assert banner.startswith(": deconflict stream")
        first = next(chunks)
    imported = [line for line in first.splitlines() if '"subject_id":"site-' in line]
    assert len(imported) == PAGE + 100  # every one, though they span two pages of the log


def _caller(services: Services, party: str) -> Caller:
    officer = services.mechanism.get(Member, member(party, "officer"))
    # A page cache of its own: each way of making the page makes it.
    return Caller(officer, replace(services, pages=Pages()), None, "GET", "/api/v1/stream")


def test_the_page_just_committed_is_presented_from_memory_as_from_the_store(
    client: TestClient,
) -> None:
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    head = services.store.head()
    # Russia's strike meets the coalition's notice, its shared declaration and the position
    # it hides from Russia: a conflict Russia may see only redacted.
    answer = client.post(
        "/api/v1/notices", json=notice_body("ru-late-strike"), headers=auth("russia", "officer")
    )
    assert answer.status_code == 201, answer.text
    redacted = 0
    for party in PARTIES:
        recent = _recent_page(_caller(services, party), head)
        assert recent is not None, party
        assert recent == _page(_caller(services, party), head), party
        conflicts = [i["data"] for i in recent[1] if i["kind"] == "conflict.found"]
        redacted += sum(not c["disclosed"] and c["other"]["id"] is None for c in conflicts)
    assert redacted >= 1
    # The template's entries were written by another process: not held, read from the store.
    assert _recent_page(_caller(services, "russia"), 0) is None
