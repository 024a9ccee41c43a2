// Recording a control measure of one of the party's arrangements (POST /api/v1/measures): a
// deconfliction line (a drawn line; the side each party keeps to, how far it reaches, which kinds
// of notice may cross it after notice) or a zone (a polygon, circle or corridor with a rule, an
// optional altitude band, the owner it does not bind, the parties it binds).

import { $, clear, h } from "./dom.js";
import { t, term } from "./i18n.js";
import { altitude, DraftForm, ID_PATTERN } from "./forms.js";
import { clock, dtg, isoUtc, parseTime } from "./time.js";

const NOTICE_KINDS = ["air_strike", "air_transit", "isr", "ground_movement", "river_crossing", "indirect_fire", "humanitarian_movement"];

export class MeasureForm extends DraftForm {
  constructor(composer, signal) {
    super(composer, "measure", ["id", "arrangement", "kind", "name", "start", "end", "reach", "rule", "lower", "upper", "unit", "owner", "lead"]);
    this.picked = { sides: new Map(), crossing: new Set(), applies: new Set() }; // kept across a relabel
    const f = this.fields;
    const on = (element, event, fn) => element.addEventListener(event, fn, { signal });
    on(this.form, "submit", (e) => {
      e.preventDefault();
      if (e.submitter?.id === "measure-send") this.send();
      else this.preview();
    });
    on(f.kind, "change", () => {
      this.suggestId();
      this.toggle();
      this.composer.describe();
    });
    on(f.rule, "change", () => this.toggle());
    on(f.arrangement, "change", () => this.parties());
    on(f.id, "input", () => { f.id.dataset.edited = "true"; });
  }

  get enabled() {
    return this.state.can("measure") && this.state.arrangements.size > 0;
  }

  get line() {
    return this.fields.kind.value === "deconfliction_line";
  }

  /** A deconfliction line is a line: a width would make it a corridor. */
  get plainLine() {
    return this.line;
  }

  get usesWidth() {
    return !this.line;
  }

  heading() {
    return t("measure.heading");
  }

  opened() {
    if (!this.prefilled) this.prefill();
    this.toggle();
  }

  prefill() {
    this.prefilled = true;
    this.fields.start.value = dtg(clock.now());
    this.fields.end.value = "";
    this.suggestId();
  }

  suggestId() {
    const id = this.fields.id;
    if (id.dataset.edited === "true" && id.value) return;
    const stamp = dtg(clock.now()).slice(0, 6);
    const suffix = Math.random().toString(36).slice(2, 5);
    const kind = this.line ? "line" : "zone";
    id.value = `${this.fields.arrangement.value || "measure"}-${kind}-${stamp}${suffix}`.slice(0, 64);
  }

  /** The fields of a line or of a zone; the lead time only for a notify-before-entry zone. */
  toggle() {
    $("#measure-line-fields").hidden = !this.line;
    $("#measure-zone-fields").hidden = this.line;
    $("#measure-lead-row").hidden = this.line || this.fields.rule.value !== "notify_before_entry";
  }

  relabel() {
    const select = this.fields.arrangement;
    const chosen = select.value;
    clear(select).append(...[...this.state.arrangements.values()].map((a) => h("option", { value: a.id, text: a.id })));
    if (chosen && this.state.arrangements.has(chosen)) select.value = chosen;
    const crossing = clear($("#measure-crossing"));
    for (const kind of NOTICE_KINDS) crossing.append(this.checkbox(`measure-cross-${kind}`, kind, term("notice", kind), this.picked.crossing));
    this.parties();
  }

  checkbox(id, value, text, set) {
    const input = h("input", { type: "checkbox", id, value });
    input.checked = set.has(value);
    input.addEventListener("change", () => (input.checked ? set.add(value) : set.delete(value)));
    return h("div", { class: "check" }, input, " ", h("label", { for: id, text }));
  }

  /** The chosen arrangement's parties: a side each (a line), owner and bound parties (a zone). */
  partiesOf() {
    return this.state.arrangements.get(this.fields.arrangement.value)?.parties ?? [];
  }

