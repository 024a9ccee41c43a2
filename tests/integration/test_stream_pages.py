"""A stream that is far behind catches up in one read: several pages of the log per turn."""

from __future__ import annotations

from fastapi.testclient import TestClient

from deconflict.api.routes.log import PAGE

from .api_fixtures import auth, declaration_feature, features

OFFICER = auth("coalition", "officer")


def test_a_stream_far_behind_gets_more_than_a_page_in_its_first_chunk(
    client: TestClient,
) -> None:
    many = features(*(declaration_feature(f"site-{i:04d}") for i in range(PAGE + 100)))
    answer = client.post("/api/v1/import/geojson", json=many, headers=OFFICER)
    assert answer.status_code == 201, answer.text
    with client.stream("GET", "/api/v1/stream", headers=OFFICER) as stream:
        chunks = stream.iter_text()
        banner = next(chunks)
        assert banner.startswith(": deconflict stream")
        first = next(chunks)
    imported = [line for line in first.splitlines() if '"subject_id":"site-' in line]
    assert len(imported) == PAGE + 100  # every one, though they span two pages of the log
