"""Composing in the console beyond a new notice, in Debian's Chromium against a real
`deconflict serve --demo` (the fixtures of test_console.py): declaring positions — disclosed to
Russia, or not — and withdrawing one; recording a control measure; amending and cancelling a
notice; each seen live, or never, by the other party's console. What a party may not see is
checked in its page's DOM, the map's layer data and its stream, not only on screen.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from . import test_console as console
from .service import Stream
from .test_console import DemoServer, _draw_circle, _unnamed_controls

pytestmark = console.pytestmark
# The fixtures of test_console.py (this module gets a demo server of its own).
browser, demo, watched, artifacts = (
    console.browser,
    console.demo,
    console.watched,
    console.artifacts,
)

#: Far from the demo's objects, on the coalition's bank of the Euphrates.
RU_STRIKE_AT = (40.62, 35.62)  # lon, lat
SHOWN_AT = "35.62N 40.62E"  # right over the strike: a declaration drawn there conflicts with it
HIDDEN_AT = "35.63N 40.64E"  # 2 km off: conflicts too, but Russia may not learn where
NOTICE_AT = (41.30, 36.20)  # the coalition's notice that is amended, then cancelled


def _api(demo: DemoServer, member: str) -> httpx.Client:
    return httpx.Client(
        base_url=f"{demo.url}/api/v1",
        headers={"Authorization": f"Bearer {demo.tokens[member]}"},
        timeout=10,
    )


def _window(hours_ahead: float = 3, hours: float = 2) -> tuple[str, str]:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=hours_ahead)
    end = start + timedelta(hours=hours)
    return start.isoformat().replace("+00:00", "Z"), end.isoformat().replace("+00:00", "Z")


def _strike(notice_id: str, at: tuple[float, float], radius_m: float = 2000) -> dict[str, Any]:
    start, end = _window()
    return {
        "id": notice_id,
        "line": "hotline-air",
        "kind": "air_strike",
        "volumes": [
            {
                "footprint": {
                    "geometry": {"type": "Point", "coordinates": list(at)},
                    "radius_m": radius_m,
                },
                "lower": "SFC",
                "upper": "FL200",
                "start": start,
                "end": end,
            }
        ],
    }


def _type_shape(page: Any, kind: str, points: str, radius: int | None = None) -> None:
    page.select_option("#sketch-kind", kind)
    page.fill("#sketch-points", points)
    if radius is not None:
        page.fill("#sketch-radius", str(radius))
    page.click("#sketch-place")


def _draw_rectangle(page: Any, at: str) -> None:
    """Centre the map on ``at`` and draw a rectangle around it with Geoman's tool."""
    page.fill("#goto", at)
    page.press("#goto", "Enter")
    page.wait_for_timeout(600)
    box = page.locator("#map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.locator(".leaflet-pm-icon-rectangle").click()
    page.mouse.click(cx - 40, cy - 30)
    page.mouse.move(cx + 40, cy + 30, steps=5)
    page.mouse.click(cx + 40, cy + 30)


def test_a_declared_position_is_seen_live_where_disclosed_and_nowhere_else(
    watched: Any, demo: DemoServer, artifacts: Path
) -> None:
    coalition_cell, russia_cell = watched(), watched()
    coalition = coalition_cell.sign_in(demo.tokens["coalition-air"])
    russia = russia_cell.sign_in(demo.tokens["russia-air"])
    russian_stream = Stream(demo.url, demo.tokens["russia-air"])
    strike = _strike("ru-strike-compose", RU_STRIKE_AT)
    with _api(demo, "russia-air") as client:
        filed = client.post("/notices", json=strike)
        assert filed.status_code == 201, filed.text
    coalition.wait_for_selector(f"#map path[data-notice='{strike['id']}']", state="attached")

    # An observation post, typed as a point and disclosed to nobody.
    coalition.click("#declare-open")
    _type_shape(coalition, "point", HIDDEN_AT)
    assert "Point" in coalition.inner_text("#compose-shape")
    hidden = "sdf-op-hidden"
    coalition.fill("#declare-id", hidden)
    coalition.fill("#declare-label", "SDF observation post (not for Russia)")
    assert coalition.locator("#declare-disclose-russia").is_checked() is False
    assert "never shown where they are" in coalition.inner_text("#declare-disclosure")
    coalition.click("#declare-send")
    coalition.wait_for_selector("#compose-result >> text=shown to no other party")
    assert strike["id"] in coalition.inner_text("#compose-result")  # still screened

    # A company position drawn over Russia's strike, disclosed to Russia: previewed, then declared.
    coalition.click("#declare-open")
    _draw_circle(coalition, SHOWN_AT)
    assert "Circle" in coalition.inner_text("#compose-shape")
    shown = coalition.input_value("#declare-id")
    coalition.fill("#declare-label", "SDF company, Conoco north")
    coalition.select_option("#declare-forces", "SDF")
    coalition.check("#declare-disclose-russia")
    coalition.click("#declare-preview")
    coalition.wait_for_selector("#compose-result >> text=Nothing was recorded")
    assert strike["id"] in coalition.inner_text("#compose-result")
    coalition.click("#declare-send")
    coalition.wait_for_selector("#compose-result >> text=shown to Russian group of forces")
    result = coalition.inner_text("#compose-result")
    assert strike["id"] in result and "too close to a declared position" in result
    coalition.wait_for_selector(f"#map img.mil-symbol[data-declaration='{shown}']")
    own = coalition.locator(f"#map img.mil-symbol[data-declaration='{hidden}']")
    assert own.get_attribute("data-sidc").startswith("SF")  # friend, to its own party
    coalition.screenshot(path=str(artifacts / "8-coalition-declared.png"))

    # Russia: the disclosed position arrives live as a neutral APP-6 unit symbol...
    symbol = russia.locator(f"#map img.mil-symbol[data-declaration='{shown}']")
    symbol.wait_for()
    assert symbol.get_attribute("data-sidc").startswith("SNGPU")
    assert symbol.get_attribute("alt") == "SDF company, Conoco north"
    russia.wait_for_selector(f"#conflict-list li:has-text('{shown}')")
    russia.wait_for_selector(".alert-info >> text=declared a force position")
    # ... the undisclosed one only as "an undisclosed force position" in a conflict, nowhere else.
    russia.wait_for_selector(
        f"#conflict-list li:has-text('an undisclosed force position'):has-text('{strike['id']}')"
    )
    russia.screenshot(path=str(artifacts / "9-russia-sees-the-disclosed-position.png"))

    def russia_knows_nothing_hidden() -> None:
        assert russia.locator(f"[data-declaration='{hidden}']").count() == 0
        html = russia.content()
        assert hidden not in html and "not for Russia" not in html
        assert "35.63" not in russia.inner_text("#conflict-list")

    russia_knows_nothing_hidden()
    events = russian_stream.drain()
    assert any(e.kind == "declaration.made" and e.data["data"]["id"] == shown for e in events)
    assert all(hidden not in str(e.data) for e in events)
    russia.reload()  # a fresh load (GET /declarations, /conflicts): still nothing
    russia.wait_for_selector("#connection.conn-live")
    russia.wait_for_selector(f"#map img.mil-symbol[data-declaration='{shown}']")
    russia_knows_nothing_hidden()

    # The coalition withdraws the hidden post from its symbol's popup, with the keyboard; the
    # conflict Russia had with "an undisclosed force position" is cleared before its eyes.
    coalition.click("#declare-cancel")
    coalition.locator(f"#map img[data-declaration='{hidden}']").focus()
    coalition.keyboard.press("Enter")
    coalition.wait_for_selector(".leaflet-popup [data-role=withdraw]")
    assert coalition.evaluate("document.activeElement.dataset.role") == "withdraw"
    coalition.keyboard.press("Enter")
    coalition.wait_for_selector("#ask[open]")
    assert "Withdraw declaration" in coalition.inner_text("#ask-title")
    coalition.locator("#ask-confirm").focus()
    coalition.keyboard.press("Enter")
    coalition.wait_for_selector(f"#map img[data-declaration='{hidden}']", state="detached")
    russia.wait_for_selector(
        f"#conflict-list li:has-text('an undisclosed force position'):has-text('{strike['id']}')",
        state="detached",
    )
    russia_knows_nothing_hidden()
    russian_stream.close()
    assert coalition_cell.errors == [] and russia_cell.errors == []
    assert coalition_cell.elsewhere == [] and russia_cell.elsewhere == []


def test_a_notice_amended_then_cancelled_is_seen_live_version_by_version(
    watched: Any, demo: DemoServer, artifacts: Path
) -> None:
    coalition_cell, russia_cell = watched(), watched("fr")
    coalition = coalition_cell.sign_in(demo.tokens["coalition-air"])
    russia = russia_cell.sign_in(demo.tokens["russia-air"])
    notice = _strike("co-strike-amended", NOTICE_AT)
    with _api(demo, "coalition-air") as client:
        assert client.post("/notices", json=notice).status_code == 201
    own = coalition.locator("#panel-hotline-air li.msg.kind-notice", has_text=notice["id"])
    own.wait_for()
    russia.wait_for_selector(
        f"#map path[data-notice='{notice['id']}'][data-version='1']", state="attached"
    )

    # "Amend" on the notice's message: the composer, prefilled with the current version.
    own.get_by_role("button", name=f"Amend notice {notice['id']}").click()
    coalition.wait_for_selector("#compose:not([hidden]) #compose-form:not([hidden])")
    assert "Amend notice co-strike-amended (now version 1)" in coalition.inner_text(
        "#compose-heading"
    )
    assert coalition.input_value("#compose-id") == notice["id"]
    assert coalition.locator("#compose-id").get_attribute("readonly") is not None
    assert coalition.locator("#compose-kind").is_disabled()
    assert (
        coalition.input_value("#compose-upper") == "200"
        and coalition.input_value("#compose-unit") == "FL"
    )
    assert "radius 2000 m" in coalition.inner_text("#compose-shape")
    assert coalition.inner_text("#compose-send") == "Send amendment"
    coalition.fill("#compose-upper", "250")
    coalition.fill("#compose-remarks", "Ceiling raised to FL250")
    coalition.click("#compose-preview")
    coalition.wait_for_selector("#compose-result >> text=Nothing was recorded")
    assert coalition.locator(f"#map path[data-notice='{notice['id']}'][data-version='1']").count()
    coalition.click("#compose-send")
    coalition.wait_for_selector(f"#compose-result >> text=Amended {notice['id']}: version 2")
    assert coalition.locator("#compose-id").get_attribute("readonly") is None  # a new notice again
    coalition.screenshot(path=str(artifacts / "10-coalition-amended.png"))

    # Russia sees version 2 arrive: on the map and as an amendment on the air line.
    russia.wait_for_selector(
        f"#map path[data-notice='{notice['id']}'][data-version='2']", state="attached"
    )
    amendment = russia.locator("#panel-hotline-air li.msg.kind-amendment", has_text=notice["id"])
    amendment.wait_for()
    assert "Ceiling raised to FL250" in amendment.inner_text()
    assert "7620" in amendment.inner_text()  # FL250 in metres, in the reader's language
    russia.wait_for_selector(".alert-info >> text=a modifié le préavis")

    # The coalition cancels it from the notice's popup on the map, with a reason.
    coalition.click("#compose-cancel")
    coalition.fill("#goto", f"{NOTICE_AT[1]}N {NOTICE_AT[0]}E")
    coalition.press("#goto", "Enter")
    coalition.wait_for_timeout(600)
    coalition.locator(f"#map path[data-notice='{notice['id']}']").click()
    coalition.locator(".leaflet-popup [data-role=cancel-notice]").click()
    coalition.wait_for_selector("#ask[open]")
    coalition.locator("#ask-confirm").click()  # no reason yet: refused
    assert coalition.locator("#ask-reason").get_attribute("aria-invalid") == "true"
    coalition.fill("#ask-reason", "Target left the area")
    coalition.locator("#ask-confirm").click()
    coalition.wait_for_selector("#ask", state="hidden")
    coalition.wait_for_selector(
        f"#map path[data-notice='{notice['id']}'][data-status='cancelled']", state="attached"
    )
    assert own.locator("[data-role=amend]").count() == 0

    russia.wait_for_selector(
        f"#map path[data-notice='{notice['id']}'][data-status='cancelled']", state="attached"
    )
    cancellation = russia.locator(
        "#panel-hotline-air li.msg.kind-cancellation", has_text=notice["id"]
    )
    cancellation.wait_for()
    assert "Target left the area" in cancellation.inner_text()
    russia.screenshot(path=str(artifacts / "11-russia-sees-the-cancellation.png"))
    assert coalition_cell.errors == [] and russia_cell.errors == []


def test_a_commander_records_a_zone_and_the_other_party_sees_it_live(
    watched: Any, demo: DemoServer, artifacts: Path
) -> None:
    commander_cell, russia_cell = watched(), watched()
    commander = commander_cell.sign_in(demo.tokens["coalition-cdr"])
    russia = russia_cell.sign_in(demo.tokens["russia-air"])
    commander.click("#measure-open")
    _draw_rectangle(commander, "35.90N 40.30E")
    commander.wait_for_function(
        "() => document.querySelector('#compose-shape').textContent.includes('Polygon')"
    )
    zone = commander.input_value("#measure-id")
    assert zone.startswith("mou-2015-zone-")
    commander.fill("#measure-name", "Hospital no-strike zone")
    commander.select_option("#measure-rule", "no_strike")
    commander.select_option("#measure-owner", "coalition")
    commander.click("#measure-preview")
    commander.wait_for_selector("#compose-result >> text=Nothing was recorded")
    commander.click("#measure-send")
    commander.wait_for_selector(f"#compose-result >> text=Recorded {zone}")
    commander.wait_for_selector(f"#map path[data-measure='{zone}']", state="attached")

    russia.wait_for_selector(
        f"#map path[data-measure='{zone}'][data-kind='zone']", state="attached"
    )
    russia.wait_for_selector(".alert-info >> text=Hospital no-strike zone")

    # A deconfliction line needs a side for at least one party.
    commander.click("#measure-open")
    commander.select_option("#measure-kind", "deconfliction_line")
    _type_shape(commander, "line", "35.95N 40.20E; 35.99N 40.40E")
    assert "Line" in commander.inner_text("#compose-shape")
    assert commander.locator("#compose-width-row").is_hidden()
    commander.fill("#measure-name", "Northern line")
    commander.click("#measure-send")
    assert "at least one party" in commander.inner_text("#measure-error")
    commander.select_option("#measure-side-coalition", "left")
    commander.select_option("#measure-side-russia", "right")
    commander.check("#measure-cross-river_crossing")
    commander.click("#measure-send")
    commander.wait_for_selector("#compose-result >> text=Recorded")
    russia.wait_for_selector(
        "#map path[data-kind='deconfliction_line']:not([data-measure='euphrates-line'])",
        state="attached",
    )
    commander.screenshot(path=str(artifacts / "12-measures-recorded.png"))
    assert commander_cell.errors == [] and russia_cell.errors == []


def test_every_new_control_has_a_name_and_a_viewer_gets_none_of_them(
    watched: Any, demo: DemoServer
) -> None:
    officer = watched().sign_in(demo.tokens["coalition-air"])
    for opener in ("#declare-open", "#measure-open", "#compose-open"):
        officer.click(opener)
        assert _unnamed_controls(officer) == [], opener
    officer.click("#measure-open")
    officer.select_option("#measure-rule", "notify_before_entry")
    assert officer.locator("#measure-lead").is_visible()
    assert _unnamed_controls(officer) == []
    officer.select_option("#measure-kind", "deconfliction_line")
    assert officer.locator("#measure-side-russia").is_visible()
    assert _unnamed_controls(officer) == []
    # Its own notice's message and its own declaration's popup offer what may be done.
    assert officer.locator("#panel-hotline-air [data-role=amend]").count() >= 1
    officer.locator("#map img[data-declaration='sdf-conoco']").focus()
    officer.keyboard.press("Enter")
    officer.wait_for_selector(".leaflet-popup [data-role=withdraw]")
    assert _unnamed_controls(officer) == []
    officer.keyboard.press("Escape")

    cell = watched("ru")
    viewer = cell.sign_in(demo.tokens["coalition-viewer"])
    for opener in ("#compose-open", "#declare-open", "#measure-open"):
        assert viewer.locator(opener).is_hidden(), opener
    assert viewer.locator(".leaflet-pm-toolbar").count() == 0
    assert viewer.locator("[data-role=amend], [data-role=cancel-notice]").count() == 0
    viewer.locator("#map img[data-declaration='sdf-conoco']").focus()
    viewer.keyboard.press("Enter")
    viewer.wait_for_selector(".leaflet-popup")
    assert re.search("раскрыто", viewer.inner_text(".leaflet-popup"))
    assert viewer.locator(".leaflet-popup button").count() == 0
    assert cell.errors == []
