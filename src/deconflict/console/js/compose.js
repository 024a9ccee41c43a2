// Composing on the map: one panel, one shape (sketch.js) and a form for what it becomes — a notice
// (new, or a new version of one the party filed), a declaration (declare.js) or a control measure
// (measure.js). "Preview" asks the server which conflicts it would make (nothing is recorded);
// "Send" records it. Cancelling a notice and withdrawing a declaration ask first (dialog.js).

import { ApiError, post } from "./api.js";
import { $, clear, h } from "./dom.js";
import { centre } from "./geometry.js";
import { t, term } from "./i18n.js";
import { describeConflict } from "./messages.js";
import { DeclarationForm } from "./declare.js";
import { ask } from "./dialog.js";
import { altitude, bandFields, DraftForm, forcesOptions, ID_PATTERN } from "./forms.js";
import { MeasureForm } from "./measure.js";
import { Sketch } from "./sketch.js";
import { clock, dtg, isoUtc, parseTime, roundedAhead } from "./time.js";

export { altitude };

const OPENERS = { notice: "#compose-open", declaration: "#declare-open", measure: "#measure-open" };

/** A volume as the API gave it (VolumeOut) as the API takes it (VolumeIn). */
export function volumeIn(v) {
  const fp = { geometry: v.footprint.geometry };
  if (v.footprint.radius_m) fp.radius_m = v.footprint.radius_m;
  if (v.footprint.width_m) fp.width_m = v.footprint.width_m;
  return { footprint: fp, lower: v.band.lower_m, upper: v.band.upper_m, start: v.window.start, end: v.window.end };
}

class NoticeForm extends DraftForm {
  constructor(composer, signal) {
    super(composer, "compose", ["id", "kind", "line", "forces", "lower", "upper", "unit", "start", "end", "remarks"]);
    this.amending = null; // the notice (as last seen) a new version is composed for
    this.otherVolumes = []; // an amended notice's volumes after the first, sent unchanged
    this.sending = false;
    const f = this.fields;
    const on = (element, event, fn) => element.addEventListener(event, fn, { signal });
    // Enter in a field previews (the form's first submit button); only "Send" files.
    on(this.form, "submit", (e) => {
      e.preventDefault();
      if (e.submitter?.id === "compose-send") this.send();
      else this.preview();
    });
    on(f.kind, "change", () => this.suggestId());
    on(f.id, "input", () => { f.id.dataset.edited = "true"; });
  }

  get enabled() {
    return this.state.can("notify");
  }

  get usesWidth() {
    return true;
  }

  get draftId() {
    return this.fields.id.value.trim();
  }

  heading() {
    const n = this.amending;
    return n ? t("compose.amend_heading", { id: n.id, version: n.version }) : t("compose.heading");
  }

  opened() {
    if (!this.prefilled) this.prefill();
  }

  relabel() {
    const lines = this.fields.line;
    const chosen = lines.value;
    clear(lines).append(
      ...[...this.state.lines.values()].map((l) => h("option", { value: l.id, text: `${term("domain", l.domain)} — ${l.id}` })),
    );
    if (chosen) lines.value = chosen;
    forcesOptions(this.fields.forces, this.state);
    if (this.amending) this.fields.forces.value = this.amending.forces ?? "";
    const send = $("#compose-send");
    send.dataset.i18n = this.amending ? "compose.send_amendment" : "compose.send";
    send.textContent = t(send.dataset.i18n);
    const note = $("#compose-note");
    note.textContent = this.amending && this.otherVolumes.length ? t("compose.amend_volumes", { count: this.otherVolumes.length + 1 }) : "";
    note.hidden = !note.textContent;
  }

  prefill() {
    this.prefilled = true;
    const start = roundedAhead(clock.now(), 120);
    this.fields.start.value = dtg(start);
    this.fields.end.value = dtg(new Date(start.getTime() + 2 * 3600000));
    const air = [...this.state.lines.values()].find((l) => l.domain === "air");
    if (air) this.fields.line.value = air.id;
    this.suggestId();
  }

