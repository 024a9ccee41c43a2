// Composing a notice on the map: draw a polygon, circle or corridor (Leaflet-Geoman; a corridor
// is a drawn line plus a width), or type a circle; then the form. "Preview" asks the server which
// conflicts the notice would make (POST /api/v1/notices/preview, records nothing); "Send" files it.

import { api, ApiError, newKey, post } from "./api.js";
import { $, clear, h } from "./dom.js";
import { centre } from "./geometry.js";
import { t, term, language } from "./i18n.js";
import { describeConflict } from "./messages.js";
import { formatDecimal, formatMgrs, parsePosition } from "./coords.js";
import { clock, dtg, isoUtc, parseTime, roundedAhead } from "./time.js";

const SHAPES = { Polygon: "polygon", Rectangle: "polygon", Circle: "circle", Line: "corridor" };

/** The altitude as the API reads it: metres as a number, "10000 ft", "FL200", or "SFC". */
export function altitude(value, unit) {
  const v = String(value ?? "").trim().toUpperCase();
  if (!v) return null;
  if (v === "SFC" || v === "MSL") return v;
  if (!/^\d+(\.\d+)?$/.test(v)) return null;
  if (unit === "ft") return `${v} ft`;
  if (unit === "FL") return /^\d{1,3}$/.test(v) ? `FL${v.padStart(3, "0")}` : null;
  return Number(v);
}

export class Composer {
  constructor(situation, state, { onFiled = () => {}, onError = () => {} } = {}) {
    this.situation = situation;
    this.map = situation.map;
    this.state = state;
    this.onFiled = onFiled;
    this.onError = onError;
    this.form = $("#compose-form");
    this.section = $("#compose");
    this.layer = null;
    this.shape = null;
    this.key = newKey();
    this.sent = new Set(); // ids filed from here: their conflicts are shown in the form, not as alerts
    this.listening = new AbortController(); // the page's elements outlive this session
    this.fields = Object.fromEntries(
      ["id", "kind", "line", "forces", "width", "lower", "upper", "unit", "start", "end", "remarks", "circle-centre", "circle-radius"].map(
        (name) => [name, $(`#compose-${name}`)],
      ),
    );
    this.wire();
  }

  get enabled() {
    return this.state.can("notify");
  }

  wire() {
    $("#compose-open").hidden = !this.enabled;
    if (!this.enabled) return;
    const pm = this.map.pm;
    pm.addControls({
      position: "topleft",
      drawMarker: false,
      drawCircleMarker: false,
      drawText: false,
      drawRectangle: true,
      drawPolygon: true,
      drawCircle: true,
      drawPolyline: true,
      editMode: true,
      dragMode: true,
      cutPolygon: false,
      removalMode: false,
      rotateMode: false,
    });
    pm.setGlobalOptions({ allowSelfIntersection: false, snappable: false, continueDrawing: false });
    this.map.on("pm:create", ({ shape, layer }) => this.drawn(layer, shape));
    this.map.on("pm:remove", ({ layer }) => {
      if (layer === this.layer) this.discardShape();
    });
    this.relabel();

    const on = (element, event, fn) => element.addEventListener(event, fn, { signal: this.listening.signal });
    on($("#compose-open"), "click", () => this.open());
    on($("#compose-cancel"), "click", () => this.close());
    on($("#compose-place-circle"), "click", () => this.placeCircle());
    // Enter in a field previews (the form's first submit button); only "Send" files.
    on(this.form, "submit", (e) => {
      e.preventDefault();
      if (e.submitter?.id === "compose-send") this.send();
      else this.preview();
    });
    on(this.fields.kind, "change", () => this.suggestId());
    on(this.fields.id, "input", () => { this.fields.id.dataset.edited = "true"; });
    on(this.fields.width, "input", () => this.describeShape());
  }

  /** The session ends: let go of the page's elements, and leave the form empty. */
  destroy() {
    this.listening.abort();
    this.section.hidden = true;
    this.form.reset();
    this.fields.id.value = "";
    this.fields.id.dataset.edited = "false";
    clear($("#compose-result"));
    $("#compose-error").hidden = true;
  }

