"""Import and export over HTTP: need-to-know in every export, selections, imports recorded
whole or not at all, every bad feature reported, retries, previews and body limits."""

from __future__ import annotations

import json
import warnings
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from deconflict.adapters.formats.outline import outline
from deconflict.domain.geometry import Footprint

from .api_fixtures import (
    HIDDEN_CENTRE,
    HIDDEN_DECLARATION,
    auth,
    declaration_feature,
    f3548_volumes,
    features,
    fresh,
    notice_body,
    notice_feature,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastkml import kml

V = "/api/v1"
OFFICER = auth("coalition", "officer")


def head(client: TestClient) -> int:
    log = client.get(f"{V}/log", headers=auth("coalition", "admin")).json()
    return max((item["seq"] for item in log), default=0)


def ids(collection: dict[str, Any]) -> set[str]:
    return {f["properties"]["id"] for f in collection["features"]}


# -- need-to-know -------------------------------------------------------------------------------


def _leaks(text: str, fmt: str = "geojson") -> list[str]:
    lon, lat = HIDDEN_CENTRE
    if fmt == "kml":  # areas are outlines there: look for the hidden circle's own corners
        corners = outline(Footprint.circle(HIDDEN_CENTRE, 2000.0))[:3]
        places = [f"{x:.7f},{y:.7f}" for x, y in corners]
    else:
        places = [f"{lon}", f"{lat}"]
    return [n for n in (HIDDEN_DECLARATION, "not for russia", *places) if n in text]


@pytest.mark.parametrize("fmt", ["geojson", "kml", "f3548"])
def test_no_export_holds_a_declaration_not_disclosed_to_the_reader(
    client: TestClient, fmt: str
) -> None:
    for query in ("", "?include_inactive=true", "?owner=coalition"):
        russia = client.get(f"{V}/export/{fmt}{query}", headers=auth("russia", "viewer"))
        assert russia.status_code == 200, russia.text
        assert not _leaks(russia.text, fmt), (fmt, query, _leaks(russia.text, fmt))
    own = client.get(f"{V}/export/{fmt}", headers=auth("coalition", "viewer"))
    assert bool(_leaks(own.text, fmt)) == (fmt != "f3548")  # f3548: notices only


def test_a_party_exports_what_it_may_see_and_nothing_else(client: TestClient) -> None:
    russia = ids(client.get(f"{V}/export/geojson", headers=auth("russia", "viewer")).json())
    assert {"co-notice", "ru-notice", "ru-strike", "co-decl-shared", "ru-decl-shared"} <= russia
    assert {"mou-zone", "co-zone"} <= russia
    outsider = ids(client.get(f"{V}/export/geojson", headers=auth("un-desk", "viewer")).json())
    assert outsider == set()  # on no line and party to no measure's arrangement


def test_a_selection_by_kind_owner_and_window(client: TestClient) -> None:
    viewer = auth("coalition", "viewer")

    def selected(query: str) -> set[str]:
        answer = client.get(f"{V}/export/geojson?{query}", headers=viewer)
        assert answer.status_code == 200, answer.text
        return ids(answer.json())

    assert selected("kind=notice") == {"co-notice", "ru-notice", "ru-strike"}
    assert selected("kind=declaration&owner=russia") == {"ru-decl-shared"}
    assert selected("kind=measure&kind=declaration&owner=coalition") == {
        "co-zone",
        "co-decl-shared",
        HIDDEN_DECLARATION,
    }
    assert selected("kind=notice&from=2030-01-01T12:00:00Z") == set()  # they end at 12:00
    assert selected("kind=notice&to=011100ZJAN30") == {"co-notice", "ru-notice", "ru-strike"}
    assert selected("from=2031-01-01T00:00:00Z&kind=notice") == set()


def test_a_bad_selection_is_a_422_naming_the_parameter(client: TestClient) -> None:
    for query, field in (
        ("from=yesterday", "from"),
        ("from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z", "to"),
        ("kind=conflict", "kind"),
        ("colour=red", "colour"),
    ):
        answer = client.get(f"{V}/export/geojson?{query}", headers=OFFICER)
        assert answer.status_code == 422, (query, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert field in json.dumps(answer.json()), (query, answer.text)


def test_an_export_at_a_past_time_is_the_picture_the_party_had_then(client: TestClient) -> None:
    notice = fresh("past")
    filed = client.post(f"{V}/notices", json=notice_body(notice), headers=OFFICER)
    assert filed.status_code == 201, filed.text
    cancelled = client.post(f"{V}/notices/{notice}/cancel", json={}, headers=OFFICER)
    assert cancelled.status_code == 200, cancelled.text
    log = client.get(f"{V}/log", headers=auth("coalition", "admin")).json()
    filing = next(e for e in log if e["kind"] == "notice.filed" and e["subject_id"] == notice)

    def states(**query: str) -> dict[str, str]:
        answer = client.get(f"{V}/export/geojson", params=query, headers=OFFICER)
        assert answer.status_code == 200, answer.text
        return {f["properties"]["id"]: f["properties"]["state"] for f in answer.json()["features"]}

    then = states(at=filing["at"], include_inactive="true")
    assert then[notice] == "active" and then["co-notice"] == "active"  # not yet cancelled
    assert states(include_inactive="true")[notice] == "cancelled"
    assert notice not in states()  # now: cancelled, left out without include_inactive
    assert states(at="2000-01-01T00:00:00Z") == {}  # before anything was recorded
    # What the console's popups read: when each version was filed, on which message; when a
    # declaration was made.
    exported = client.get(f"{V}/export/geojson", headers=OFFICER).json()["features"]
    props = {f["properties"]["id"]: f["properties"] for f in exported}
    assert props["co-notice"]["message_number"] >= 1 and props["co-notice"]["filed_at"]
    declared = datetime.fromisoformat(props["co-decl-shared"]["declared_at"])
    assert declared <= datetime.fromisoformat(filing["at"])  # made with the world, before
    # The time is read like the others', and a bad one is named.
    answer = client.get(f"{V}/export/kml?at=yesterday", headers=OFFICER)
    assert answer.status_code == 422 and answer.json()["field"] == "at"


def test_the_kml_export_opens_in_a_kml_library(client: TestClient) -> None:
    answer = client.get(f"{V}/export/kml?kind=notice", headers=auth("coalition", "viewer"))
    assert answer.headers["content-type"].startswith("application/vnd.google-earth.kml+xml")
    document = kml.KML.from_string(answer.content).features[0]
    names = {pm.name for folder in document.features for pm in folder.features}
    assert names == {"co-notice v1 volume 1", "ru-notice v1 volume 1", "ru-strike v1 volume 1"}


# -- import: whole or nothing -------------------------------------------------------------------


def test_an_import_records_every_feature_and_answers_their_conflicts(client: TestClient) -> None:
    body = features(notice_feature("imp-notice"), declaration_feature("imp-decl"))
    answer = client.post(f"{V}/import/geojson", headers=OFFICER, json=body)
    assert answer.status_code == 201, answer.text
    result = answer.json()
    assert result["objects"] == [
        {"type": "notice", "id": "imp-notice"},
        {"type": "declaration", "id": "imp-decl"},
    ]
    assert any(r["kind"] == "notice.filed" for r in result["recorded"])
    assert result["conflicts"]  # the imported strike meets russia's notices
    assert not _leaks(json.dumps(result))
    mine = ids(client.get(f"{V}/export/geojson?owner=coalition", headers=OFFICER).json())
    assert {"imp-notice", "imp-decl"} <= mine


def test_one_refused_object_leaves_nothing_recorded(client: TestClient) -> None:
    before = head(client)
    body = features(
        declaration_feature("half-1"),
        notice_feature("half-2"),
        notice_feature("half-3", line="hotline-nowhere"),
    )
    answer = client.post(f"{V}/import/geojson", headers=OFFICER, json=body)
    assert answer.status_code == 404, answer.text
    assert answer.json()["field"] == "features[2].properties.line"
    assert head(client) == before
    assert not {"half-1", "half-2"} & ids(client.get(f"{V}/export/geojson", headers=OFFICER).json())


def test_an_id_already_on_record_is_a_409_naming_the_feature(client: TestClient) -> None:
    body = features(declaration_feature("fresh-one"), declaration_feature("co-decl-shared"))
    answer = client.post(f"{V}/import/geojson", headers=OFFICER, json=body)
    assert answer.status_code == 409, answer.text
    assert answer.json()["field"] == "features[1].properties.id"


def test_every_bad_feature_is_listed_in_one_422(client: TestClient) -> None:
    before = head(client)
    bad_time = declaration_feature("a") | {}
    bad_time["properties"] = bad_time["properties"] | {"start": "tomorrow"}
    bad_place = notice_feature("b")
    bad_place["geometry"] = {"type": "Point", "coordinates": [40.0, 95.0]}
    unknown = declaration_feature("c")
    unknown["properties"] = unknown["properties"] | {"colour": "red"}
    body = features(declaration_feature("ok"), bad_time, bad_place, unknown)
    answer = client.post(f"{V}/import/geojson", headers=OFFICER, json=body)
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in problem["errors"]] == [
        "features[1].properties.start",
        "features[2].geometry.coordinates[0]",
        "features[3].properties",
    ]
    assert "(and 2 more)" in problem["detail"]
    assert head(client) == before


def test_a_feature_of_another_party_is_refused(client: TestClient) -> None:
    theirs = declaration_feature("theirs")
    theirs["properties"] = theirs["properties"] | {"party": "russia"}
    answer = client.post(f"{V}/import/geojson", headers=OFFICER, json=features(theirs))
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "features[0].properties.party"


def test_a_retried_import_is_answered_again_and_recorded_once(client: TestClient) -> None:
    body = features(declaration_feature("retried"))
    headers = OFFICER | {"Idempotency-Key": "import-1"}
    first = client.post(f"{V}/import/geojson", headers=headers, json=body)
    after = head(client)
    again = client.post(f"{V}/import/geojson", headers=headers, json=body)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replay"] == "true" and again.json() == first.json()
    assert head(client) == after
    other = client.post(
        f"{V}/import/geojson", headers=headers, json=features(declaration_feature("x"))
    )
    assert other.status_code == 422 and other.json()["code"] == "idempotency_mismatch"


def test_a_preview_answers_what_would_be_recorded_and_records_nothing(client: TestClient) -> None:
    before = head(client)
    body = features(notice_feature("maybe"), declaration_feature("maybe-decl"))
    answer = client.post(f"{V}/import/geojson/preview", headers=OFFICER, json=body)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert [o["id"] for o in result["objects"]] == ["maybe", "maybe-decl"]
    assert result["recorded"] == [] and result["conflicts"]
    assert head(client) == before
    assert client.post(f"{V}/import/geojson", headers=OFFICER, json=body).status_code == 201


def test_a_viewer_may_not_import(client: TestClient) -> None:
    body = features(declaration_feature(fresh("d")))
    answer = client.post(f"{V}/import/geojson", headers=auth("coalition", "viewer"), json=body)
    assert answer.status_code == 403


def test_an_import_over_the_body_limit_is_a_413(client: TestClient) -> None:
    many = features(*(declaration_feature(f"d-{i}") for i in range(6000)))
    answer = client.post(f"{V}/import/geojson", headers=OFFICER, json=many)
    assert answer.status_code == 413
    assert answer.json()["code"] == "too_large"


def test_geo_json_may_be_sent_as_application_geo_json(client: TestClient) -> None:
    answer = client.post(
        f"{V}/import/geojson",
        headers=OFFICER | {"Content-Type": "application/geo+json"},
        content=json.dumps(features(declaration_feature("typed"))),
    )
    assert answer.status_code == 201, answer.text


# -- F3548 --------------------------------------------------------------------------------------


def test_an_operations_volumes_are_filed_as_a_notice_and_exported_again(
    client: TestClient,
) -> None:
    answer = client.post(
        f"{V}/import/f3548?id=drone-1&line=hotline-air&kind=isr&geoid_undulation_m=30",
        headers=OFFICER,
        json=f3548_volumes(),
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["objects"] == [{"type": "notice", "id": "drone-1"}]
    notice = client.get(f"{V}/notices/drone-1", headers=OFFICER).json()
    band = notice["volumes"][0]["band"]
    assert (band["lower_m"], band["upper_m"]) == (-30.0, 6066.0)  # W84 less 30 m of geoid
    out = client.get(f"{V}/export/f3548?geoid_undulation_m=30", headers=OFFICER).json()
    (drone,) = [n for n in out["notices"] if n["id"] == "drone-1"]
    assert drone["volumes"] == f3548_volumes()  # back on the ellipsoid, as it came


def test_a_wrapped_operation_needs_no_query_and_a_bad_one_lists_its_volumes(
    client: TestClient,
) -> None:
    wrapped = {"id": "drone-2", "line": "hotline-air", "kind": "isr", "volumes": f3548_volumes()}
    assert client.post(f"{V}/import/f3548", headers=OFFICER, json=wrapped).status_code == 201
    bad = f3548_volumes() + f3548_volumes(lat=95.0)
    bad[0]["time_end"]["value"] = "2030-01-01T09:00:00Z"
    answer = client.post(f"{V}/import/f3548?id=drone-3", headers=OFFICER, json=bad)
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == [
        "line",
        "kind",
        "volumes[0].time_end.end",
        "volumes[1].volume.outline_circle.center",
    ]


def test_an_f3548_preview_screens_and_records_nothing(client: TestClient) -> None:
    before = head(client)
    answer = client.post(
        f"{V}/import/f3548/preview?id=drone-4&line=hotline-air&kind=air_strike",
        headers=OFFICER,
        json=f3548_volumes(*HIDDEN_CENTRE),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["conflicts"] and head(client) == before
