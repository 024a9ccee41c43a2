// Declaring a force position, a site or a movement (POST /api/v1/declarations): the shape from the
// map, who the forces are, since when (and until when), and which parties may see where it is.
// Screening uses every declaration; disclosure decides only who is shown its place.

import { clear, h } from "./dom.js";
import { t } from "./i18n.js";
import { DraftForm, forcesOptions, ID_PATTERN } from "./forms.js";
import { clock, dtg, isoUtc, parseTime } from "./time.js";

export class DeclarationForm extends DraftForm {
  constructor(composer, signal) {
    super(composer, "declare", ["id", "kind", "label", "category", "forces", "start", "end"]);
    this.disclosed = new Set(); // parties ticked, kept across a language change
    const f = this.fields;
    const on = (element, event, fn) => element.addEventListener(event, fn, { signal });
    on(this.form, "submit", (e) => {
      e.preventDefault();
      if (e.submitter?.id === "declare-send") this.send();
      else this.preview();
    });
    on(f.kind, "change", () => {
      this.suggestId();
      this.composer.describe();
    });
    on(f.id, "input", () => { f.id.dataset.edited = "true"; });
  }

  get enabled() {
    return this.state.can("declare");
  }

  /** A drawn line is a route: a corridor with a width, or a bare line without. */
  get usesWidth() {
    return true;
  }

  heading() {
    return t("declare.heading");
  }

  opened() {
    if (!this.prefilled) this.prefill();
  }

  prefill() {
    this.prefilled = true;
    this.fields.start.value = dtg(clock.now());
    this.fields.end.value = "";
    const party = this.state.parties.get(this.state.party);
    if (party?.affiliates?.length && !this.fields.forces.value) this.fields.forces.value = party.affiliates[0];
    this.suggestId();
  }

  suggestId() {
    const id = this.fields.id;
    if (id.dataset.edited === "true" && id.value) return;
    const stamp = dtg(clock.now()).slice(0, 6);
    const suffix = Math.random().toString(36).slice(2, 5);
    id.value = `${this.state.party}-${this.fields.kind.value.replaceAll("_", "-")}-${stamp}${suffix}`.slice(0, 64);
  }

  /** The forces and the other parties (checkboxes: disclose to …), in the page's language. */
  relabel() {
    forcesOptions(this.fields.forces, this.state);
    const box = clear(document.getElementById("declare-disclosed-parties"));
    const others = [...this.state.parties.values()].filter((p) => p.id !== this.state.party);
    for (const party of others) {
      const id = `declare-disclose-${party.id}`;
      const input = h("input", { type: "checkbox", id, value: party.id, dataset: { party: party.id } });
      input.checked = this.disclosed.has(party.id);
      input.addEventListener("change", () => {
        if (input.checked) this.disclosed.add(party.id);
        else this.disclosed.delete(party.id);
      });
      box.append(h("div", { class: "check" }, input, " ", h("label", { for: id, text: party.name || party.id })));
    }
    if (!others.length) box.append(h("p", { class: "muted", text: t("declare.no_other_party") }));
  }

  reset() {
    super.reset();
    this.disclosed.clear();
  }

  payload() {
    const f = this.fields;
    const sketch = this.sketch;
    if (!this.beginWithShape()) return null;
    if (f.kind.value === "movement") this.check(null, sketch.kind === "line", t("declare.movement_route"));
    this.check(f.id, ID_PATTERN.test(f.id.value.trim()), t("compose.bad_id"));
    const start = parseTime(f.start.value);
    const end = f.end.value.trim() ? parseTime(f.end.value) : null;
    this.check(f.start, Boolean(start), t("compose.bad_time", { field: t("declare.start") }));
    if (f.end.value.trim()) this.check(f.end, Boolean(end), t("compose.bad_time", { field: t("declare.end") }));
    if (start && end) this.check(f.end, end > start, t("compose.end_before_start"));
    if (!this.done()) return null;
    const body = {
      id: f.id.value.trim(),
      kind: f.kind.value,
      footprint: sketch.footprint(),
      start: isoUtc(start),
      disclosed_to: [...this.disclosed].filter((p) => this.state.parties.has(p)).sort(),
      label: f.label.value.trim(),
      category: f.category.value.trim(),
      forces: f.forces.value,
    };
    if (end) body.end = isoUtc(end);
    return body;
  }

  fail(err) {
    super.fail(err, { disclosed_to: document.getElementById("declare-disclosed-parties"), width_m: this.sketch.width });
  }

  preview() {
    return this.previewDraft("declarations/preview", t("declare.preview_unavailable"));
  }

  async send() {
    const done = await this.sendDraft("declarations", document.getElementById("declare-send"));
    if (!done) return;
    const { body, answer } = done;
    const key = body.disclosed_to.length ? "declare.done_disclosed" : "declare.done_undisclosed";
    const parties = body.disclosed_to.map((p) => this.state.partyName(p)).join(", ");
    this.composer.recorded(answer.conflicts, t(key, { id: body.id, parties, count: answer.conflicts.length }));
    const f = this.fields;
    f.id.dataset.edited = "false";
    f.label.value = "";
    this.disclosed.clear(); // the next one is shown to nobody unless the officer says so
    this.relabel();
    this.suggestId();
  }
}