  /** Geoman's buttons get names (the title sits on their container) and the page's language. */
  relabel() {
    if (!this.enabled) return;
    this.map.pm.setLang(language());
    for (const container of this.map.getContainer().querySelectorAll(".leaflet-pm-toolbar .button-container")) {
      const button = container.querySelector(".leaflet-buttons-control-button");
      if (button && container.title) button.setAttribute("aria-label", container.title);
      for (const action of container.querySelectorAll(".leaflet-pm-action")) {
        if (!action.getAttribute("aria-label")) action.setAttribute("aria-label", action.title || action.textContent);
      }
    }
    const lines = this.fields.line;
    const chosen = lines.value;
    clear(lines).append(
      ...[...this.state.lines.values()].map((l) => h("option", { value: l.id, text: `${term("domain", l.domain)} — ${l.id}` })),
    );
    if (chosen) lines.value = chosen;
    this.describeShape();
  }

  open() {
    this.section.hidden = false;
    if (!this.fields.id.value) this.prefill();
    (this.layer ? this.fields.id : this.fields["circle-centre"]).focus();
  }

  close() {
    this.discardShape();
    this.section.hidden = true;
    this.clearResult();
    $("#compose-open").focus();
  }

  discardShape() {
    if (this.layer) this.layer.remove();
    this.layer = null;
    this.shape = null;
    this.situation.showPreview([], null);
    this.describeShape();
  }

  prefill() {
    const now = clock.now();
    const start = roundedAhead(now, 120);
    this.fields.start.value = dtg(start);
    this.fields.end.value = dtg(new Date(start.getTime() + 2 * 3600000));
    const air = [...this.state.lines.values()].find((l) => l.domain === "air");
    if (air) this.fields.line.value = air.id;
    this.suggestId();
  }

  suggestId() {
    if (this.fields.id.dataset.edited === "true" && this.fields.id.value) return;
    const stamp = dtg(clock.now()).slice(0, 6);
    const suffix = Math.random().toString(36).slice(2, 5);
    this.fields.id.value = `${this.state.party}-${this.fields.kind.value.replaceAll("_", "-")}-${stamp}${suffix}`.slice(0, 64);
  }

  drawn(layer, shape) {
    if (this.layer && this.layer !== layer) this.layer.remove();
    this.layer = layer;
    this.shape = SHAPES[shape] ?? "polygon";
    layer.on("pm:edit", () => this.describeShape());
    this.clearResult();
    this.situation.showPreview([], null);
    this.open();
    this.describeShape();
  }

  placeCircle() {
    const at = parsePosition(this.fields["circle-centre"].value);
    const radius = Number(this.fields["circle-radius"].value);
    const bad = (field, on) => field.toggleAttribute("aria-invalid", on);
    bad(this.fields["circle-centre"], !at);
    bad(this.fields["circle-radius"], !(radius > 0));
    if (!at || !(radius > 0)) {
      this.showError(t("compose.bad_circle"));
      return;
    }
    const layer = L.circle(at, { radius }).addTo(this.map);
    this.drawn(layer, "Circle");
    this.map.fitBounds(layer.getBounds(), { maxZoom: 12 });
  }

  describeShape() {
    const out = $("#compose-shape");
    const width = $("#compose-width-row");
    width.hidden = this.shape !== "corridor";
    if (!this.layer) {
      out.textContent = t("compose.no_shape");
      return;
    }
    const fp = this.footprint();
    const at = centre(fp);
    const where = at ? `${formatDecimal(at[0], at[1])} (${formatMgrs(at[0], at[1])})` : "";
    const size = this.shape === "circle" ? t("compose.radius", { radius: Math.round(fp.radius_m) }) : this.shape === "corridor" ? t("compose.width", { width: fp.width_m || "?" }) : t("compose.corners", { count: fp.geometry.coordinates[0].length - 1 });
    out.textContent = `${t(`shape.${this.shape}`)} · ${size} · ${where}`;
  }

  /** The drawn shape as an API footprint (GeoJSON [lon, lat]; radius_m / width_m). */
  footprint() {
    const layer = this.layer;
    if (!layer) return null;
    const pos = (ll) => [Number(ll.lng.toFixed(6)), Number(ll.lat.toFixed(6))];
    if (this.shape === "circle") return { geometry: { type: "Point", coordinates: pos(layer.getLatLng()) }, radius_m: Math.round(layer.getRadius()) };
    if (this.shape === "corridor") {
      const width = Number(this.fields.width.value);
      return { geometry: { type: "LineString", coordinates: layer.getLatLngs().flat(Infinity).map(pos) }, width_m: width > 0 ? width : null };
    }
    const ring = layer.getLatLngs().flat(Infinity).map(pos);
    return { geometry: { type: "Polygon", coordinates: [[...ring, ring[0]]] } };
  }

