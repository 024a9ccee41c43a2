// The situation map (Leaflet, global `L`): no tile layer unless the server names one; the base
// layer (borders, rivers, coasts) from /api/v1/basemap for the visible area; overlays for control
// measures, declarations (as military symbols) and notices, drawn from the GeoJSON export
// (layers.js), and for conflicts and incidents, from the state. The popups of the
// party's own notices and declarations carry what may be done with them (amend, cancel, withdraw).
// Each object's elements say what they stand for (data-notice, data-declaration, data-measure …).
// Geoman (the drawing tools) leaves these layers alone: pmIgnore.

import { api, ApiError } from "./api.js";
import { h } from "./dom.js";
import { centre, nearest, footprintLayer } from "./geometry.js";
import { t, term } from "./i18n.js";
import { describeConflict, noticeSummary } from "./messages.js";
import { declarationIcon, sidcFor } from "./symbols.js";
import { dtg } from "./time.js";

const BASE_STYLE = {
  border: { color: "#6b6258", weight: 1.2, dashArray: "6 3 2 3", fill: false },
  river: { color: "#3a7fc2", weight: 1.6, fill: false },
  coast: { color: "#4d5f70", weight: 1, fill: false },
};
const COLOUR = {
  measure: "#7b3fa0",
  friend: "#2a6fd6",
  neutral: "#2e9b45",
  noticeOwn: "#1c5fb8",
  noticeOther: "#d46a00",
  cancelled: "#8a8a8a",
  violation: "#d0192b",
  advisory: "#e0a100",
  incident: "#b3122e",
  draft: "#111111",
};
const OVERLAYS = ["base", "measures", "declarations", "notices", "conflicts", "incidents"];

function popup(title, ...lines) {
  return h("div", { class: "popup" }, h("strong", { text: title }), lines.filter(Boolean).map((l) => h("div", { text: l })));
}

/** A popup built afresh each time it opens (its buttons keep their handlers), with `buttons`. */
function popupWith(build, buttons = () => []) {
  return () => {
    const content = build();
    const actions = buttons();
    if (actions.length) content.append(h("div", { class: "popup-actions" }, actions));
    return content;
  };
}

/** Put `data` on the layer's elements, now and whenever they are made again (shown again). */
function tag(layer, data) {
  const leaves = layer.eachLayer ? layer.getLayers() : [layer];
  for (const leaf of leaves) {
    const apply = () => {
      const el = leaf.getElement?.();
      if (el) Object.assign(el.dataset, data);
    };
    leaf.on("add", apply);
    apply();
  }
  return layer;
}

export class SituationMap {
  constructor(element, state, layers, { tileUrl = null, onPointer = () => {}, actions = {} } = {}) {
    this.state = state;
    this.layers = layers; // notices, declarations and measures as the export gives them
    this.actions = actions; // {amend(notice), cancel(notice), withdraw(declaration)}
    this.fresh = new Set(); // conflict ids that just arrived: drawn flashing
    this.previewConflicts = [];
    this.previewAt = null;
    this.previewId = null;
    this.basemapState = "loading";
    const map = L.map(element, {
      attributionControl: Boolean(tileUrl),
      zoomSnap: 0.5,
      minZoom: 3,
      maxZoom: 17,
      keyboard: true,
    }).setView([35.3, 40.2], 9);
    this.map = map;
    if (tileUrl) {
      const host = new URL(tileUrl.replace("{s}", "a")).host;
      L.tileLayer(tileUrl, { attribution: host, maxZoom: 18, crossOrigin: false }).addTo(map);
      map.attributionControl.setPrefix(false);
    }
    L.control.scale({ imperial: false }).addTo(map);
    this.groups = Object.fromEntries(OVERLAYS.map((name) => [name, L.featureGroup().addTo(map)]));
    this.preview = L.featureGroup().addTo(map); // a draft notice's conflicts, before it is sent
    this.buildLayerControl();
    map.on("moveend", () => this.scheduleBasemap());
    map.on("mousemove", (e) => onPointer(e.latlng));
    map.on("mouseout", () => onPointer(null));
    // A popup opened from the keyboard (a symbol's Enter) takes the focus to its first button,
    // and gives it back to the symbol when it closes.
    map.on("popupopen", ({ popup: p }) => {
      const source = p._source?.getElement?.();
      if (source && source === document.activeElement) {
        p.getElement()?.querySelector(".popup-actions button")?.focus();
        p.returnFocus = source;
      }
    });
    map.on("popupclose", ({ popup: p }) => {
      if (p.returnFocus?.isConnected && p.getElement()?.contains(document.activeElement)) p.returnFocus.focus();
      p.returnFocus = null;
    });
    this.scheduleBasemap();
    this.onLayers = () => this.render();
    layers.addEventListener("change", this.onLayers);
  }

