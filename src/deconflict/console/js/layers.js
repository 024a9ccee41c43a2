// The map's notices, declarations and control measures, read from the GeoJSON export
// (GET /api/v1/export/geojson) with the selection the filters and the timeline set: the export
// an integrator downloads, so what the map shows is what a file of it holds (docs/formats.md).
// Read again when the stream tells of a change to one of them.

import { api } from "./api.js";
import { isoUtc } from "./time.js";

/** The export's query for a selection {from, to, status, at} (times as Dates or null). */
export function exportQuery({ from = null, to = null, status = "all", at = null } = {}) {
  const query = new URLSearchParams();
  if (from) query.set("from", isoUtc(from));
  if (to) query.set("to", isoUtc(to));
  if (status !== "active") query.set("include_inactive", "true");
  if (at) query.set("at", isoUtc(at));
  return query.toString();
}

const footprint = (f) => ({ geometry: f.geometry, radius_m: f.properties.radius_m ?? null, width_m: f.properties.width_m ?? null });
const span = (p) => ({ start: p.start, end: p.end ?? null });

/** The export's features as the objects the map draws: a notice gathers its volumes' features. */
export function objectsOf(collection) {
  const notices = new Map();
  const declarations = new Map();
  const measures = new Map();
  for (const f of collection?.features ?? []) {
    const p = f.properties;
    if (p.kind === "notice") {
      if (!notices.has(p.id)) {
        notices.set(p.id, {
          id: p.id, party: p.party, line: p.line, kind: p.notice_kind, status: p.state, version: p.version,
          message_number: p.message_number ?? null, filed_at: p.filed_at, forces: p.forces ?? "", remarks: p.remarks ?? "", volumes: [],
        });
      }
      notices.get(p.id).volumes[p.volume] = { footprint: footprint(f), window: span(p), band: { lower_m: p.lower, upper_m: p.upper } };
    } else if (p.kind === "declaration") {
      declarations.set(p.id, {
        id: p.id, party: p.party, kind: p.declaration_kind, footprint: footprint(f), window: span(p), declared_at: p.declared_at,
        disclosed_to: p.disclosed_to ?? [], category: p.category ?? "", forces: p.forces ?? "", label: p.label ?? "", withdrawn: p.state !== "active",
      });
    } else if (p.kind === "measure") {
      measures.set(p.id, {
        id: p.id, arrangement: p.arrangement, kind: p.measure_kind, name: p.name, rule: p.rule ?? null, sides: p.sides ?? null,
        owner: p.owner ?? null, footprint: footprint(f), window: span(p), withdrawn: p.state !== "active",
      });
    }
  }
  for (const n of notices.values()) n.volumes = n.volumes.filter(Boolean);
  return { notices, declarations, measures };
}

export class Layers extends EventTarget {
  constructor() {
    super();
    this.selection = { from: null, to: null, status: "all", at: null };
    Object.assign(this, objectsOf(null));
    this.reading = null; // the read under way
    this.again = false; // asked for while it ran: read once more after it
  }

  /** Change the selection (any of from, to, status, at) and read the export with it. */
  select(selection) {
    this.selection = { ...this.selection, ...selection };
    return this.refresh();
  }

  /** Read the export again; asked again while a read runs, one more read follows it, so a burst
   *  of changes costs two reads and the last answer always reflects the last selection. */
  refresh() {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      let collection;
      do {
        this.again = false;
        collection = await api(`export/geojson?${exportQuery(this.selection)}`);
      } while (this.again);
      Object.assign(this, objectsOf(collection));
      this.dispatchEvent(new Event("change"));
    })()
      .catch((error) => this.dispatchEvent(new CustomEvent("error", { detail: error })))
      .finally(() => {
        this.reading = null;
      });
    return this.reading;
  }

  /** The export of the same selection in `format` ("geojson" or "kml"), as a Blob to save. */
  async download(format) {
    const body = await api(`export/${format}?${exportQuery(this.selection)}`);
    const type = format === "kml" ? "application/vnd.google-earth.kml+xml" : "application/geo+json";
    return new Blob([typeof body === "string" ? body : JSON.stringify(body)], { type });
  }
}