  suggestId() {
    const id = this.fields.id;
    if (this.amending || (id.dataset.edited === "true" && id.value)) return;
    const stamp = dtg(clock.now()).slice(0, 6);
    const suffix = Math.random().toString(36).slice(2, 5);
    id.value = `${this.state.party}-${this.fields.kind.value.replaceAll("_", "-")}-${stamp}${suffix}`.slice(0, 64);
  }

  /** Prefill with the notice's current version: what it is stays, where and when may change. */
  amend(notice) {
    const f = this.fields;
    this.amending = notice;
    const [first, ...rest] = notice.volumes;
    this.otherVolumes = rest.map(volumeIn);
    f.id.value = notice.id;
    f.kind.value = notice.kind;
    f.line.value = notice.line;
    f.forces.value = notice.forces ?? "";
    f.id.readOnly = true;
    for (const field of [f.kind, f.line, f.forces]) field.disabled = true;
    const band = bandFields(first.band);
    f.lower.value = band.lower;
    f.upper.value = band.upper;
    f.unit.value = band.unit;
    f.start.value = dtg(first.window.start);
    f.end.value = dtg(first.window.end);
    f.remarks.value = notice.remarks ?? "";
    this.sketch.load(first.footprint);
    this.relabel();
  }

  /** Back to composing a new notice, the form empty. */
  stopAmending() {
    if (!this.amending) return;
    const f = this.fields;
    this.amending = null;
    this.otherVolumes = [];
    f.id.readOnly = false;
    for (const field of [f.kind, f.line, f.forces]) field.disabled = false;
    this.form.reset(); // the amended notice's band and window are not a new notice's
    f.id.value = "";
    f.id.dataset.edited = "false";
    this.prefill();
    this.relabel();
  }

  /** Another version of the notice being amended arrived (not ours): say so. */
  changed(notice) {
    const n = this.amending;
    if (!n || this.sending || notice.id !== n.id) return;
    if (notice.status !== "active") this.showError(t("compose.amend_cancelled", { id: n.id }));
    else if (notice.version !== n.version) this.showError(t("compose.amend_stale", { id: n.id, version: notice.version, base: n.version }));
  }

  reset() {
    this.stopAmending();
    super.reset();
  }

  /** The volume drawn and typed here, or null (and the reasons shown). */
  volume() {
    const f = this.fields;
    const sketch = this.sketch;
    if (!this.beginWithShape()) return null;
    this.check(null, sketch.kind !== "point", t("compose.needs_area"));
    if (sketch.kind === "line") this.check(sketch.width, sketch.corridor, t("compose.bad_width"));
    const start = parseTime(f.start.value);
    const end = parseTime(f.end.value);
    if (!this.amending) this.check(f.id, ID_PATTERN.test(f.id.value.trim()), t("compose.bad_id"));
    this.check(f.start, Boolean(start), t("compose.bad_time", { field: t("compose.start") }));
    this.check(f.end, Boolean(end), t("compose.bad_time", { field: t("compose.end") }));
    if (start && end) this.check(f.end, end > start, t("compose.end_before_start"));
    const lower = altitude(f.lower.value, f.unit.value);
    const upper = altitude(f.upper.value, f.unit.value);
    this.check(f.lower, lower !== null, t("compose.bad_altitude", { field: t("compose.lower") }));
    this.check(f.upper, upper !== null, t("compose.bad_altitude", { field: t("compose.upper") }));
    if (!this.done()) return null;
    return { footprint: sketch.footprint(), lower, upper, start: isoUtc(start), end: isoUtc(end) };
  }

  /** The notice as POST /api/v1/notices takes it (or the amendment as …/amend does), or null. */
  payload() {
    const volume = this.volume();
    if (!volume) return null;
    const f = this.fields;
    if (this.amending) return { volumes: [volume, ...this.otherVolumes], remarks: f.remarks.value.trim() };
    const body = { id: f.id.value.trim(), line: f.line.value, kind: f.kind.value, volumes: [volume], remarks: f.remarks.value.trim() };
    if (f.forces.value) body.forces = f.forces.value;
    return body;
  }

