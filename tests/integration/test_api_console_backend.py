"""What the browser console needs of the API: the offline base layer (GET /basemap) and the
screening preview of a notice (POST /notices/preview), of an amendment, a declaration and a
control measure, over the template world of ``api_fixtures`` (coalition and russia on the ``mou``
lines; un-desk on none)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from deconflict.adapters.payloads import build_command
from deconflict.service.handlers import Done, Request

from .api_fixtures import (
    HIDDEN_CENTRE,
    HIDDEN_DECLARATION,
    START,
    auth,
    fresh,
    member,
    notice_body,
    point,
)

V = "/api/v1"
PROBLEM = "application/problem+json"
SYRIA_AND_ITS_COAST = "35,32,42,37.5"
#: Where russia's shared declaration ``ru-decl-shared`` (a site disclosed to the coalition) is.
RU_SHARED_SITE = (40.5, 35.1)
#: Far from every object of the template: where russia declares a site it discloses to nobody.
RU_HIDDEN_SITE = (40.9, 35.25)




def strike_at(lon: float, lat: float, notice_id: str | None = None) -> dict[str, Any]:
    body = notice_body(notice_id or fresh("strike"))
    body["volumes"][0]["footprint"] = point(lon, lat, 1000.0)
    return body


def assert_problem(answer: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    problem: dict[str, Any] = answer.json()
    assert problem["status"] == status and problem["code"] and problem["detail"]
    if field is not None:
        assert problem.get("field") == field, problem
    return problem


def head(client: TestClient) -> int:
    store = client.app.state.services.store  # type: ignore[attr-defined]
    seq: int = store.head()
    return seq


def without_time(conflicts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Conflicts as found, less when they were found (the preview and the filing differ)."""
    return sorted(
        ({k: v for k, v in c.items() if k != "found_at"} for c in conflicts),
        key=lambda c: c["id"],
    )


# -- the base layer ---------------------------------------------------------------------------


