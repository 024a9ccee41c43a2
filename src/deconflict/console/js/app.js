// The console's entry point: language, sign-in with a member token, then the session: the
// state from the API, the map, the lines panel, the composer, and the live stream that keeps
// them current.

import { api, ApiError, token } from "./api.js";
import { useMgrs, formatDecimal, formatMgrs, parsePosition } from "./coords.js";
import { Composer } from "./compose.js";
import { $, clear, h } from "./dom.js";
import { language, onLanguage, preferredLanguage, setLanguage, t, term } from "./i18n.js";
import { Layers } from "./layers.js";
import { LinesPanel } from "./lines.js";
import { SituationMap } from "./map.js";
import { describeConflict, describeMessage, describeOverdue } from "./messages.js";
import { PastState, State } from "./state.js";
import { LiveStream } from "./stream.js";
import { clock, dtg, isoUtc, parseTime, utc } from "./time.js";

let config = { tile_url: null, vendor: { installed: false } };
let vendor = null; // the libraries' loading, once
let session = null;

// -- third-party libraries, from /vendor (the server's allow-list) ----------------------------

function loadStyle(href) {
  return new Promise((resolve, reject) => {
    const link = h("link", { rel: "stylesheet", href });
    link.addEventListener("load", resolve);
    link.addEventListener("error", () => reject(new Error(`cannot load ${href}`)));
    document.head.insertBefore(link, $("#console-css")); // ours after theirs: ours win
  });
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = h("script", { src });
    script.async = false;
    script.addEventListener("load", resolve);
    script.addEventListener("error", () => reject(new Error(`cannot load ${src}`)));
    document.head.append(script);
  });
}

async function loadVendor() {
  await Promise.all([loadStyle("/vendor/leaflet/leaflet.css"), loadStyle("/vendor/geoman/leaflet-geoman.css")]);
  await loadScript("/vendor/leaflet/leaflet.js");
  await Promise.all([loadScript("/vendor/geoman/leaflet-geoman.min.js"), loadScript("/vendor/milsymbol/milsymbol.js")]);
  useMgrs(await import("/vendor/mgrs/mgrs.esm.js"));
}

// -- alerts ------------------------------------------------------------------------------------

function notify(kind, title, detail = "", { sticky = false } = {}) {
  const box = $("#alerts");
  const item = h("div", { class: `alert alert-${kind}`, role: kind === "error" || sticky ? "alert" : "status" },
    h("strong", { text: title }),
    detail ? h("span", { text: ` ${detail}` }) : null,
    h("button", { type: "button", class: "close", "aria-label": t("common.dismiss"), text: "×", onclick: () => item.remove() }),
  );
  box.prepend(item);
  while (box.children.length > 6) box.lastChild.remove();
  if (!sticky) setTimeout(() => item.remove(), 30000);
}

// -- views -------------------------------------------------------------------------------------

function showSignIn(message = "") {
  $("#console-view").hidden = true;
  $("#signin-view").hidden = false;
  $("#sign-out").hidden = true;
  $("#who").hidden = true;
  $("#connection").hidden = true;
  const error = $("#signin-error");
  error.textContent = message;
  error.hidden = !message;
  $("#signin-token").value = "";
  $("#signin-token").focus();
}

async function signIn(event) {
  event.preventDefault();
  const value = $("#signin-token").value.trim();
  if (!value) {
    $("#signin-token").setAttribute("aria-invalid", "true");
    return;
  }
  token.set(value);
  await start();
}

function signOut(message = "") {
  session?.stop();
  session = null;
  token.clear();
  clear($("#alerts"));
  showSignIn(message);
}

async function start() {
  $("#signin-submit").disabled = true;
  try {
    const { member } = await api("me");
    if (!vendor) throw new Error(t("vendor.missing"));
    await vendor;
    session = new Session(member);
    await session.start();
  } catch (err) {
    session?.stop();
    session = null;
    if (err instanceof ApiError && err.status === 401) {
      token.clear();
      showSignIn(t("signin.rejected"));
    } else {
      showSignIn(err instanceof ApiError ? `${t(`error.${err.code}`)}: ${err.message}` : String(err.message ?? err));
    }
  } finally {
    $("#signin-submit").disabled = false;
  }
}