  target() {
    return { id: "id", line: "line", kind: "kind", forces: "forces", remarks: "remarks", start: "start", end: "end", lower: "lower", upper: "upper", width_m: this.sketch.width };
  }

  fail(err) {
    super.fail(err, this.target());
  }

  async preview() {
    const body = this.payload();
    if (!body) return;
    this.composer.clearResult();
    const n = this.amending;
    const conflicts = n
      ? await this.previewAt(`notices/${encodeURIComponent(n.id)}/amend/preview`, body, t("compose.amend_preview_unavailable"))
      : await this.previewAt("notices/preview", body, t("compose.preview_unavailable"));
    if (conflicts) this.composer.previewed(conflicts, body.volumes[0].footprint, n ? n.id : body.id);
  }

  async send() {
    const body = this.payload();
    if (!body) return;
    this.composer.clearResult();
    const n = this.amending;
    const id = n ? n.id : body.id;
    this.composer.sent.add(id);
    this.sending = true;
    try {
      const path = n ? `notices/${encodeURIComponent(id)}/amend` : "notices";
      const answer = await this.sendTo(path, body, $("#compose-send"));
      if (!answer) return;
      const filed = answer.notice ?? {};
      const count = answer.conflicts.length;
      const text = n
        ? t("compose.amended", { id, version: filed.version ?? "?", number: filed.message_number ?? "?", count })
        : t("compose.filed", { id, line: body.line, number: filed.message_number ?? "?", count });
      if (n) this.stopAmending();
      this.composer.onFiled(answer);
      this.composer.recorded(answer.conflicts, text);
      const f = this.fields;
      f.id.dataset.edited = "false";
      f.remarks.value = "";
      this.suggestId();
    } finally {
      this.sending = false;
    }
  }
}

export class Composer {
  constructor(situation, state, { onFiled = () => {}, onError = () => {}, onDone = () => {} } = {}) {
    this.situation = situation;
    this.map = situation.map;
    this.state = state;
    this.onFiled = onFiled;
    this.onError = onError;
    this.onDone = onDone;
    this.section = $("#compose");
    this.mode = null; // "notice" | "declaration" | "measure"
    this.sent = new Set(); // ids recorded from here: their conflicts are shown in the panel, not as alerts
    this.listening = new AbortController(); // the page's elements outlive this session
    this.forms = {};
    for (const selector of Object.values(OPENERS)) $(selector).hidden = true;
    if (!this.enabled) return;
    const signal = this.listening.signal;
    this.sketch = new Sketch(situation, { onDrawn: () => this.drawn(), onChange: () => this.describe(), signal });
    this.forms = {
      notice: new NoticeForm(this, signal),
      declaration: new DeclarationForm(this, signal),
      measure: new MeasureForm(this, signal),
    };
    const on = (element, event, fn) => element.addEventListener(event, fn, { signal });
    for (const [mode, selector] of Object.entries(OPENERS)) on($(selector), "click", () => this.open(mode));
    for (const button of this.section.querySelectorAll("[data-role=discard]")) on(button, "click", () => this.close());
    on($("#sketch-place"), "click", () => {
      if (this.sketch.place()) this.form?.clearError();
      else this.form?.showError(t("sketch.bad"));
    });
    this.relabel();
  }

  /** Whether the member may compose anything at all (a viewer may not). */
  get enabled() {
    return ["notify", "declare", "measure"].some((right) => this.state.can(right));
  }

  get form() {
    return this.forms[this.mode] ?? null;
  }

  /** The session ends: let go of the page's elements, and leave the forms empty. */
  destroy() {
    this.listening.abort();
    this.section.hidden = true;
    for (const form of Object.values(this.forms)) form.reset();
    this.clearResult();
  }

  relabel() {
    for (const [mode, selector] of Object.entries(OPENERS)) $(selector).hidden = !this.forms[mode]?.enabled;
    if (!this.enabled) return;
    this.sketch.relabel();
    this.sketch.typedKind();
    for (const form of Object.values(this.forms)) form.relabel();
    this.describe();
  }

