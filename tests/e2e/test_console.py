"""The console (`deconflict serve` at /) in Debian's Chromium, driven by Playwright, against a real
`deconflict serve --demo` process: two cells at work, no request leaving the server's origin,
and the basics of accessibility (names, keyboard).

Screenshots go to test-artifacts/console/ (git-ignored); docs/console.png is written when it is
missing or DECONFLICT_UPDATE_SCREENSHOT=1.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from .service import CLI, Server

sync_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts" / "console"
DEMO_MEMBERS = ("coalition-air", "coalition-cdr", "russia-air", "russia-cdr", "coalition-viewer")
#: The SAA garrison at Deir ez-Zor airport: declared by Russia and disclosed to the coalition.
SAA_AIRPORT = "35.285N 40.175E"

pytestmark = [
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is installed by .ci/run"
    ),
    pytest.mark.skipif(
        not (ROOT / "web" / "node_modules" / "leaflet").is_dir(),
        reason="the console's libraries: ./dev test runs npm ci in web/",
    ),
]


@dataclass
class DemoServer(Server):
    """`deconflict serve --demo`: the seed's scenario in a fresh store, on the system clock, and
    a token per demo member read from what it prints."""

    tokens: dict[str, str] = field(default_factory=dict)
    #: Read the time from ``clock`` (an exercise's clock) rather than the system's.
    on_clock_file: bool = False

    def start(self) -> None:
        log = (self.db.parent / "serve.log").open("w")
        clock = ["--clock-file", str(self.clock)] if self.on_clock_file else []
        self.process = subprocess.Popen(
            [*CLI, "serve", "--demo", "--db", str(self.db), "--port", str(self.port), *clock],
            env={**os.environ, "DECONFLICT_DEADLINE_EVERY_S": "0.2"},
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        assert self.process.stdout is not None
        deadline = time.monotonic() + 120
        while len(self.tokens) < len(DEMO_MEMBERS) and time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError(f"the demo server stopped: {self.db.parent / 'serve.log'}")
            found = re.match(r"^\s+(\S+)\s+(\S{32,})$", line)
            if found and found[1] in DEMO_MEMBERS:
                self.tokens[found[1]] = found[2]
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/openapi.json", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("the demo server did not start")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    folder = tmp_path_factory.mktemp("console")
    server = DemoServer(folder / "demo.sqlite", folder / "unused-clock")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


class Watched:
    """A browser context whose page errors, console errors and off-origin requests are kept."""

    def __init__(self, browser: Any, origin: str, lang: str = "en") -> None:
        self.origin = origin
        self.context = browser.new_context(viewport={"width": 1500, "height": 950}, locale=lang)
        self.errors: list[str] = []
        self.elsewhere: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        self.page.on(
            "console",
            lambda msg: msg.type == "error" and self.errors.append(f"console: {msg.text}"),
        )

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(self.origin + "/") or url == self.origin:
            route.continue_()
        else:
            self.elsewhere.append(url)
            route.abort()

    def sign_in(self, token: str) -> Any:
        page = self.page
        page.goto(self.origin + "/")
        page.fill("#signin-token", token)
        page.press("#signin-token", "Enter")
        page.wait_for_selector("#console-view:not([hidden])")
        page.wait_for_selector("#connection.conn-live")
        return page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser: Any, demo: DemoServer) -> Iterator[Any]:
    opened: list[Watched] = []

    def open_(lang: str = "en") -> Watched:
        opened.append(Watched(browser, demo.url, lang))
        return opened[-1]

    yield open_
    for w in opened:
        w.close()


def _message(page: Any, line: str, notice_id: str) -> Any:
    """The line's message that carries ``notice_id``'s notice."""
    return page.locator(f"#panel-{line} li.msg.kind-notice", has_text=notice_id)


def _draw_circle(page: Any, at: str) -> None:
    """Centre the map on ``at`` and draw a circle there with Geoman's circle tool."""
    page.fill("#goto", at)
    page.press("#goto", "Enter")
    page.wait_for_timeout(600)
    box = page.locator("#map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.locator(".leaflet-pm-icon-circle").click()
    page.mouse.click(cx, cy)
    page.mouse.move(cx + 20, cy, steps=4)
    page.mouse.move(cx + 40, cy, steps=4)
    page.mouse.click(cx + 40, cy)
    page.wait_for_selector("#compose:not([hidden])")


def test_a_strike_near_a_declared_position_is_seen_and_objected_to_live(
    watched: Any, demo: DemoServer, artifacts: Path
) -> None:
    coalition_cell, russia_cell = watched(), watched()
    coalition = coalition_cell.sign_in(demo.tokens["coalition-air"])
    russia = russia_cell.sign_in(demo.tokens["russia-air"])
    russia.click("#tab-hotline-air")

    # The coalition officer draws a strike over the SAA garrison Russia declared, and sends it.
    _draw_circle(coalition, SAA_AIRPORT)
    assert "Circle" in coalition.inner_text("#compose-shape")
    coalition.select_option("#compose-kind", "air_strike")
    notice_id = coalition.input_value("#compose-id")
    coalition.fill("#compose-remarks", "Strike on ISIS positions near the airport")
    coalition.click("#compose-preview")
    coalition.wait_for_selector("#compose-result .conflict.severity-violation")
    assert "Nothing was recorded" in coalition.inner_text("#compose-result")
    coalition.click("#compose-send")
    coalition.wait_for_selector(f"#compose-result >> text=Filed {notice_id}")
    assert "saa-airport" in coalition.inner_text("#compose-result")
    coalition.screenshot(path=str(artifacts / "1-coalition-filed.png"))

    # Russia sees the notice and the conflict with its garrison arrive, without a reload.
    russia.wait_for_selector(f"#conflict-list li.conflict:has-text('{notice_id}')")
    assert (
        "saa-airport" in russia.locator("#conflict-list li", has_text=notice_id).first.inner_text()
    )
    message = _message(russia, "hotline-air", notice_id)
    message.wait_for()
    assert "unanswered" in message.inner_text()
    assert russia.locator("#tab-hotline-air .badge").inner_text() != "0"

    # ... and objects, with a reason.
    message.get_by_role("button", name=re.compile("Object to message")).click()
    reason = message.locator("textarea")
    reason.fill("SAA garrison at the airport: strike refused")
    message.get_by_role("button", name="Send objection").click()
    russia.wait_for_selector(f"#panel-hotline-air li.msg.state-objected:has-text('{notice_id}')")
    russia.screenshot(path=str(artifacts / "2-russia-objected.png"))

    # The coalition officer sees the objection arrive, live.
    own = _message(coalition, "hotline-air", notice_id)
    coalition.wait_for_selector(f"#panel-hotline-air li.msg.state-objected:has-text('{notice_id}')")
    assert "SAA garrison at the airport: strike refused" in own.inner_text()
    coalition.wait_for_selector(".alert-objection")
    coalition.click("#compose-cancel")
    coalition.click("#tab-hotline-air")
    own.scroll_into_view_if_needed()
    coalition.screenshot(path=str(artifacts / "3-coalition-sees-objection.png"))
    shot = ROOT / "docs" / "console.png"
    if not shot.exists() or os.environ.get("DECONFLICT_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(artifacts / "3-coalition-sees-objection.png", shot)

    assert coalition_cell.errors == [] and russia_cell.errors == []


def test_the_console_works_with_nothing_but_its_own_origin(
    watched: Any, demo: DemoServer, artifacts: Path
) -> None:
    cell = watched()
    page = cell.sign_in(demo.tokens["coalition-cdr"])
    # The map, its base layer and symbols, all from the server itself.
    page.wait_for_selector("#map .leaflet-overlay-pane path")
    page.wait_for_selector("#map img.mil-symbol")
    page.wait_for_function(
        "() => document.querySelectorAll('#map .leaflet-overlay-pane path').length > 10"
    )
    page.mouse.move(500, 500)
    assert re.search(r"\d+\.\d{5}° [NS]", page.inner_text("#pos-dd"))
    assert re.match(r"^\d{1,2}[C-X] [A-Z]{2} \d{5} \d{5}$", page.inner_text("#pos-mgrs"))
    for lang, title in (("fr", "Console de déconfliction"), ("ru", "Консоль")):
        page.select_option("#lang", lang)
        page.wait_for_function("(l) => document.documentElement.lang === l", arg=lang)
        assert title in page.inner_text("header h1")
    page.select_option("#lang", "en")
    # Notices within a time filter: none of the demo's filed before 16 Sept.
    assert page.locator("#map path.notice").count() > 0
    page.fill("#filter-to", "150000ZSEP17")
    page.press("#filter-to", "Enter")
    page.wait_for_function("() => !document.querySelector('#map path.notice')")
    page.fill("#filter-to", "")
    page.press("#filter-to", "Enter")
    page.wait_for_selector("#map path.notice")
    page.screenshot(path=str(artifacts / "4-own-origin-only.png"))
    headers = httpx.get(f"{demo.url}/").headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert cell.elsewhere == []
    assert cell.errors == []


def _unnamed_controls(page: Any) -> list[str]:
    """Controls the accessibility tree shows without a name (Chromium's own computation)."""
    session = page.context.new_cdp_session(page)
    nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    roles = {
        "button",
        "textbox",
        "combobox",
        "checkbox",
        "radio",
        "spinbutton",
        "listbox",
        "slider",
        "searchbox",
        "tab",
        "link",
        "menuitem",
    }
    unnamed = []
    for node in nodes:
        role = node.get("role", {}).get("value")
        if node.get("ignored") or role not in roles:
            continue
        if not str(node.get("name", {}).get("value", "")).strip():
            unnamed.append(f"{role} {node.get('backendDOMNodeId')}")
    session.detach()
    return unnamed


def _tab_to(page: Any, selector: str, limit: int = 200) -> None:
    """Press Tab until ``selector`` has the focus (the keyboard is all there is)."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with Tab")


def test_controls_have_names_and_the_keyboard_alone_signs_in_and_sends(
    watched: Any, demo: DemoServer, artifacts: Path
) -> None:
    cell = watched()
    page = cell.page
    page.goto(demo.url + "/")
    page.wait_for_selector("#signin-view:not([hidden])")
    assert _unnamed_controls(page) == []

    # Sign in with the keyboard only.
    _tab_to(page, "#signin-token")
    page.keyboard.type(demo.tokens["russia-cdr"])
    page.keyboard.press("Enter")
    page.wait_for_selector("#console-view:not([hidden])")
    page.wait_for_selector("#connection.conn-live")
    assert _unnamed_controls(page) == []
    page.click("#compose-open")
    assert _unnamed_controls(page) == []

    # Send on the command line with the keyboard only: reach the tabs, arrow to "command".
    page.locator("#compose-cancel").focus()
    _tab_to(page, "[role=tab][aria-selected=true]")
    page.keyboard.press("End")
    assert page.evaluate("document.activeElement.id") == "tab-hotline-command"
    _tab_to(page, "#send-text-hotline-command")
    page.keyboard.type("Keyboard check on the command line.")
    _tab_to(page, "#panel-hotline-command .send-button")
    page.keyboard.press("Enter")
    page.wait_for_selector(
        "#panel-hotline-command li.msg.own:has-text('Keyboard check on the command line.')"
    )
    # A commander may warn on the command line; an officer's send box has no such kind.
    kinds = page.locator("#send-kind-hotline-command option").evaluate_all(
        "os => os.map(o => o.value)"
    )
    assert "warning" in kinds and "stop_request" in kinds
    page.screenshot(path=str(artifacts / "5-keyboard-send.png"))
    assert cell.errors == []


def test_an_unanswered_message_falls_overdue_and_escalates_before_the_eyes(
    browser: Any, tmp_path: Path, artifacts: Path
) -> None:
    """On an exercise clock: Russia asks, nobody answers, the deadline passes; the coalition's
    page counts down, then highlights the overdue message and the escalation on the command line
    as they happen, in the reader's language."""
    server = DemoServer(tmp_path / "demo.sqlite", tmp_path / "clock", on_clock_file=True)
    server.set_time("2017-09-21T10:00:00Z")
    server.start()
    cell = Watched(browser, server.url, lang="fr")
    try:
        page = cell.sign_in(server.tokens["coalition-air"])
        with httpx.Client(
            base_url=f"{server.url}/api/v1",
            headers={"Authorization": f"Bearer {server.tokens['russia-air']}"},
        ) as client:
            sent = client.post(
                "/lines/hotline-air/messages", json={"kind": "query", "text": "Your aircraft?"}
            )
            assert sent.status_code == 201, sent.text
        query = page.locator("#panel-hotline-air li.msg.kind-query", has_text="Your aircraft?")
        query.wait_for()
        assert "Réponse attendue dans" in query.inner_text()  # the countdown, in French
        server.set_time("2017-09-21T10:20:00Z")
        page.wait_for_selector("#panel-hotline-air li.msg.kind-query.state-overdue.alert-flash")
        page.wait_for_selector(".alert-overdue")
        page.wait_for_selector(".alert-escalation")
        assert "REMONTÉE" in page.inner_text("#alerts")
        page.click("#tab-hotline-command")
        escalation = page.locator("#panel-hotline-command li.msg.kind-escalation").last
        assert "resté sans réponse" in escalation.inner_text()
        page.screenshot(path=str(artifacts / "7-overdue-escalated-fr.png"))
        assert cell.errors == []
    finally:
        cell.close()
        server.stop()


def test_sign_out_forgets_the_token_and_a_viewer_gets_no_controls(
    watched: Any, demo: DemoServer
) -> None:
    cell = watched()
    page = cell.sign_in(demo.tokens["coalition-air"])
    assert page.locator("#compose-open").is_visible()
    page.click("#sign-out")
    page.wait_for_selector("#signin-view:not([hidden])")
    assert page.evaluate("() => sessionStorage.length") == 0
    page.fill("#signin-token", "not-a-token")
    page.press("#signin-token", "Enter")
    page.wait_for_selector("#signin-error:not([hidden])")
    cell.errors.clear()  # the refused token's 401 is logged by the browser

    page.fill("#signin-token", demo.tokens["coalition-viewer"])
    page.press("#signin-token", "Enter")
    page.wait_for_selector("#connection.conn-live")
    assert "viewer" in page.inner_text("#who")
    assert page.locator("#compose-open").is_hidden()
    assert page.locator("#declare-open").is_hidden() and page.locator("#measure-open").is_hidden()
    assert page.locator(".leaflet-pm-toolbar").count() == 0
    assert page.locator("#panel-hotline-air form.send-form").count() == 0
    assert page.locator("[data-role=ack], [data-role=object], .line-header button").count() == 0
    assert page.locator("[data-role=amend], [data-role=cancel-notice]").count() == 0
    assert cell.errors == []


def test_the_stream_comes_back_after_a_drop(browser: Any, tmp_path: Path, artifacts: Path) -> None:
    """The server goes away and comes back: the page says so, reconnects with Last-Event-ID and
    gets what was sent meanwhile once, with nothing it had repeated."""
    server = DemoServer(tmp_path / "demo.sqlite", tmp_path / "unused-clock")
    server.start()
    cell = Watched(browser, server.url)
    try:
        page = cell.sign_in(server.tokens["coalition-air"])
        page.click("#tab-hotline-ground")
        before = page.locator("#panel-hotline-ground li.msg").count()
        server.stop()
        page.wait_for_selector("#connection.conn-retrying", timeout=30000)
        server.process = subprocess.Popen(  # the same store, no longer a fresh demo
            [*CLI, "serve", "--db", str(server.db), "--port", str(server.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        with httpx.Client(
            base_url=f"{server.url}/api/v1",
            headers={"Authorization": f"Bearer {server.tokens['russia-air']}"},
        ) as client:
            for _ in range(300):
                try:
                    sent = client.post(
                        "/lines/hotline-ground/messages",
                        json={"kind": "query", "text": "Sent while you were away?"},
                    )
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            else:
                raise AssertionError("the server did not come back")
            assert sent.status_code == 201, sent.text
            count = len(client.get("/lines/hotline-ground/messages").json())
        page.wait_for_selector("#connection.conn-live", timeout=60000)
        page.wait_for_selector("#panel-hotline-ground li.msg:has-text('Sent while you were away?')")
        assert count == before + 1
        assert page.locator("#panel-hotline-ground li.msg").count() == count
        page.screenshot(path=str(artifacts / "6-reconnected.png"))
    finally:
        cell.close()
        server.stop()


def test_what_users_type_is_read_in_the_browser(watched: Any, demo: DemoServer) -> None:
    """The page's own modules, in Chromium: DTG and ISO times, positions and MGRS, altitudes,
    and the event-stream parser (split lines, comments, multi-line data)."""
    page = watched().page
    page.goto(demo.url + "/")
    got = page.evaluate(
        """async () => {
          const time = await import('/console/js/time.js');
          const coords = await import('/console/js/coords.js');
          const compose = await import('/console/js/compose.js');
          const stream = await import('/console/js/stream.js');
          const messages = await import('/console/js/messages.js');
          coords.useMgrs(await import('/vendor/mgrs/mgrs.esm.js'));
          const events = [];
          const feed = stream.sseParser((e) => events.push(e));
          for (const chunk of [': hello\\n\\nid: 7\\nevent: message.notice\\nda', 'ta: {"a":', '1}\\r', '\\n\\r\\n',
                               'id: 8\\ndata: one\\ndata: two\\n\\n']) feed(chunk);
          const iso = (d) => d && d.toISOString();
          return {
            dtg: time.dtg(new Date(Date.UTC(2017, 8, 16, 10, 0))),
            fromDtg: iso(time.parseTime('161000ZSEP17')),
            fromIso: iso(time.parseTime('2017-09-16T10:00Z')),
            fromOffset: iso(time.parseTime('2017-09-16T12:00+02:00')),
            bad: [time.parseTime('311000ZSEP17'), time.parseTime('tomorrow')],
            countdown: [time.countdown(65000), time.countdown(3723000)],
            dd: coords.parsePosition('35.41N 40.19E'),
            mgrs: coords.formatMgrs(35.41, 40.19),
            back: coords.parsePosition(coords.formatMgrs(35.41, 40.19)).map((v) => v.toFixed(4)),
            altitudes: [compose.altitude('200', 'FL'), compose.altitude('10000', 'ft'),
                        compose.altitude('150', 'm'), compose.altitude('sfc', 'm'), compose.altitude('1000', 'FL')],
            escalation: messages.parseEscalation('text hotline-ground#7 from russia unanswered by coalition'),
            events,
          };
        }"""
    )
    assert got["dtg"] == "161000ZSEP17"
    assert got["fromDtg"] == got["fromIso"] == got["fromOffset"] == "2017-09-16T10:00:00.000Z"
    assert got["bad"] == [None, None]
    assert got["countdown"] == ["1:05", "1:02:03"]
    assert got["dd"] == [35.41, 40.19]
    assert re.match(r"^37S FV \d{5} \d{5}$", got["mgrs"])
    assert got["back"] == ["35.4100", "40.1900"]
    assert got["altitudes"] == ["FL200", "10000 ft", 150, "SFC", None]
    assert got["escalation"] == {
        "kind": "text",
        "line": "hotline-ground",
        "number": 7,
        "party": "russia",
        "awaiting": ["coalition"],
    }
    assert got["events"] == [
        {"id": "7", "event": "message.notice", "data": '{"a":1}'},
        {"id": "8", "event": "message", "data": "one\ntwo"},
    ]


def test_the_timeline_shows_the_past_read_only(watched: Any, demo: DemoServer) -> None:
    page = watched().sign_in(demo.tokens["coalition-air"])
    page.evaluate(
        """() => {
          const slider = document.querySelector('#timeline');
          slider.value = String(Date.UTC(2017, 8, 16, 10, 42));  // snaps to 10:40
          slider.dispatchEvent(new Event('input'));
          slider.dispatchEvent(new Event('change'));
        }"""
    )
    page.wait_for_selector("#past-banner:not([hidden])")
    assert "161040ZSEP17" in page.inner_text("#past-banner")
    air = page.locator("#panel-hotline-air")
    assert air.locator("li.msg.kind-stop_request").count() == 1  # sent at 10:40
    assert air.locator("li.msg[data-number='6']").count() == 0  # answered at 10:50
    assert page.locator("[data-role=ack], form.send-form, #compose-open:visible").count() == 0
    page.click("#past-live")
    page.wait_for_selector("#past-banner", state="hidden")
    assert air.locator("li.msg[data-number='6']").count() == 1