  parties() {
    const parties = this.partiesOf();
    const sides = clear($("#measure-sides"));
    for (const party of parties) {
      const id = `measure-side-${party}`;
      const select = h("select", { id, dataset: { party } },
        ["", "left", "right"].map((side) => h("option", { value: side, text: t(`measure.side.${side || "none"}`) })),
      );
      select.value = this.picked.sides.get(party) ?? "";
      select.addEventListener("change", () => this.picked.sides.set(party, select.value));
      sides.append(h("label", { for: id, text: t("measure.side_of", { party: this.state.partyName(party) }) }), select);
    }
    const owner = this.fields.owner;
    const chosen = owner.value;
    clear(owner).append(
      h("option", { value: "", text: t("measure.owner_none") }),
      ...parties.map((p) => h("option", { value: p, text: this.state.partyName(p) })),
    );
    if (parties.includes(chosen)) owner.value = chosen;
    const applies = clear($("#measure-applies"));
    for (const party of parties) applies.append(this.checkbox(`measure-applies-${party}`, party, this.state.partyName(party), this.picked.applies));
    this.suggestId();
  }

  reset() {
    super.reset();
    this.picked.sides.clear();
    this.picked.crossing.clear();
    this.picked.applies.clear();
  }

  payload() {
    const f = this.fields;
    const sketch = this.sketch;
    if (!this.beginWithShape()) return null;
    this.check(f.id, ID_PATTERN.test(f.id.value.trim()), t("compose.bad_id"));
    this.check(f.name, Boolean(f.name.value.trim()), t("measure.bad_name"));
    const start = parseTime(f.start.value);
    const end = f.end.value.trim() ? parseTime(f.end.value) : null;
    this.check(f.start, Boolean(start), t("compose.bad_time", { field: t("measure.start") }));
    if (f.end.value.trim()) this.check(f.end, Boolean(end), t("compose.bad_time", { field: t("measure.end") }));
    if (start && end) this.check(f.end, end > start, t("compose.end_before_start"));
    const parties = this.partiesOf();
    const body = {
      id: f.id.value.trim(),
      arrangement: f.arrangement.value,
      kind: f.kind.value,
      name: f.name.value.trim(),
      footprint: sketch.footprint({ plainLine: this.line }),
    };
    if (this.line) {
      this.check(null, sketch.kind === "line", t("measure.line_needs_line"));
      const sides = Object.fromEntries(parties.map((p) => [p, this.picked.sides.get(p)]).filter(([, side]) => side));
      this.check($("#measure-sides"), Object.keys(sides).length > 0, t("measure.bad_sides"));
      const reach = Number(f.reach.value);
      this.check(f.reach, reach > 0, t("measure.bad_reach"));
      Object.assign(body, { sides, reach_m: reach, crossing_kinds: NOTICE_KINDS.filter((k) => this.picked.crossing.has(k)) });
    } else {
      this.check(null, sketch.kind !== "point" && (sketch.kind !== "line" || sketch.corridor), t("measure.zone_needs_area"));
      body.rule = f.rule.value;
      const banded = f.lower.value.trim() || f.upper.value.trim();
      if (banded) {
        const lower = altitude(f.lower.value, f.unit.value);
        const upper = altitude(f.upper.value, f.unit.value);
        this.check(f.lower, lower !== null, t("compose.bad_altitude", { field: t("compose.lower") }));
        this.check(f.upper, upper !== null, t("compose.bad_altitude", { field: t("compose.upper") }));
        Object.assign(body, { lower, upper });
      }
      if (f.owner.value) body.owner = f.owner.value;
      const applies = parties.filter((p) => this.picked.applies.has(p));
      if (applies.length) body.applies_to = applies;
      if (body.rule === "notify_before_entry") {
        const lead = Number(f.lead.value);
        this.check(f.lead, f.lead.value.trim() !== "" && lead >= 0, t("measure.bad_lead"));
        body.notify_lead_min = lead;
      }
    }
    if (!this.done()) return null;
    body.start = isoUtc(start);
    if (end) body.end = isoUtc(end);
    return body;
  }

  fail(err) {
    super.fail(err, { sides: $("#measure-sides"), reach_m: "reach", notify_lead_min: "lead", applies_to: $("#measure-applies"), width_m: this.sketch.width });
  }

  preview() {
    return this.previewDraft("measures/preview", t("measure.preview_unavailable"));
  }

  async send() {
    const done = await this.sendDraft("measures", $("#measure-send"));
    if (!done) return;
    const { body, answer } = done;
    this.composer.recorded(answer.conflicts, t("measure.done", { id: body.id, count: answer.conflicts.length }));
    const f = this.fields;
    f.id.dataset.edited = "false";
    f.name.value = "";
    this.suggestId();
  }
}