// -- the signed-in session -----------------------------------------------------------------------

class Session {
  constructor(member) {
    this.member = member;
    this.state = new State(member); // live
    this.view = this.state; // what is shown: the live state or the situation at a past time
    this.layers = new Layers(); // the map's notices, declarations and measures: the export
    this.layers.addEventListener("error", ({ detail }) => this.layersFailed(detail));
    this.timers = [];
    this.timelineRequest = 0;
  }

  async start() {
    const first = await api("/console/session.json");
    clock.sync(first.now);
    await Promise.all([this.state.load(), this.layers.select(currentFilter())]);

    $("#signin-view").hidden = true;
    $("#console-view").hidden = false;
    $("#sign-out").hidden = false;
    $("#who").hidden = false;
    $("#connection").hidden = false;
    this.renderWho();

    const holder = clear($("#map-holder"));
    const element = h("div", { id: "map", class: "map", role: "region", "aria-label": t("map.heading") });
    holder.append(element);
    // What may be done with the party's own notices and declarations, from their popups and the
    // lines panel: the composer does it (it exists once the map does).
    const actions = {
      amend: (notice) => this.composer.amend(this.state.notices.get(notice.id) ?? notice),
      cancel: (notice) => this.composer.cancelNotice(this.state.notices.get(notice.id) ?? notice),
      withdraw: (declaration) => this.composer.withdrawDeclaration(this.state.declarations.get(declaration.id) ?? declaration),
    };
    this.map = new SituationMap(element, this.state, this.layers, { tileUrl: config.tile_url, onPointer: (at) => this.pointer(at), actions });
    this.map.map.on("basemapstate", ({ state }) => {
      $("#basemap-state").textContent = state === "ok" ? "" : t(`basemap.${state}`);
    });
    this.lines = new LinesPanel($("#lines"), this.state, { onError: (text) => notify("error", t("error.title"), text), actions });
    this.composer = new Composer(this.map, this.state, {
      onFiled: (answer) => this.filed(answer),
      onError: (text) => notify("error", t("error.title"), text),
      onDone: (text) => notify("info", text),
    });
    this.lines.renderAll();
    this.map.relabel();
    this.map.draw();
    this.map.fitToSituation();
    this.renderLists();
    this.state.addEventListener("change", (e) => this.changed(e.detail));

    this.stream = new LiveStream({
      after: first.head,
      token: token.get(),
      onEvent: (kind, item) => this.event(kind, item),
      onStatus: (status, seconds) => this.connection(status, seconds),
      onUnauthorized: () => signOut(t("signin.expired")),
    }).start();
    this.timers.push(setInterval(() => this.tick(), 1000));
    this.timelineBounds();
    this.timers.push(setInterval(() => this.resync(), 15000));
    this.tick();
  }

  stop() {
    this.stream?.stop();
    this.composer?.destroy();
    this.lines?.destroy();
    $("#console-view").classList.remove("past");
    $("#past-banner").hidden = true;
    this.map?.destroy();
    for (const timer of this.timers) clearInterval(timer);
  }

  async resync() {
    try {
      clock.sync((await api("/console/session.json")).now);
    } catch {
      /* the stream's indicator tells of a lost server */
    }
  }

  relabel() {
    this.renderWho();
    this.renderPastBanner();
    $("#timeline-value").textContent = this.view === this.state ? t("timeline.now") : dtg(this.view.at);
    this.connection(this.connectionStatus, this.connectionSeconds);
    this.lines.renderAll();
    this.map.relabel();
    this.composer.relabel();
    this.renderLists();
    $("#map")?.setAttribute("aria-label", t("map.heading"));
  }

  renderWho() {
    const m = this.member;
    $("#who").textContent = t("who", { name: m.name || m.id, id: m.id, party: this.state.partyName(m.party), role: term("role", m.role) });
  }

  connection(status, seconds) {
    this.connectionStatus = status;
    this.connectionSeconds = seconds;
    const el = $("#connection");
    el.className = `connection conn-${status}`;
    el.textContent = t(`conn.${status}`, { seconds });
  }