  /** The session ends: stop what is pending, then take the map down. */
  destroy() {
    this.destroyed = true;
    this.layers.removeEventListener("change", this.onLayers);
    cancelAnimationFrame(this.frame);
    clearTimeout(this.basemapTimer);
    this.basemapRequest?.abort();
    for (const id of this.flashTimers ?? []) clearTimeout(id);
    // Leaflet ends a zoom animation on a timer that outlives remove(): end it now, while the
    // map's panes still exist (the timer then finds nothing to do).
    this.map.off();
    if (this.map._animatingZoom) this.map._onZoomTransitionEnd();
    this.map.stop();
    this.map.remove();
  }

  /** The layer control, in the current language; keeps which overlays are shown. */
  buildLayerControl() {
    this.layerControl?.remove();
    const overlays = Object.fromEntries(OVERLAYS.map((name) => [t(`layer.${name}`), this.groups[name]]));
    this.layerControl = L.control.layers(null, overlays, { collapsed: false, position: "topright" }).addTo(this.map);
    const container = this.layerControl.getContainer();
    container.setAttribute("role", "group");
    container.setAttribute("aria-label", t("layer.control"));
  }

  relabel() {
    this.buildLayerControl();
    this.map.zoomControl?.getContainer().querySelectorAll("a").forEach((a) => {
      a.setAttribute("aria-label", t(a.classList.contains("leaflet-control-zoom-in") ? "map.zoom_in" : "map.zoom_out"));
      a.title = a.getAttribute("aria-label");
    });
    this.render();
  }

  // -- base layer ------------------------------------------------------------------------------

  scheduleBasemap() {
    clearTimeout(this.basemapTimer);
    if (this.destroyed) return;
    this.basemapTimer = setTimeout(() => this.loadBasemap(), 200);
  }

  async loadBasemap() {
    if (this.basemapState === "unavailable" || this.destroyed) return;
    const b = this.map.getBounds().pad(0.25);
    const zoom = this.map.getZoom();
    const resolution = zoom < 6 ? "c" : zoom < 9 ? "l" : "i";
    const step = resolution === "i" ? 0.25 : 1;
    const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
    let west = clamp(Math.floor(b.getWest() / step) * step, -180, 180);
    let east = clamp(Math.ceil(b.getEast() / step) * step, -180, 180);
    let south = clamp(Math.floor(b.getSouth() / step) * step, -90, 90);
    let north = clamp(Math.ceil(b.getNorth() / step) * step, -90, 90);
    const c = this.map.getCenter();
    if (east - west > 60) [west, east] = [clamp(c.lng - 30, -180, 150), clamp(c.lng + 30, -150, 180)];
    if (north - south > 60) [south, north] = [clamp(c.lat - 30, -90, 60), clamp(c.lat + 30, -60, 90)];
    if (east <= west || north <= south) return;
    const key = `${west},${south},${east},${north}&resolution=${resolution}`;
    if (key === this.basemapKey) return;
    this.basemapRequest?.abort();
    this.basemapRequest = new AbortController();
    try {
      const collection = await api(`basemap?bbox=${key}`, { signal: this.basemapRequest.signal });
      if (this.destroyed) return;
      this.basemapKey = key;
      this.groups.base.clearLayers();
      L.geoJSON(collection, {
        style: (feature) => BASE_STYLE[feature.properties?.layer] ?? BASE_STYLE.border,
        interactive: false,
        pmIgnore: true,
      }).addTo(this.groups.base);
      this.basemapState = "ok";
    } catch (err) {
      if (err.name === "AbortError") return;
      // Not on this server (yet): the overlays stand alone; no retry on every pan.
      this.basemapState = err instanceof ApiError && err.status === 404 ? "unavailable" : "error";
    }
    this.map.fire("basemapstate", { state: this.basemapState });
  }

