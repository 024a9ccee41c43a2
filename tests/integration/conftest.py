"""Fixtures shared by the API's integration tests: one template store per module, a fresh copy
of it served in process for each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from .api_fixtures import build_template, serve


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("api-template") / "template.sqlite"
    build_template(path)
    return path


@pytest.fixture
def client(template: Path, tmp_path: Path) -> Iterator[TestClient]:
    with serve(template, tmp_path) as c:
        yield c