  tick() {
    const now = clock.now();
    $("#server-time").textContent = `${utc(now)} · ${dtg(now)}`;
    if (this.view === this.state && !this.scrubbing) this.timelineBounds();
  }

  // -- the timeline: the situation at a past time (GET /api/v1/situation?at=…) ------------------

  timelineBounds() {
    const slider = $("#timeline");
    const times = [];
    for (const lines of this.state.messages.values()) for (const m of lines.values()) times.push(Date.parse(m.sent_at));
    for (const d of this.state.declarations.values()) times.push(Date.parse(d.declared_at));
    const now = clock.now().getTime();
    const start = times.length ? Math.min(...times) : now - 86400000;
    slider.min = String(Math.floor(start / 600000) * 600000);
    slider.max = String(now);
    if (this.view === this.state) {
      slider.value = slider.max;
      $("#timeline-value").textContent = t("timeline.now");
    }
  }

  timelineMoved(final) {
    const slider = $("#timeline");
    const at = new Date(Number(slider.value));
    const live = Number(slider.value) >= Number(slider.max) - 60000;
    $("#timeline-value").textContent = live ? t("timeline.now") : dtg(at);
    this.scrubbing = !final;
    if (!final) return;
    if (live) this.backToLive();
    else this.viewAt(at);
  }

  async viewAt(at) {
    const request = ++this.timelineRequest;
    try {
      const [answer] = await Promise.all([
        api(`situation?at=${encodeURIComponent(isoUtc(at))}`),
        this.layers.select({ at }),
      ]);
      if (request !== this.timelineRequest) return;
      this.view = new PastState(this.state, answer);
      $("#console-view").classList.add("past");
      $("#past-banner").hidden = false;
      $("#timeline-live").disabled = false;
      this.renderPastBanner();
      this.map.show(this.view);
      this.lines.show(this.view);
      this.renderLists();
    } catch (err) {
      if (request === this.timelineRequest) this.layers.select({ at: this.view === this.state ? null : this.view.at }); // as shown
      notify("error", t("error.title"), err instanceof ApiError && err.status === 404 && !err.field ? t("timeline.unavailable") : err.message);
    }
  }

  renderPastBanner() {
    if (this.view === this.state) return;
    $("#past-text").textContent = t("timeline.banner", { time: `${utc(this.view.at)} · ${dtg(this.view.at)}`, seq: this.view.seq });
  }

  backToLive() {
    this.timelineRequest++;
    if (this.view === this.state) return;
    this.view = this.state;
    $("#console-view").classList.remove("past");
    $("#past-banner").hidden = true;
    $("#timeline-live").disabled = true;
    this.timelineBounds();
    this.layers.select({ at: null });
    this.map.show(this.state);
    this.lines.show(this.state);
    this.renderLists();
  }

  pointer(at) {
    $("#pos-dd").textContent = at ? formatDecimal(at.lat, at.lng) : "—";
    $("#pos-mgrs").textContent = at ? formatMgrs(at.lat, at.lng) : "";
  }

  /** A stream event: into the state, and told at once when it needs the officer's eye. */
  event(kind, item) {
    // An exercise clock may jump: an entry newer than our idea of the server's time corrects it.
    if (Date.parse(item.at) > clock.now().getTime() + 1000) clock.sync(item.at);
    const known = item.subject_type === "conflict" && this.state.conflicts.has(item.data.id);
    this.state.apply(item, true);
    const data = item.data;
    const mine = data.party === this.state.party;
    if (kind === "message.overdue") {
      notify("overdue", t("alert.overdue"), describeOverdue(data, this.state), { sticky: true });
      this.lines.highlight(data.line, data.number);
    } else if (kind === "message.escalation") {
      const { title, detail } = describeMessage(data, this.state);
      notify("escalation", title, `${data.line} #${data.number}: ${detail}`, { sticky: true });
      this.lines.highlight(data.line, data.number);
    } else if (kind === "conflict.found" && !known && !this.composer.sent.has(data.subject.id) && !this.composer.sent.has(data.other?.id)) {
      const { title, detail } = describeConflict(data, this.state);
      notify("conflict", title, detail, { sticky: true });
      this.map.flashConflict(data.id);
    } else if (kind === "message.acknowledged" && mine) {
      const last = data.acknowledgements.at(-1);
      if (last?.answer === "objection") {
        notify("objection", t("alert.objection", { party: this.state.partyName(last.party), line: data.line, number: data.number }), last.reason, { sticky: true });
        this.lines.highlight(data.line, data.number);
      }
    } else if ((kind === "message.stop_request" || kind === "message.warning") && !mine) {
      const { title } = describeMessage(data, this.state);
      notify(kind === "message.warning" ? "escalation" : "overdue", title, `${data.line} #${data.number}: ${data.text}`, { sticky: true });
      this.lines.highlight(data.line, data.number);
    } else if (!this.composer.sent.has(data.id)) {
      this.told(kind, data, mine);
    }
  }