def test_the_base_layer_of_syria_has_borders_rivers_and_coast(client: TestClient) -> None:
    answer = client.get(
        f"{V}/basemap",
        params={"bbox": SYRIA_AND_ITS_COAST},
        headers=auth("coalition", "viewer"),
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    collection = answer.json()
    assert collection["type"] == "FeatureCollection"
    layers = {f["properties"]["layer"] for f in collection["features"]}
    assert layers == {"border", "river", "coast"}
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "LineString"
        for lon, lat in feature["geometry"]["coordinates"]:
            assert 35 - 1e-6 <= lon <= 42 + 1e-6 and 32 - 1e-6 <= lat <= 37.5 + 1e-6


@pytest.mark.parametrize("resolution", ["c", "l", "i"])
def test_every_resolution_answers(client: TestClient, resolution: str) -> None:
    answer = client.get(
        f"{V}/basemap",
        params={"bbox": "38,34,42,37", "resolution": resolution},
        headers=auth("un-desk", "viewer"),  # any member: the base layer is no party's
    )
    assert answer.status_code == 200, answer.text
    rivers = [f for f in answer.json()["features"] if f["properties"]["layer"] == "river"]
    assert rivers


def test_the_same_box_gets_the_same_answer(client: TestClient) -> None:
    headers = auth("russia", "officer")
    first = client.get(f"{V}/basemap", params={"bbox": "40.5,34,41.5,35"}, headers=headers)
    again = client.get(f"{V}/basemap", params={"bbox": "40.5,34,41.5,35"}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    assert {f["properties"]["layer"] for f in first.json()["features"]} >= {"border", "river"}


@pytest.mark.parametrize(
    "bbox",
    [
        "38,34,42",  # malformed: three numbers
        "west,34,42,37",  # malformed: not a number
        "nan,34,42,37",
        "42,34,38,37",  # inverted
        "38,37,42,34",
        "0,0,61,10",  # more than 60 degrees on a side
        "10,-40,20,21",
        "170,0,181,10",  # off the globe
    ],
)
def test_a_bad_bbox_is_a_422_naming_it(client: TestClient, bbox: str) -> None:
    answer = client.get(f"{V}/basemap", params={"bbox": bbox}, headers=auth("coalition", "viewer"))
    assert assert_problem(answer, 422, "bbox")["code"] == "invalid_input"


def test_a_missing_bbox_or_unknown_resolution_is_a_422(client: TestClient) -> None:
    headers = auth("coalition", "viewer")
    assert_problem(client.get(f"{V}/basemap", headers=headers), 422)
    wrong = client.get(
        f"{V}/basemap", params={"bbox": "38,34,42,37", "resolution": "h"}, headers=headers
    )
    assert "resolution" in assert_problem(wrong, 422)["detail"]
    unknown = client.get(
        f"{V}/basemap", params={"bbox": "38,34,42,37", "zoom": "3"}, headers=headers
    )
    assert_problem(unknown, 422, "zoom")


def test_the_base_layer_needs_a_token(client: TestClient) -> None:
    answer = client.get(f"{V}/basemap", params={"bbox": "38,34,42,37"})
    assert_problem(answer, 401)
    assert answer.headers["www-authenticate"].startswith("Bearer")


# -- the screening preview --------------------------------------------------------------------


def test_a_preview_shows_a_disclosed_declaration_and_records_nothing(client: TestClient) -> None:
    officer = auth("coalition", "officer")
    strike = strike_at(*RU_SHARED_SITE)
    before_head = head(client)
    before_log = client.get(f"{V}/log", headers=officer).json()
    before_conflicts = client.get(f"{V}/conflicts", headers=officer).json()
    before_messages = client.get(f"{V}/lines/hotline-air/messages", headers=officer).json()

    preview = client.post(f"{V}/notices/preview", headers=officer, json=strike)
    assert preview.status_code == 200, preview.text
    assert set(preview.json()) == {"conflicts"}
    found = preview.json()["conflicts"]
    shared = [c for c in found if c["other"]["type"] == "declaration"]
    assert [c["other"]["id"] for c in shared] == ["ru-decl-shared"]
    assert shared[0]["other"]["party"] == "russia"
    assert shared[0]["disclosed"] and shared[0]["distance_m"] is not None
    assert shared[0]["subject"] == {
        "type": "notice",
        "id": strike["id"],
        "party": "coalition",
        "kind": "air_strike",
        "version": 1,
    }

    # Nothing recorded, nothing live.
    assert head(client) == before_head
    assert client.get(f"{V}/log", headers=officer).json() == before_log
    assert client.get(f"{V}/conflicts", headers=officer).json() == before_conflicts
    assert client.get(f"{V}/lines/hotline-air/messages", headers=officer).json() == before_messages
    assert client.get(f"{V}/notices/{strike['id']}", headers=officer).status_code == 404

    # Filing it afterwards succeeds and finds the same conflicts.
    filed = client.post(f"{V}/notices", headers=officer, json=strike)
    assert filed.status_code == 201, filed.text
    assert without_time(filed.json()["conflicts"]) == without_time(found)
    assert head(client) > before_head
    # Now it exists: previewing the same id again is a conflict with the current state.
    assert_problem(client.post(f"{V}/notices/preview", headers=officer, json=strike), 409, "id")


def test_a_preview_shows_an_undisclosed_declaration_as_kind_and_owner_only(
    client: TestClient,
) -> None:
    russia = auth("russia", "officer")
    site = {
        "id": fresh("ru-secret"),
        "kind": "site",
        "footprint": point(*RU_HIDDEN_SITE, 500.0),
        "start": "2030-01-01T10:00:00Z",
        "label": "russian depot (not for the coalition)",
    }
    assert client.post(f"{V}/declarations", headers=russia, json=site).status_code == 201

    officer = auth("coalition", "officer")
    strike = strike_at(*RU_HIDDEN_SITE)
    before = head(client)
    preview = client.post(f"{V}/notices/preview", headers=officer, json=strike)
    assert preview.status_code == 200, preview.text
    hidden = [c for c in preview.json()["conflicts"] if c["other"]["type"] == "declaration"]
    assert len(hidden) == 1
    (conflict,) = hidden
    assert conflict["other"] == {
        "type": "declaration",
        "kind": "site",
        "party": "russia",
        "id": None,
    }
    assert not conflict["disclosed"]
    assert conflict["distance_m"] is None and conflict["band"] is None and conflict["detail"] == ""
    assert conflict["distance_band"]  # how near, in a band, is what need-to-know allows
    assert site["id"] not in preview.text and "depot" not in preview.text
    assert head(client) == before

    filed = client.post(f"{V}/notices", headers=officer, json=strike)
    assert filed.status_code == 201, filed.text
    assert without_time(filed.json()["conflicts"]) == without_time(preview.json()["conflicts"])
    # Russia sees the same conflict in full: the declaration is its own.
    theirs = {c["id"]: c for c in client.get(f"{V}/conflicts", headers=russia).json()}
    assert theirs[conflict["id"]]["other"]["id"] == site["id"]


def test_russias_preview_over_the_hidden_coalition_position_leaks_nothing(
    client: TestClient,
) -> None:
    preview = client.post(
        f"{V}/notices/preview", headers=auth("russia", "officer"), json=strike_at(*HIDDEN_CENTRE)
    )
    assert preview.status_code == 200, preview.text
    hidden = [c for c in preview.json()["conflicts"] if c["other"]["type"] == "declaration"]
    assert hidden and all(c["other"]["id"] is None for c in hidden)
    text = preview.text
    assert HIDDEN_DECLARATION not in text and "not for russia" not in text
    assert str(HIDDEN_CENTRE[0]) not in text and str(HIDDEN_CENTRE[1]) not in text


def test_a_preview_with_no_conflicts_is_an_empty_list(client: TestClient) -> None:
    far = strike_at(38.5, 33.2)
    answer = client.post(f"{V}/notices/preview", headers=auth("coalition", "commander"), json=far)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"conflicts": []}


def test_a_preview_is_safe_to_repeat_with_an_idempotency_key(client: TestClient) -> None:
    officer = auth("coalition", "officer") | {"Idempotency-Key": "preview-once"}
    strike = strike_at(*RU_SHARED_SITE)
    first = client.post(f"{V}/notices/preview", headers=officer, json=strike)
    again = client.post(f"{V}/notices/preview", headers=officer, json=strike)
    assert first.status_code == again.status_code == 200
    assert without_time(first.json()["conflicts"]) == without_time(again.json()["conflicts"])
    assert "idempotent-replay" not in again.headers
    # The key was not spent on the preview: filing with it records the notice.
    filed = client.post(f"{V}/notices", headers=officer, json=strike)
    assert filed.status_code == 201, filed.text


def test_a_viewer_may_not_preview(client: TestClient) -> None:
    before = head(client)
    answer = client.post(
        f"{V}/notices/preview", headers=auth("coalition", "viewer"), json=strike_at(40.0, 35.0)
    )
    assert assert_problem(answer, 403)["code"] == "not_permitted"
    assert head(client) == before


def test_a_party_off_the_line_gets_404(client: TestClient) -> None:
    answer = client.post(
        f"{V}/notices/preview", headers=auth("un-desk", "officer"), json=strike_at(40.0, 35.0)
    )
    assert_problem(answer, 404)


@pytest.mark.parametrize(
    "change",
    [
        {"volumes": []},
        {"kind": "picnic"},
        {"party": "russia"},  # a member never files for another party
        {"id": ""},
        {"line": None},
    ],
    ids=["no-volumes", "unknown-kind", "extra-field", "empty-id", "no-line"],
)
def test_an_invalid_body_is_a_422(client: TestClient, change: dict[str, Any]) -> None:
    body = {k: v for k, v in (strike_at(40.0, 35.0) | change).items() if v is not None}
    before = head(client)
    answer = client.post(f"{V}/notices/preview", headers=auth("coalition", "officer"), json=body)
    assert_problem(answer, 422)
    assert head(client) == before


def test_a_meaningless_volume_is_a_422_naming_the_field(client: TestClient) -> None:
    body = strike_at(40.0, 35.0)
    body["volumes"][0]["start"] = "not a time"
    answer = client.post(f"{V}/notices/preview", headers=auth("coalition", "officer"), json=body)
    problem = assert_problem(answer, 422)
    assert "volumes" in json.dumps(problem)


def test_preview_is_not_taken_for_a_notice_id(client: TestClient) -> None:
    answer = client.get(f"{V}/notices/preview", headers=auth("coalition", "officer"))
    assert_problem(answer, 404)  # the notice 'preview' is unknown, the route is POST only


def test_a_preview_in_a_batch_leaves_no_ghost_and_wakes_no_stream(client: TestClient) -> None:
    """A preview queued with another party's filing in one group commit: the filing does not meet
    the previewed notice (it was undone), and only the filing wakes the streams."""
    services = client.app.state.services  # type: ignore[attr-defined]
    pulses: list[int] = []
    services.notifier.notify = lambda: pulses.append(1)
    officer, russian = member("coalition", "officer"), member("russia", "officer")
    ghost, real = strike_at(*RU_SHARED_SITE), strike_at(*RU_SHARED_SITE)
    before = head(client)

    async def batch() -> list[Done]:
        return list(
            await asyncio.gather(
                services.writer.run(Request(build_command("notify", ghost), officer, dry_run=True)),
                services.writer.run(Request(build_command("notify", real), russian)),
            )
        )

    previewed, filed = client.portal.call(batch)  # type: ignore[union-attr]
    assert previewed.error is None and filed.error is None
    assert previewed.outcome is not None and filed.outcome is not None
    assert [x.other.id for x in previewed.outcome.conflicts] == ["ru-decl-shared"]
    # russia's strike on the same spot meets the coalition's site there, and would have met the
    # coalition's strike, had it been filed
    assert [x.other.id for x in filed.outcome.conflicts] == ["co-decl-shared"]
    assert head(client) == before + len(filed.outcome.entries)
    assert pulses == [1]

    alone = client.post(f"{V}/notices/preview", headers=auth("coalition", "officer"), json=ghost)
    assert alone.status_code == 200, alone.text
    assert pulses == [1]
    assert (
        client.get(f"{V}/notices/{ghost['id']}", headers=auth("coalition", "officer")).status_code
        == 404
    )


def test_preview_answers_405_naming_post_only(client: TestClient) -> None:
    answer = client.put(f"{V}/notices/preview", headers=auth("coalition", "officer"), json={})
    assert_problem(answer, 405)
    assert answer.headers["allow"] == "POST"  # the concrete path, not /notices/{notice_id}


# -- the screening preview of an amendment, a declaration, a control measure ------------------

#: Where the template's notices are (``co-notice``, ``ru-notice``, ``ru-strike``).
NOTICES_CENTRE = (40.19, 35.41)


def test_an_amendment_is_previewed_as_the_new_version_and_nothing_is_recorded(
    client: TestClient,
) -> None:
    officer = auth("coalition", "officer")
    far = strike_at(38.5, 33.2)
    filed = client.post(f"{V}/notices", headers=officer, json=far)
    assert filed.status_code == 201, filed.text
    assert filed.json()["conflicts"] == []
    moved = {"volumes": strike_at(*RU_SHARED_SITE)["volumes"], "remarks": "moved east"}
    before = head(client)
    messages = client.get(f"{V}/lines/hotline-air/messages", headers=officer).json()

    preview = client.post(f"{V}/notices/{far['id']}/amend/preview", headers=officer, json=moved)
    assert preview.status_code == 200, preview.text
    found = preview.json()["conflicts"]
    assert [c["other"]["id"] for c in found if c["other"]["type"] == "declaration"] == [
        "ru-decl-shared"
    ]
    assert {(c["subject"]["id"], c["subject"]["version"]) for c in found} == {(far["id"], 2)}
    assert head(client) == before
    assert client.get(f"{V}/notices/{far['id']}", headers=officer).json()["version"] == 1
    assert client.get(f"{V}/lines/hotline-air/messages", headers=officer).json() == messages

    amended = client.post(f"{V}/notices/{far['id']}/amend", headers=officer, json=moved)
    assert amended.status_code == 201, amended.text
    assert amended.json()["notice"]["version"] == 2
    assert without_time(amended.json()["conflicts"]) == without_time(found)


def test_an_amendment_of_an_unknown_or_cancelled_notice_cannot_be_previewed(
    client: TestClient,
) -> None:
    officer = auth("coalition", "officer")
    body = {"volumes": strike_at(40.0, 35.0)["volumes"]}
    assert_problem(
        client.post(f"{V}/notices/nothing/amend/preview", headers=officer, json=body), 404
    )
    cancelled = client.post(f"{V}/notices/co-notice/cancel", headers=officer, json={})
    assert cancelled.status_code == 200, cancelled.text
    before = head(client)
    assert_problem(
        client.post(f"{V}/notices/co-notice/amend/preview", headers=officer, json=body), 409
    )
    assert head(client) == before


def test_a_declaration_is_previewed_against_the_active_notices(client: TestClient) -> None:
    russia = auth("russia", "officer")
    site = {
        "id": fresh("ru-site"),
        "kind": "site",
        "footprint": point(*NOTICES_CENTRE, 500.0),
        "start": START,
        "disclosed_to": ["coalition"],
        "label": "field hospital",
    }
    before = head(client)
    preview = client.post(f"{V}/declarations/preview", headers=russia, json=site)
    assert preview.status_code == 200, preview.text
    found = preview.json()["conflicts"]
    # the coalition's strike there; russia's own notices are not screened against its own site
    assert {c["subject"]["id"] for c in found} == {"co-notice"}
    assert {c["other"]["id"] for c in found} == {site["id"]}
    assert head(client) == before
    listed = client.get(f"{V}/declarations", headers=russia).json()
    assert site["id"] not in {d["id"] for d in listed}

    declared = client.post(f"{V}/declarations", headers=russia, json=site)
    assert declared.status_code == 201, declared.text
    assert without_time(declared.json()["conflicts"]) == without_time(found)


def test_a_zone_is_previewed_against_the_active_notices(client: TestClient) -> None:
    officer = auth("coalition", "officer")
    zone = {
        "id": fresh("no-strike"),
        "arrangement": "mou",
        "kind": "zone",
        "name": "no strikes over the town",
        "footprint": point(*NOTICES_CENTRE, 5000.0),
        "rule": "no_strike",
        "owner": "coalition",
        "start": START,
    }
    before = head(client)
    preview = client.post(f"{V}/measures/preview", headers=officer, json=zone)
    assert preview.status_code == 200, preview.text
    found = preview.json()["conflicts"]
    # The coalition owns the zone: only russia's strikes break its rule.
    assert {c["subject"]["party"] for c in found} == {"russia"}
    assert "ru-notice" in {c["subject"]["id"] for c in found}
    assert head(client) == before
    assert zone["id"] not in {m["id"] for m in client.get(f"{V}/measures", headers=officer).json()}

    recorded = client.post(f"{V}/measures", headers=officer, json=zone)
    assert recorded.status_code == 201, recorded.text
    assert without_time(recorded.json()["conflicts"]) == without_time(found)