  /** The notice as POST /api/v1/notices takes it, or null (and the fields marked) if incomplete. */
  payload() {
    const f = this.fields;
    const problems = [];
    const check = (field, ok, message) => {
      field.toggleAttribute("aria-invalid", !ok);
      if (!ok) problems.push(message);
      return ok;
    };
    for (const field of Object.values(f)) field.removeAttribute("aria-invalid");
    if (!this.layer) problems.push(t("compose.no_shape"));
    const start = parseTime(f.start.value);
    const end = parseTime(f.end.value);
    check(f.id, /^[A-Za-z0-9_.:-]{1,64}$/.test(f.id.value.trim()), t("compose.bad_id"));
    check(f.start, Boolean(start), t("compose.bad_time", { field: t("compose.start") }));
    check(f.end, Boolean(end), t("compose.bad_time", { field: t("compose.end") }));
    if (start && end) check(f.end, end > start, t("compose.end_before_start"));
    const lower = altitude(f.lower.value, f.unit.value);
    const upper = altitude(f.upper.value, f.unit.value);
    check(f.lower, lower !== null, t("compose.bad_altitude", { field: t("compose.lower") }));
    check(f.upper, upper !== null, t("compose.bad_altitude", { field: t("compose.upper") }));
    if (this.shape === "corridor") check(f.width, Number(f.width.value) > 0, t("compose.bad_width"));
    if (problems.length) {
      this.showError(problems.join(" "));
      return null;
    }
    const body = {
      id: f.id.value.trim(),
      line: f.line.value,
      kind: f.kind.value,
      volumes: [{ footprint: this.footprint(), lower, upper, start: isoUtc(start), end: isoUtc(end) }],
      remarks: f.remarks.value.trim(),
    };
    if (f.forces.value.trim()) body.forces = f.forces.value.trim();
    return body;
  }

  async preview() {
    const body = this.payload();
    if (!body) return;
    this.clearResult();
    try {
      const answer = await api("notices/preview", { method: "POST", body });
      this.showConflicts(answer.conflicts, t("compose.preview_result", { count: answer.conflicts.length }));
      this.situation.showPreview(answer.conflicts, centre(body.volumes[0].footprint));
    } catch (err) {
      // A server without the preview route answers a bare 404 (no field): say so, plainly.
      if (err instanceof ApiError && err.status === 404 && !err.field) this.showError(t("compose.preview_unavailable"));
      else this.fail(err);
    }
  }

  async send() {
    const body = this.payload();
    if (!body) return;
    this.clearResult();
    const button = $("#compose-send");
    button.disabled = true;
    this.sent.add(body.id);
    try {
      const answer = await post("notices", body, this.key);
      this.key = newKey();
      this.onFiled(answer);
      const number = answer.notice?.message_number;
      this.showConflicts(answer.conflicts, t("compose.filed", { id: body.id, line: body.line, number: number ?? "?", count: answer.conflicts.length }));
      if (this.layer) this.layer.remove();
      this.layer = null;
      this.shape = null;
      this.situation.showPreview([], null);
      this.fields.id.dataset.edited = "false";
      this.fields.remarks.value = "";
      this.suggestId();
      this.describeShape();
    } catch (err) {
      this.fail(err);
    } finally {
      button.disabled = false;
    }
  }

  fail(err) {
    if (!(err instanceof ApiError)) {
      this.showError(String(err));
      return;
    }
    const field = (err.field ?? "").split(".");
    const target = { id: "id", line: "line", kind: "kind", forces: "forces", remarks: "remarks", start: "start", end: "end", lower: "lower", upper: "upper", width_m: "width" };
    const name = field.map((part) => target[part]).filter(Boolean).at(-1);
    if (name) this.fields[name].setAttribute("aria-invalid", "true");
    this.showError(`${t(`error.${err.code}`)}: ${err.message}`);
  }

  clearResult() {
    const out = $("#compose-result");
    clear(out);
    $("#compose-error").hidden = true;
  }

  showError(text) {
    const error = $("#compose-error");
    error.textContent = text;
    error.hidden = false;
  }

  showConflicts(conflicts, heading) {
    const out = clear($("#compose-result"));
    out.append(h("p", { class: "result-heading", text: heading }));
    if (!conflicts.length) return;
    out.append(
      h("ul", { class: "conflict-list" },
        conflicts.map((c) => {
          const { title, detail } = describeConflict(c, this.state);
          return h("li", { class: `conflict severity-${c.severity}` }, h("strong", { text: title }), h("div", { text: detail }));
        }),
      ),
    );
  }
}
