"""How `deconflict serve` serves the console: the page and our files, only the allow-listed
third-party files, a Content-Security-Policy on each, and what the page needs to start."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from deconflict.api.console import CONSOLE_DIR, VENDOR, content_security_policy, tile_origin
from deconflict.bootstrap import ServeSettings, build_server, default_web_modules
from deconflict.domain.errors import InvalidInput

from .api_fixtures import auth, build_template


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("console") / "api.sqlite"
    build_template(path)
    return path


def _modules(folder: Path) -> Path:
    """A node_modules holding every allow-listed file, and one that is not listed."""
    for name, relative in VENDOR.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"/* {name} */")
    (folder / "leaflet" / "package.json").write_text('{"name": "leaflet"}')
    return folder


def _client(db: Path, **settings: str) -> Iterator[TestClient]:
    app, store = build_server(ServeSettings(db=str(db), deadline_every_s=3600, **settings))
    try:
        with TestClient(app) as client:
            yield client
    finally:
        store.close()


@pytest.fixture
def client(template: Path, tmp_path: Path) -> Iterator[TestClient]:
    yield from _client(template, web_modules=str(_modules(tmp_path / "node_modules")))


def test_the_page_and_our_files_come_with_a_strict_policy(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/console/js/app.js">' in page.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "img-src 'self' data: blob:" in policy and "unsafe" not in policy
    for path, kind in (
        ("/console/js/app.js", "text/javascript"),
        ("/console/console.css", "text/css"),
        ("/console/i18n/ru.json", "application/json"),
    ):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["content-type"].startswith(kind)
        assert answer.headers["content-security-policy"] == policy
        assert answer.headers["x-content-type-options"] == "nosniff"


def test_only_allow_listed_vendor_files_are_served(client: TestClient) -> None:
    assert client.get("/vendor/leaflet/leaflet.js").text == "/* leaflet/leaflet.js */"
    assert (
        client.get("/vendor/mgrs/mgrs.esm.js").headers["content-type"].startswith("text/javascript")
    )
    for path in (
        "/vendor/leaflet/package.json",
        "/vendor/leaflet/dist/leaflet.js",
        "/vendor/../pyproject.toml",
        "/vendor/%2e%2e/%2e%2e/pyproject.toml",
        "/console/../api/console.py",
        "/console/%2e%2e/api/console.py",
        "/console/js/../../bootstrap.py",
    ):
        assert client.get(path).status_code == 404, path


def test_every_translation_has_every_key() -> None:
    keys = {
        lang: set(json.loads((CONSOLE_DIR / "i18n" / f"{lang}.json").read_text()))
        for lang in ("en", "fr", "ru")
    }
    assert keys["fr"] == keys["en"] and keys["ru"] == keys["en"]


def test_every_key_the_page_uses_has_a_text() -> None:
    """Keys named in the page and its modules (not those built at run time) are all in en.json."""
    english = set(json.loads((CONSOLE_DIR / "i18n" / "en.json").read_text()))
    used = set(
        re.findall(
            r'data-i18n(?:-label|-placeholder|-title)?="([^"]+)"',
            (CONSOLE_DIR / "index.html").read_text(),
        )
    )
    for module in (CONSOLE_DIR / "js").glob("*.js"):
        used |= set(re.findall(r'\bt\(\s*"([a-z_]+(?:\.[a-z_]+)+)"', module.read_text()))
    assert len(used) > 200
    assert sorted(used - english) == []


def test_config_says_whether_the_libraries_are_installed(template: Path, tmp_path: Path) -> None:
    for client in _client(template, web_modules=str(tmp_path / "nowhere")):
        config = client.get("/console/config.json").json()
        assert config["vendor"]["installed"] is False
        assert "npm ci" in config["vendor"]["hint"]
        assert config["tile_url"] is None
        assert client.get("/vendor/leaflet/leaflet.js").status_code == 404
        assert client.get("/").status_code == 200  # the page itself says how to install them


def test_session_needs_a_token_and_gives_the_head_and_the_clock(client: TestClient) -> None:
    assert client.get("/console/session.json").status_code == 401
    session = client.get("/console/session.json", headers=auth("coalition", "viewer")).json()
    assert session["head"] > 0 and session["now"].endswith("Z")


def test_a_tile_server_is_allowed_for_images_only(template: Path, tmp_path: Path) -> None:
    url = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    for client in _client(template, web_modules=str(tmp_path), tile_url=url):
        assert client.get("/console/config.json").json()["tile_url"] == url
        policy = client.get("/").headers["content-security-policy"]
        assert "img-src 'self' data: blob: https://*.tiles.example.org" in policy
        assert "connect-src 'self'" in policy


@pytest.mark.parametrize(
    "url",
    ["ftp://tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org/tile.png", "nothing"],
)
def test_a_malformed_tile_url_is_refused(url: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        content_security_policy(url)
    assert caught.value.field == "tile_url"


def test_tile_origin() -> None:
    assert tile_origin("https://tile.example.org/{z}/{x}/{y}.png") == "https://tile.example.org"


def test_the_default_modules_are_the_repositorys_web_folder() -> None:
    assert default_web_modules() == Path(__file__).parents[2] / "web" / "node_modules"
    assert ServeSettings().web_modules == str(default_web_modules())


def test_the_libraries_are_pinned_and_locked_to_the_registry() -> None:
    web = Path(__file__).parents[2] / "web"
    package = json.loads((web / "package.json").read_text())
    assert package["private"] is True
    pins = package["dependencies"]
    assert pins["leaflet"] == "1.9.4" and pins["milsymbol"] == "3.0.4"
    assert pins["@geoman-io/leaflet-geoman-free"].startswith("2.")
    assert pins["mgrs"].startswith("2.")
    assert all(v[0].isdigit() for v in pins.values())  # exact versions, no ranges
    lock = (web / "package-lock.json").read_text()
    for entry in json.loads(lock)["packages"].values():
        assert entry.get("resolved", "https://registry.npmjs.org/").startswith(
            "https://registry.npmjs.org/"
        )
        assert "integrity" in entry or entry.get("name") == package["name"]
    assert re.findall(r"https?://[^\"]+", lock) == [
        u
        for u in re.findall(r"https?://[^\"]+", lock)
        if u.startswith("https://registry.npmjs.org/")
    ]
    ignored = (web.parent / ".gitignore").read_text().splitlines()
    assert "web/node_modules/" in ignored
