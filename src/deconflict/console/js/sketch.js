// The shape being composed on the map, shared by the notice, declaration and measure forms: drawn
// with Leaflet-Geoman's tools (a point, polygon or rectangle, circle, or line — a line with a width
// is a corridor), typed (a centre and radius, or points), or loaded from a notice to amend it.

import { $ } from "./dom.js";
import { centre } from "./geometry.js";
import { t, language } from "./i18n.js";
import { formatDecimal, formatMgrs, parsePosition } from "./coords.js";

const SHAPES = { Polygon: "polygon", Rectangle: "polygon", Circle: "circle", Line: "line", Marker: "point" };
const DRAFT = { color: "#3388ff", weight: 3 };

/** "35.41N 40.19E; 37SFV 08497 18244; …" as [[lat, lng], …], or null if one does not read. */
export function parsePoints(text) {
  const parts = String(text ?? "").split(/[;\n]+/).map((p) => p.trim()).filter(Boolean);
  const points = parts.map(parsePosition);
  return points.length && points.every(Boolean) ? points : null;
}

export class Sketch {
  /** onDrawn(): a shape was drawn or placed; onChange(): it changed (edited, width, removed). */
  constructor(situation, { onDrawn = () => {}, onChange = () => {}, signal } = {}) {
    this.situation = situation;
    this.map = situation.map;
    this.onDrawn = onDrawn;
    this.onChange = onChange;
    this.layer = null;
    this.kind = null; // "circle" | "point" | "polygon" | "line"
    this.width = $("#compose-width");
    this.typed = Object.fromEntries(["kind", "points", "radius"].map((n) => [n, $(`#sketch-${n}`)]));
    const pm = this.map.pm;
    pm.addControls({
      position: "topleft",
      drawMarker: true,
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
    this.map.on("pm:create", ({ shape, layer }) => this.take(layer, SHAPES[shape] ?? "polygon"));
    const on = (element, event, fn) => element.addEventListener(event, fn, { signal });
    on(this.typed.kind, "change", () => this.typedKind());
    on(this.width, "input", () => this.onChange());
    this.typedKind();
  }

  /** Geoman's buttons get names (the title sits on their container) and the page's language. */
  relabel() {
    this.map.pm.setLang(language());
    for (const container of this.map.getContainer().querySelectorAll(".leaflet-pm-toolbar .button-container")) {
      const button = container.querySelector(".leaflet-buttons-control-button");
      if (button && container.title) button.setAttribute("aria-label", container.title);
      for (const action of container.querySelectorAll(".leaflet-pm-action")) {
        if (!action.getAttribute("aria-label")) action.setAttribute("aria-label", action.title || action.textContent);
      }
    }
  }

  take(layer, kind) {
    if (this.layer && this.layer !== layer) this.drop();
    this.layer = layer;
    this.kind = kind;
    layer.on("pm:edit pm:dragend", () => this.onChange());
    this.situation.showPreview([], null);
    this.onDrawn();
    this.onChange();
  }

  /** Remove the shape from the map (without telling anyone). */
  drop() {
    if (!this.layer) return;
    this.layer.pm?.disable();
    this.layer.remove();
    this.layer = null;
    this.kind = null;
  }

  clear() {
    this.drop();
    this.situation.showPreview([], null);
    this.onChange();
  }

  /** Put an API footprint on the map as the shape, ready to edit (amending a notice). */
  load(footprint) {
    const g = footprint?.geometry;
    if (!g) return;
    const ll = ([lon, lat]) => [lat, lon];
    let layer;
    let kind;
    if (g.type === "Point" && footprint.radius_m) [layer, kind] = [L.circle(ll(g.coordinates), { ...DRAFT, radius: footprint.radius_m }), "circle"];
    else if (g.type === "Point") [layer, kind] = [L.marker(ll(g.coordinates)), "point"];
    else if (g.type === "LineString") [layer, kind] = [L.polyline(g.coordinates.map(ll), DRAFT), "line"];
    else [layer, kind] = [L.polygon(g.coordinates[0].slice(0, -1).map(ll), DRAFT), "polygon"];
    if (kind === "line") this.width.value = footprint.width_m ? String(Math.round(footprint.width_m)) : "";
    layer.addTo(this.map);
    this.take(layer, kind);
    layer.pm?.enable({ allowSelfIntersection: false, snappable: false });
    this.fit();
  }

  fit() {
    if (!this.layer) return;
    if (this.layer.getBounds) this.map.fitBounds(this.layer.getBounds().pad(0.3), { maxZoom: 12 });
    else this.map.setView(this.layer.getLatLng(), Math.max(this.map.getZoom(), 11));
  }

  typedKind() {
    const kind = this.typed.kind.value;
    this.typed.radius.disabled = kind !== "circle";
    $("#sketch-radius-row").hidden = kind !== "circle";
    const label = $("#sketch-points-label");
    label.dataset.i18n = kind === "circle" || kind === "point" ? "sketch.centre" : "sketch.points";
    label.textContent = t(label.dataset.i18n);
  }

  /** The typed shape on the map; false (and the fields marked) if it does not read. */
  place() {
    const kind = this.typed.kind.value;
    const points = parsePoints(this.typed.points.value);
    const radius = Number(this.typed.radius.value);
    const need = kind === "polygon" ? 3 : kind === "line" ? 2 : 1;
    const single = kind === "circle" || kind === "point";
    const pointsOk = Boolean(points) && (single ? points.length === 1 : points.length >= need);
    const radiusOk = kind !== "circle" || radius > 0;
    this.typed.points.toggleAttribute("aria-invalid", !pointsOk);
    this.typed.radius.toggleAttribute("aria-invalid", !radiusOk);
    if (!pointsOk || !radiusOk) return false;
    const layer =
      kind === "circle" ? L.circle(points[0], { ...DRAFT, radius })
        : kind === "point" ? L.marker(points[0])
          : kind === "line" ? L.polyline(points, DRAFT)
            : L.polygon(points, DRAFT);
    layer.addTo(this.map);
    this.take(layer, kind);
    this.fit();
    return true;
  }

  /** Whether a line is a corridor: it has a width. */
  get corridor() {
    return this.kind === "line" && Number(this.width.value) > 0;
  }

  /** The shape as an API footprint (GeoJSON [lon, lat]; radius_m / width_m), or null.
   *  `plainLine`: a line stays a line whatever the width field says (a deconfliction line). */
  footprint({ plainLine = false } = {}) {
    const layer = this.layer;
    if (!layer) return null;
    const pos = (ll) => [Number(ll.lng.toFixed(6)), Number(ll.lat.toFixed(6))];
    if (this.kind === "circle") return { geometry: { type: "Point", coordinates: pos(layer.getLatLng()) }, radius_m: Math.round(layer.getRadius()) };
    if (this.kind === "point") return { geometry: { type: "Point", coordinates: pos(layer.getLatLng()) } };
    if (this.kind === "line") {
      const path = { type: "LineString", coordinates: layer.getLatLngs().flat(Infinity).map(pos) };
      return !plainLine && this.corridor ? { geometry: path, width_m: Number(this.width.value) } : { geometry: path };
    }
    const ring = layer.getLatLngs().flat(Infinity).map(pos);
    return { geometry: { type: "Polygon", coordinates: [[...ring, ring[0]]] } };
  }

  /** "Circle · radius 3000 m · 35.41000° N 40.19000° E (37S FV …)", or the drawing hint. */
  describe({ plainLine = false } = {}) {
    if (!this.layer) return t("compose.no_shape");
    const fp = this.footprint({ plainLine });
    const at = centre(fp);
    const where = at ? `${formatDecimal(at[0], at[1])} (${formatMgrs(at[0], at[1])})` : "";
    const count = fp.geometry.type === "Polygon" ? fp.geometry.coordinates[0].length - 1 : fp.geometry.coordinates.length;
    if (this.kind === "circle") return `${t("shape.circle")} · ${t("compose.radius", { radius: fp.radius_m })} · ${where}`;
    if (this.kind === "point") return `${t("shape.point")} · ${where}`;
    if (this.kind === "line" && fp.width_m) return `${t("shape.corridor")} · ${t("compose.width", { width: fp.width_m })} · ${where}`;
    if (this.kind === "line") return `${t("shape.line")} · ${t("compose.points", { count })} · ${where}`;
    return `${t("shape.polygon")} · ${t("compose.corners", { count })} · ${where}`;
  }
}