  /** Open the panel on one form; the shape drawn so far stays. */
  open(mode) {
    const form = this.forms[mode];
    if (!form?.enabled) return;
    if (this.mode !== mode) {
      if (this.mode === "notice") this.forms.notice.stopAmending();
      this.clearResult();
    }
    this.mode = mode;
    this.section.hidden = false;
    this.section.dataset.mode = mode;
    for (const [name, f] of Object.entries(this.forms)) f.form.hidden = name !== mode;
    form.opened();
    this.describe();
    (this.sketch.layer ? form.form.querySelector("input:not([readonly]), select:not([disabled])") : $("#sketch-points"))?.focus();
  }

  close() {
    const mode = this.mode;
    this.forms.notice?.stopAmending();
    this.sketch?.clear();
    this.section.hidden = true;
    this.mode = null;
    this.clearResult();
    $(OPENERS[mode] ?? OPENERS.notice)?.focus();
  }

  /** A shape was drawn: into the open form, or a new notice's. */
  drawn() {
    this.clearResult();
    if (!this.mode) this.open(this.forms.notice.enabled ? "notice" : Object.keys(this.forms).find((m) => this.forms[m].enabled));
  }

  /** The shape in words, the heading, and the width where the form takes one. */
  describe() {
    if (!this.enabled) return;
    const form = this.form;
    $("#compose-heading").textContent = form ? form.heading() : t("compose.heading");
    $("#compose-width-row").hidden = !(this.sketch.kind === "line" && form?.usesWidth);
    $("#compose-shape").textContent = this.sketch.describe({ plainLine: Boolean(form?.plainLine) });
  }

  /** Amend a notice the party filed: the notice form with its current version. */
  amend(notice) {
    if (!this.forms.notice?.enabled) return;
    this.sketch.drop();
    this.open("notice");
    this.forms.notice.amend(notice);
    this.describe();
    this.forms.notice.fields.lower.focus();
  }

  noticeChanged(notice) {
    this.forms.notice?.changed(notice);
  }

  /** Cancel a notice the party filed, with a reason. */
  async cancelNotice(notice) {
    const reason = await ask({
      title: t("cancel.title", { id: notice.id }),
      text: t("cancel.text", { line: notice.line }),
      label: t("cancel.reason"),
      required: true,
      confirm: t("cancel.confirm"),
    });
    if (reason === null) return;
    this.sent.add(notice.id);
    try {
      const answer = await post(`notices/${encodeURIComponent(notice.id)}/cancel`, { reason });
      this.onFiled(answer);
      if (this.forms.notice?.amending?.id === notice.id) this.close();
      this.onDone(t("cancel.done", { id: notice.id, number: answer.notice?.message_number ?? "?" }));
    } catch (err) {
      this.onError(err instanceof ApiError ? `${t(`error.${err.code}`)}: ${err.message}` : String(err));
    }
  }

  /** Withdraw a declaration of the party's. */
  async withdrawDeclaration(declaration) {
    const ok = await ask({
      title: t("withdraw.title", { id: declaration.label || declaration.id }),
      text: t("withdraw.text"),
      confirm: t("withdraw.confirm"),
    });
    if (ok === null) return;
    try {
      await post(`declarations/${encodeURIComponent(declaration.id)}/withdraw`, undefined);
      this.state.apply({ subject_type: "declaration", data: { ...declaration, withdrawn: true } }, false);
      this.onDone(t("withdraw.done", { id: declaration.label || declaration.id }));
    } catch (err) {
      this.onError(err instanceof ApiError ? `${t(`error.${err.code}`)}: ${err.message}` : String(err));
    }
  }

  // -- the answers ------------------------------------------------------------------------------

  /** A preview's conflicts: listed here and drawn from the draft's place. */
  previewed(conflicts, footprint, draftId) {
    this.showConflicts(conflicts, t("compose.preview_result", { count: conflicts.length }));
    this.situation.showPreview(conflicts, centre(footprint), draftId);
  }

  /** Something was recorded: its conflicts listed; the shape is done with. */
  recorded(conflicts, heading) {
    this.showConflicts(conflicts, heading);
    this.sketch.clear();
  }

  clearResult() {
    clear($("#compose-result"));
    for (const form of Object.values(this.forms)) form.clearError();
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