  /** Other parties' declarations, new measures, other parties' amended or cancelled notices: a
   *  note (the map and the lines show them). */
  told(kind, data, mine) {
    const party = this.state.partyName(data.party);
    const label = data.label || data.id;
    if (kind === "declaration.made" && !mine) notify("info", t("alert.declared", { party, kind: term("declaration", data.kind), label }));
    else if (kind === "declaration.withdrawn" && !mine) notify("info", t("alert.withdrawn", { party, kind: term("declaration", data.kind), label }));
    else if (kind === "measure.created") notify("info", t("alert.measure", { kind: term("measure", data.kind), name: data.name || data.id, arrangement: data.arrangement }));
    else if (kind === "notice.amended" && !mine) notify("info", t("alert.amended", { party, id: data.id, version: data.version }));
    else if (kind === "notice.cancelled" && !mine) notify("info", t("alert.cancelled", { party, id: data.id }));
  }

  changed({ item, reload }) {
    if (this.view !== this.state) return; // showing the past: the live state changes underneath
    if (reload) {
      this.layers.refresh();
      this.lines.renderAll();
      this.map.render();
      this.renderLists();
      return;
    }
    const type = item.subject_type;
    if (type === "message" || type === "line") this.lines.renderLine(item.data.line ?? item.data.id);
    if (["line", "party", "arrangement"].includes(type)) this.composer.relabel();
    if (type === "notice") {
      this.lines.renderLine(item.data.line);
      this.composer.noticeChanged(item.data);
    }
    if (type === "party") this.lines.renderAll();
    if (["notice", "declaration", "measure"].includes(type)) this.layers.refresh();
    if (["notice", "declaration", "measure", "conflict", "incident"].includes(type)) this.map.render();
    if (type === "conflict" || type === "incident") this.renderLists();
  }

  /** The map's layers could not be read (the server gone, a refused selection): said once until
   *  a read succeeds; the stream's reconnection reads them again. */
  layersFailed(error) {
    if (this.layersError) return;
    this.layersError = true;
    this.layers.addEventListener("change", () => { this.layersError = false; }, { once: true });
    notify("error", t("layers.failed"), error instanceof ApiError ? error.message : String(error));
  }

