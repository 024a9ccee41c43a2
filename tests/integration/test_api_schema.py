"""The API against its own OpenAPI document: for every operation, requests generated from the
schema (valid and invalid), sent with a valid officer's token, never get a 5xx and always get a
documented status, content type and body (schemathesis' default checks).

Bounded: 25 examples per operation, derandomized, over a small world in a real SQLite file.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from deconflict.bootstrap import ServeSettings, build_server

from .api_fixtures import auth, build_template, declared_routes

# Built at collection: schemathesis' lazy ``from_fixture`` loader does not run on pytest 9
# ('Function' object has no attribute '_nodeid'), so the schema is loaded eagerly.
_FOLDER = tempfile.TemporaryDirectory(prefix="deconflict-api-schema-")
build_template(Path(_FOLDER.name) / "api.sqlite")
APP, STORE = build_server(
    ServeSettings(db=str(Path(_FOLDER.name) / "api.sqlite"), deadline_every_s=3600)
)
# The default checks, all on. One is tuned: the domain checks what JSON Schema cannot (MGRS,
# DTG, a footprint's shape, ...) and answers a documented 422 with the field, so a schema-valid
# body may be refused with 422 without the document being wrong; and invalid data may be refused
# as too large (413) before it is read (an import's body can be big).
CONFIG = SchemathesisConfig.from_str(
    """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]

[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]
"""
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)


@pytest.fixture(scope="module", autouse=True)
def _close_store() -> Iterator[None]:
    yield
    STORE.close()
    _FOLDER.cleanup()


OFFICER = auth("coalition", "officer")


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_conforms_to_its_schema(case: Any) -> None:
    case.call_and_validate(headers=OFFICER)


ROUTE = "/api/v1/parties"


def test_405_names_the_allowed_methods() -> None:
    with TestClient(APP) as client:
        answer = client.request("TRACE", ROUTE, headers=OFFICER)
    assert answer.status_code == 405
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert {"GET", "POST"} <= {m.strip() for m in answer.headers.get("allow", "").split(",")}


def test_a_malformed_json_body_is_a_documented_422() -> None:
    with TestClient(APP) as client:
        answer = client.post(
            ROUTE,
            content=b"\xff{not json",
            headers=OFFICER | {"Content-Type": "application/json"},
        )
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "invalid_input"


def test_a_huge_duration_is_a_422_not_a_500() -> None:
    body = {"id": "huge", "parties": ["coalition", "russia"]}
    body["rules"] = {"min_lead_min": {"isr": 1.44e12}}  # type: ignore[assignment]
    with TestClient(APP, raise_server_exceptions=False) as client:
        answer = client.post("/api/v1/arrangements", json=body, headers=auth("coalition", "admin"))
    assert answer.status_code == 422, answer.text


def test_an_unknown_query_parameter_is_refused() -> None:
    with TestClient(APP) as client:
        answer = client.get("/api/v1/notices", params={"actve": "true"}, headers=OFFICER)
    assert answer.status_code == 422, answer.text


def _operations() -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]


def test_the_schema_documents_every_route() -> None:
    operations = {(op.method.upper(), op.path) for op in _operations()}
    assert operations == declared_routes(APP)
    assert ("GET", "/api/v1/stream") in operations


def test_the_docs_show_the_parts_in_their_order_whatever_order_routes_match_in() -> None:
    with TestClient(APP) as client:
        document = client.get("/openapi.json").json()
    declared = [tag["name"] for tag in document["tags"]]
    assert declared[:3] == ["parties, members and agreements", "lines", "notices"]
    assert all(tag.get("description") for tag in document["tags"])
    # Every part an operation names is declared (a new router's tag left out would be shown
    # last, in the order its routes happen to match).
    used = {op["tags"][0] for ops in document["paths"].values() for op in ops.values()}
    assert used == set(declared)
