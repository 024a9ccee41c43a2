"""The console's map layers are the GeoJSON export (issue 7): in Debian's Chromium against a
real `deconflict serve --demo` (the fixtures of test_console.py), the notices, declarations and
measures drawn are the ones `GET /api/v1/export/geojson` gives the same member with the same
selection — the filters' window and state, the timeline's past time — and the map's "Save as"
writes that export to a file.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

from . import test_console as console
from .test_console import DemoServer

pytestmark = console.pytestmark
browser, demo, watched, artifacts = (
    console.browser,
    console.demo,
    console.watched,
    console.artifacts,
)

KML = "{http://www.opengis.net/kml/2.2}"


def _export(demo: DemoServer, member: str, **query: str) -> dict[str, set[str]]:
    """The ids the export gives ``member`` for ``query``, by kind (active and not)."""
    answer = httpx.get(
        f"{demo.url}/api/v1/export/geojson",
        params=query,
        headers={"Authorization": f"Bearer {demo.tokens[member]}"},
    )
    assert answer.status_code == 200, answer.text
    return _ids(answer.json()["features"])


def _ids(features: Iterable[dict[str, Any]], active_only: bool = False) -> dict[str, set[str]]:
    ids: dict[str, set[str]] = {"notice": set(), "declaration": set(), "measure": set()}
    for f in features:
        p = f["properties"]
        if not active_only or p["state"] == "active" or p["kind"] == "notice":
            ids[p["kind"]].add(p["id"])
    return ids


def _drawn(page: Any) -> dict[str, set[str]]:
    """The ids of what the map draws, read from its elements' data attributes."""
    found = page.evaluate(
        """() => Object.fromEntries(['notice', 'declaration', 'measure'].map((k) => [k,
             [...new Set([...document.querySelectorAll(`#map [data-${k}]`)]
               .map((el) => el.dataset[k]))]]))"""
    )
    return {k: set(v) for k, v in found.items()}


def _exports_asked(requests: list[str]) -> list[dict[str, list[str]]]:
    return [
        parse_qs(urlparse(url).query)
        for url in requests
        if urlparse(url).path == "/api/v1/export/geojson"
    ]


def test_the_map_draws_what_the_export_gives_and_saves_it(
    watched: Any, demo: DemoServer, tmp_path: Path
) -> None:
    cell = watched()
    requests: list[str] = []
    cell.page.on("request", lambda r: requests.append(r.url))
    page = cell.sign_in(demo.tokens["russia-air"])
    page.wait_for_selector("#map path.notice")
    page.wait_for_selector("#map img.mil-symbol")

    # Unfiltered: every notice (cancelled ones dashed), the active declarations and measures.
    asked = _exports_asked(requests)
    assert asked and asked[0] == {"include_inactive": ["true"]}
    everything = httpx.get(
        f"{demo.url}/api/v1/export/geojson?include_inactive=true",
        headers={"Authorization": f"Bearer {demo.tokens['russia-air']}"},
    ).json()["features"]
    expected = _ids(everything, active_only=True)
    assert expected["notice"] and expected["declaration"] and expected["measure"]
    assert _drawn(page) == expected
    # The SDF position the coalition did not disclose to Russia is in neither.
    assert "sdf-ne-deir-ez-zor" in _export(demo, "coalition-air")["declaration"]
    assert "sdf-ne-deir-ez-zor" not in _drawn(page)["declaration"]

    # Active notices within a window: the export is asked with that selection.
    before = len(_exports_asked(requests))
    page.select_option("#filter-status", "active")
    page.fill("#filter-from", "161300ZSEP17")
    page.press("#filter-from", "Enter")
    page.wait_for_function(
        "() => performance.getEntriesByType('resource').some((e) => e.name.includes('from='))"
    )
    page.wait_for_timeout(500)
    selection = _exports_asked(requests)[-1]
    assert len(_exports_asked(requests)) > before
    assert selection == {"from": ["2017-09-16T13:00:00Z"]}
    window = _export(demo, "russia-air", **{"from": "2017-09-16T13:00:00Z"})
    assert _drawn(page) == window
    assert window["notice"] and window["notice"] < expected["notice"]  # ended by 13:00: left out

    # "Save the map as GeoJSON": the same export, in a file.
    with page.expect_download() as saved:
        page.click("#export-geojson")
    path = tmp_path / saved.value.suggested_filename
    saved.value.save_as(path)
    assert path.name.startswith("deconflict-russia-") and path.suffix == ".geojson"
    collection = json.loads(path.read_text())
    assert collection["type"] == "FeatureCollection"
    assert _ids(collection["features"]) == window == _drawn(page)

    # And as KML: a Placemark per declaration, measure and notice volume of the same selection.
    with page.expect_download() as saved:
        page.click("#export-kml")
    kml = tmp_path / saved.value.suggested_filename
    saved.value.save_as(kml)
    assert kml.suffix == ".kml"
    names = " ".join(el.text or "" for el in ET.parse(kml).getroot().iter(f"{KML}name"))
    for notice in window["notice"]:
        assert notice in names
    assert cell.errors == []


def test_the_past_is_drawn_from_the_export_at_that_time(watched: Any, demo: DemoServer) -> None:
    cell = watched()
    requests: list[str] = []
    cell.page.on("request", lambda r: requests.append(r.url))
    page = cell.sign_in(demo.tokens["coalition-air"])
    page.wait_for_selector("#map path.notice")
    live = _drawn(page)
    page.evaluate(
        """() => {
          const slider = document.querySelector('#timeline');
          slider.value = String(Date.UTC(2017, 8, 16, 10, 40));
          slider.dispatchEvent(new Event('input'));
          slider.dispatchEvent(new Event('change'));
        }"""
    )
    page.wait_for_selector("#past-banner:not([hidden])")
    page.wait_for_timeout(500)
    asked = _exports_asked(requests)[-1]
    assert asked == {"include_inactive": ["true"], "at": ["2017-09-16T10:40:00Z"]}
    then = _export(demo, "coalition-air", include_inactive="true", at="2017-09-16T10:40:00Z")
    assert _drawn(page) == then
    assert then["notice"] < live["notice"]  # the crossing was notified on the 18th
    page.click("#past-live")
    page.wait_for_selector("#past-banner", state="hidden")
    page.wait_for_function(
        "(n) => document.querySelectorAll('#map [data-notice]').length >= n",
        arg=len(live["notice"]),
    )
    page.wait_for_timeout(300)
    assert _drawn(page) == live
    assert cell.errors == []