  /** Save the map's selection as a file (the export the layers are drawn from). */
  async download(format) {
    try {
      const blob = await this.layers.download(format);
      const at = this.view === this.state ? clock.now() : this.view.at;
      const a = h("a", { href: URL.createObjectURL(blob), download: `deconflict-${this.state.party}-${dtg(at)}.${format === "kml" ? "kml" : "geojson"}` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    } catch (err) {
      notify("error", t("error.title"), err instanceof ApiError ? err.message : String(err));
    }
  }

  /** The answer to a filed notice: its notice and conflicts at once (the stream repeats them). */
  filed(answer) {
    if (answer.notice) this.state.apply({ subject_type: "notice", data: answer.notice }, false);
    for (const c of answer.conflicts ?? []) this.state.apply({ subject_type: "conflict", data: c }, false);
  }

  renderLists() {
    const showCleared = $("#conflicts-cleared").checked;
    const conflicts = [...this.view.conflicts.values()]
      .filter((c) => c.active || showCleared)
      .sort((a, b) => Number(b.active) - Number(a.active) || b.found_at.localeCompare(a.found_at));
    clear($("#conflict-list")).append(
      ...(conflicts.length ? conflicts.map((c) => {
        const { title, detail } = describeConflict(c, this.view);
        const at = this.map.position(c.subject) ?? this.map.position(c.other);
        return h("li", { class: `conflict severity-${c.severity}${c.active ? "" : " cleared"}`, dataset: { id: c.id } },
          h("div", { class: "conflict-title" }, h("strong", { text: title }), h("span", { class: "muted", text: ` ${dtg(c.found_at)}` })),
          h("div", { text: detail }),
          at ? h("button", { type: "button", class: "link", text: t("conflicts.show"), "aria-label": t("conflicts.show_n", { id: c.id }), onclick: () => this.map.goTo(at) }) : null,
        );
      }) : [h("li", { class: "muted", text: t("conflicts.none") })]),
    );
    const incidents = [...this.view.incidents.values()].sort((a, b) => b.reported_at.localeCompare(a.reported_at));
    clear($("#incident-list")).append(
      ...(incidents.length ? incidents.map((i) => {
        const g = i.place?.geometry;
        const at = g?.type === "Point" ? [g.coordinates[1], g.coordinates[0]] : null;
        return h("li", { class: "incident" },
          h("strong", { text: `${term("incident", i.kind)} — ${i.id}` }),
          h("div", { class: "muted", text: t("window.range", { start: dtg(i.window.start), end: dtg(i.window.end) }) }),
          i.text ? h("q", { text: i.text }) : null,
          at ? h("button", { type: "button", class: "link", text: t("conflicts.show"), "aria-label": t("incidents.show_n", { id: i.id }), onclick: () => this.map.goTo(at) }) : null,
        );
      }) : [h("li", { class: "muted", text: t("incidents.none") })]),
    );
  }
}

// -- controls that live outside the session ------------------------------------------------------

/** The map's filters as a selection of the export ({from, to, status}); a time that cannot be
 *  read is told and left open. */
function currentFilter() {
  const from = $("#filter-from");
  const to = $("#filter-to");
  const a = parseTime(from.value);
  const b = parseTime(to.value);
  from.toggleAttribute("aria-invalid", Boolean(from.value.trim()) && !a);
  to.toggleAttribute("aria-invalid", Boolean(to.value.trim()) && !b);
  const reversed = a && b && b <= a;
  const bad = (from.value.trim() && !a) || (to.value.trim() && !b);
  $("#filter-error").textContent = bad ? t("filter.invalid") : reversed ? t("filter.reversed") : "";
  $("#filter-error").hidden = !bad && !reversed;
  return { from: a, to: reversed ? null : b, status: $("#filter-status").value };
}

function wireTools() {
  const filter = () => session?.layers.select(currentFilter());
  for (const id of ["#filter-from", "#filter-to"]) $(id).addEventListener("change", filter);
  $("#filter-status").addEventListener("change", filter);
  $("#export-geojson").addEventListener("click", () => session?.download("geojson"));
  $("#export-kml").addEventListener("click", () => session?.download("kml"));
  $("#goto-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const input = $("#goto");
    const at = parsePosition(input.value);
    input.toggleAttribute("aria-invalid", !at);
    if (at) session?.map.goTo(at);
  });
  $("#conflicts-cleared").addEventListener("change", () => session?.renderLists());
  $("#timeline").addEventListener("input", () => session?.timelineMoved(false));
  $("#timeline").addEventListener("change", () => session?.timelineMoved(true));
  $("#timeline-live").addEventListener("click", () => session?.backToLive());
  $("#past-live").addEventListener("click", () => session?.backToLive());
}

async function main() {
  await setLanguage(preferredLanguage());
  const picker = $("#lang");
  picker.value = language();
  picker.addEventListener("change", () => setLanguage(picker.value));
  onLanguage(() => session?.relabel());
  $("#signin-form").addEventListener("submit", signIn);
  $("#sign-out").addEventListener("click", () => signOut());
  wireTools();
  try {
    config = await api("/console/config.json", { auth: false });
  } catch {
    /* keep the defaults: no tiles, libraries unknown */
  }
  if (config.vendor?.installed) {
    vendor = loadVendor();
    vendor.catch(() => { $("#vendor-missing").hidden = false; });
  } else $("#vendor-missing").hidden = false;
  if (token.get()) await start();
  else showSignIn();
}

main();