  // -- overlays --------------------------------------------------------------------------------

  /** Show another state (the live one, or the situation at a past time). */
  show(state) {
    this.state = state;
    this.fresh.clear();
    this.previewConflicts = [];
    this.map.closePopup();
    this.render();
  }

  /** Redraw every overlay from the state (at most once per frame). */
  render() {
    if (this.frame || this.destroyed) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.draw();
    });
  }

  draw() {
    const { state, groups, layers } = this;
    const kept = this.keepOpen();
    this.keyed = new Map(); // "notice:<id>" … -> the layer whose popup tells of it
    for (const name of OVERLAYS) if (name !== "base") groups[name].clearLayers();

    for (const m of layers.measures.values()) {
      if (m.withdrawn) continue;
      const line = m.kind === "deconfliction_line";
      const layer = footprintLayer(L, m.footprint, {
        color: COLOUR.measure,
        weight: line ? 4 : 2,
        opacity: 0.85,
        dashArray: line ? null : "10 6",
        fillOpacity: 0.05,
        className: "measure",
        pmIgnore: true,
      });
      if (!layer) continue;
      const rule = m.rule ? term("zone_rule", m.rule) : "";
      const sides = Object.entries(m.sides ?? {})
        .map(([p, side]) => `${state.partyName(p)}: ${term("side", side)}`)
        .join(", ");
      layer.bindTooltip(`${m.name || m.id}${rule ? ` — ${rule}` : ""}`, { sticky: true });
      layer.bindPopup(popup(m.name || m.id, term("measure", m.kind), rule, sides));
      this.key(layer, `measure:${m.id}`);
      tag(layer.addTo(groups.measures), { measure: m.id, kind: m.kind });
    }

    for (const d of layers.declarations.values()) {
      if (d.withdrawn) continue;
      const own = d.party === state.party;
      const colour = own ? COLOUR.friend : COLOUR.neutral;
      const area = footprintLayer(L, d.footprint, { color: colour, weight: 1.5, dashArray: "3 4", fillOpacity: 0.08, className: "declaration", pmIgnore: true });
      const at = centre(d.footprint);
      const label = d.label || d.id;
      const details = popupWith(
        () => popup(
          label,
          `${term("declaration", d.kind)} · ${state.partyName(d.party)}${d.forces ? ` (${d.forces})` : ""}`,
          d.category ? d.category : "",
          t("declaration.since", { time: dtg(d.window.start) }),
          d.disclosed_to?.length ? t("declaration.disclosed_to", { parties: d.disclosed_to.map((p) => state.partyName(p)).join(", ") }) : t("declaration.not_disclosed"),
        ),
        () => (own && state.can("declare") && this.actions.withdraw
          ? [this.button("withdraw", t("withdraw.button"), t("withdraw.button_n", { id: label }), () => this.actions.withdraw(d))]
          : []),
      );
      const data = { declaration: d.id, party: d.party, kind: d.kind };
      if (area) this.key(tag(area.bindPopup(details).addTo(groups.declarations), data), `declaration-area:${d.id}`);
      if (at) {
        const marker = L.marker(at, { icon: declarationIcon(L, d, state.party), alt: label, title: label, keyboard: true, pmIgnore: true });
        tag(marker.bindPopup(details).addTo(groups.declarations), { ...data, sidc: sidcFor(d, state.party) });
        this.key(marker, `declaration:${d.id}`);
      }
    }

    const { status } = layers.selection; // the time window is the export's
    for (const n of layers.notices.values()) {
      if (status !== "all" && n.status !== status) continue;
      const own = n.party === state.party;
      const cancelled = n.status !== "active";
      const colour = cancelled ? COLOUR.cancelled : own ? COLOUR.noticeOwn : COLOUR.noticeOther;
      const info = popupWith(
        () => popup(
          `${n.id} (${state.partyName(n.party)})`,
          noticeSummary(n),
          `${term("notice_status", n.status)} · ${t("notice.version", { version: n.version })} · ${n.line} #${n.message_number ?? "?"}`,
          n.remarks ? `“${n.remarks}”` : "",
        ),
        () => (own && !cancelled && state.can("notify") && this.actions.amend
          ? [
            this.button("amend", t("notice.amend"), t("notice.amend_n", { id: n.id }), () => this.actions.amend(n)),
            this.button("cancel-notice", t("notice.cancel"), t("notice.cancel_n", { id: n.id }), () => this.actions.cancel(n), "danger"),
          ]
          : []),
      );
      for (const v of n.volumes) {
        const layer = footprintLayer(L, v.footprint, {
          color: colour,
          weight: 2,
          dashArray: cancelled ? "4 6" : null,
          fillOpacity: cancelled ? 0.03 : 0.15,
          className: `notice notice-${n.status}`,
          pmIgnore: true,
        });
        if (!layer) continue;
        layer.bindTooltip(`${n.id}: ${term("notice", n.kind)}`, { sticky: true });
        layer.bindPopup(info);
        this.key(layer, `notice:${n.id}`);
        tag(layer.addTo(groups.notices), { notice: n.id, version: n.version, status: n.status, party: n.party });
      }
    }

    for (const i of state.incidents.values()) {
      const layer = footprintLayer(L, i.place, { color: COLOUR.incident, weight: 2, dashArray: "2 5", fillOpacity: 0.12, className: "incident", pmIgnore: true });
      const at = centre(i.place);
      const info = popup(
        `${term("incident", i.kind)} — ${i.id}`,
        t("window.range", { start: dtg(i.window.start), end: dtg(i.window.end) }),
        t("incident.reported_by", { party: state.partyName(i.party), time: dtg(i.reported_at) }),
        i.place?.radius_m ? t("incident.uncertainty", { radius: Math.round(i.place.radius_m) }) : "",
        i.text ? `“${i.text}”` : "",
      );
      if (layer) layer.bindPopup(info).addTo(groups.incidents);
      if (at) {
        L.circleMarker(at, { radius: 4, color: COLOUR.incident, fillOpacity: 1, weight: 1, pmIgnore: true })
          .bindTooltip(`${term("incident", i.kind)} — ${i.id}`)
          .addTo(groups.incidents);
      }
    }

    for (const c of state.conflicts.values()) {
      if (c.active) this.drawConflict(c, groups.conflicts, null, this.fresh.has(c.id));
    }

    this.preview.clearLayers();
    const draft = { id: this.previewId, at: this.previewAt };
    for (const c of this.previewConflicts) this.drawConflict(c, this.preview, draft, true);
    this.restore(kept);
  }

  key(layer, key) {
    layer.objectKey = key;
    if (!this.keyed.has(key)) this.keyed.set(key, layer);
    return layer;
  }

  /** Before a redraw: the popup open (and the button in it with the focus), the symbol with the
   *  focus — a live update must not take them from under the reader's eyes or keyboard. */
  keepOpen() {
    const open = this.map._popup;
    const active = document.activeElement;
    const popup = open?.isOpen() && open._source?.objectKey ? open._source.objectKey : null;
    return {
      popup,
      role: popup && open.getElement()?.contains(active) ? active.dataset?.role ?? "" : null,
      symbol: active?.classList?.contains("leaflet-marker-icon") ? active.dataset.declaration : null,
    };
  }

  restore({ popup, role, symbol }) {
    if (symbol) this.map.getContainer().querySelector(`img[data-declaration="${CSS.escape(symbol)}"]`)?.focus();
    const layer = popup ? this.keyed.get(popup) : null;
    if (!layer || !this.map.hasLayer(layer)) return;
    layer.openPopup();
    if (role === null) return;
    const element = layer.getPopup()?.getElement();
    (element?.querySelector(`[data-role="${CSS.escape(role)}"]`) ?? element?.querySelector(".popup-actions button"))?.focus();
  }

  /** A button of a popup: it closes the popup, then acts. */
  button(role, text, label, act, kind = "secondary") {
    return h("button", {
      type: "button",
      class: kind,
      text,
      "aria-label": label,
      dataset: { role },
      onclick: () => {
        this.map.closePopup();
        act();
      },
    });
  }

  /** Show what the member's picture is about: declarations, notices and incidents. */
  fitToSituation() {
    const bounds = L.latLngBounds([]);
    for (const name of ["declarations", "notices", "incidents"]) {
      const b = this.groups[name].getBounds();
      if (b.isValid()) bounds.extend(b);
    }
    if (bounds.isValid()) this.map.fitBounds(bounds.pad(0.15), { maxZoom: 12, animate: false });
  }

  /** Where an object of a conflict is: its centre, or for a long line its point nearest `towards`. */
  position(ref, towards = null) {
    if (!ref?.id) return null;
    const { state } = this;
    const drawn = { notice: "notices", declaration: "declarations", measure: "measures" }[ref.type];
    if (!drawn) return null;
    const object = this.layers[drawn].get(ref.id) ?? state[drawn].get(ref.id); // drawn, or just told
    const footprint = ref.type === "notice" ? object?.volumes?.[0]?.footprint : object?.footprint;
    if (!footprint) return null;
    return towards && footprint.geometry.type !== "Point" ? nearest(footprint, towards) : centre(footprint);
  }

  /** A line between the two objects' centres; an object the reader may not see is left out and
   *  the conflict's marker stands at what the view gives. A draft ({id, at}: not recorded yet, or
   *  a notice's next version) stands where it is drawn. */
  drawConflict(conflict, group, draft = null, flash = false) {
    const where = (ref, towards = null) => (draft?.at && ref?.id === draft.id ? draft.at : this.position(ref, towards));
    const s = where(conflict.subject);
    const o = where(conflict.other, s);
    if (!s && !o) return;
    const colour = conflict.severity === "violation" ? COLOUR.violation : COLOUR.advisory;
    const { title, detail } = describeConflict(conflict, this.state);
    const className = `conflict-mark${flash ? " flash" : ""}`;
    if (s && o) {
      L.polyline([s, o], { color: colour, weight: 3, dashArray: "8 6", className, pmIgnore: true })
        .bindTooltip(title, { sticky: true })
        .addTo(group);
    }
    const at = s && o ? [(s[0] + o[0]) / 2, (s[1] + o[1]) / 2] : s ?? o;
    const marker = L.circleMarker(at, { radius: 8, color: "#fff", weight: 2, fillColor: colour, fillOpacity: 0.95, className, pmIgnore: true })
      .bindTooltip(title)
      .bindPopup(popup(title, detail))
      .addTo(group);
    if (group === this.groups.conflicts) this.key(marker, `conflict:${conflict.id}`);
  }

  flashConflict(id) {
    this.fresh.add(id);
    this.flashTimers = [
      ...(this.flashTimers ?? []),
      setTimeout(() => {
        this.fresh.delete(id);
        this.render();
      }, 6000),
    ];
    this.render();
  }

  showPreview(conflicts, at, draftId = null) {
    this.previewConflicts = conflicts;
    this.previewAt = at;
    this.previewId = draftId;
    this.render();
  }

  goTo(latlng, zoom = Math.max(this.map.getZoom(), 11)) {
    this.map.setView(latlng, zoom);
  }
}
