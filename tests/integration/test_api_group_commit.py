"""Requests that arrive together are written together: retries of one Idempotency-Key that
race each other still file once, and a bad request in a batch fails alone."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from deconflict.bootstrap import ServeSettings, build_server
from deconflict.domain.notices import Notice

from .api_fixtures import auth, build_template, copy_db, fresh, notice_body


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("group-commit") / "template.sqlite"
    build_template(path)
    return path


def _post_together(app: Any, requests: list[tuple[dict[str, Any], dict[str, str]]]) -> list[Any]:
    async def go() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await asyncio.gather(
                *(
                    client.post("/api/v1/notices", json=body, headers=headers)
                    for body, headers in requests
                )
            )

    return asyncio.run(go())


def test_racing_retries_of_one_key_file_once(template: Path, tmp_path: Path) -> None:
    db = tmp_path / "race.sqlite"
    copy_db(template, db)
    app, store = build_server(ServeSettings(db=str(db), deadline_every_s=3600))
    try:
        head = store.head()
        body = notice_body(fresh("N"))
        headers = auth("coalition", "officer") | {"Idempotency-Key": "retry-1"}
        answers = _post_together(app, [(body, headers)] * 5)
        assert [a.status_code for a in answers] == [201] * 5
        replays = [a for a in answers if a.headers.get("Idempotent-Replay") == "true"]
        assert len(replays) == 4
        assert len({a.text for a in answers}) == 1  # every retry got the first answer
        with store.read() as tx:
            assert tx.get(Notice, body["id"]) is not None
        notices = [e for e in store.entries(head) if e.kind == "notice.filed"]
        assert [e.subject_id for e in notices] == [body["id"]]
    finally:
        store.close()


def test_a_bad_request_in_a_batch_fails_alone(template: Path, tmp_path: Path) -> None:
    db = tmp_path / "batch.sqlite"
    copy_db(template, db)
    app, store = build_server(ServeSettings(db=str(db), deadline_every_s=3600))
    try:
        good = [notice_body(fresh("N")) for _ in range(3)]
        unknown_line = notice_body(fresh("N"), line="no-such-line")
        officer = auth("coalition", "officer")
        answers = _post_together(app, [(b, officer) for b in (good[0], unknown_line, *good[1:])])
        assert [a.status_code for a in answers] == [201, 404, 201, 201]
        assert answers[1].json()["field"] == "line"
        with store.read() as tx:
            assert all(tx.get(Notice, b["id"]) is not None for b in good)
            assert tx.get(Notice, unknown_line["id"]) is None
        numbers = [a.json()["notice"]["message_number"] for a in answers if a.status_code == 201]
        assert numbers == sorted(numbers) and len(set(numbers)) == 3
    finally:
        store.close()
