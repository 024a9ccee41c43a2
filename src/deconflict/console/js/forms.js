// What the composer's forms (notice, declaration, control measure) have in common: their fields by
// name, checking them (the field marked aria-invalid and the reasons said together), an API error
// put on the field it names, and previewing or sending with the answer's conflicts listed.

import { api, ApiError, newKey, post } from "./api.js";
import { $, clear, h } from "./dom.js";
import { t } from "./i18n.js";

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

/** A band in metres ({lower_m, upper_m}) as the form shows it: {lower, upper, unit}. */
export function bandFields(band) {
  const fits = (metres, step) => Math.abs(metres / step - Math.round(metres / step)) < 0.01;
  const { lower_m: lower, upper_m: upper } = band;
  const show = (metres, step) => (metres === 0 ? "SFC" : String(Math.round(metres / step)));
  if (fits(lower, 30.48) && fits(upper, 30.48) && upper / 30.48 <= 999) return { lower: show(lower, 30.48), upper: show(upper, 30.48), unit: "FL" };
  return { lower: show(lower, 1), upper: show(upper, 1), unit: "m" };
}

/** A select of the party's forces: none said, the party itself, or one of its affiliates. */
export function forcesOptions(select, state) {
  const party = state.parties.get(state.party);
  const chosen = select.value;
  clear(select).append(
    h("option", { value: "", text: t("forces.none") }),
    ...[state.party, ...(party?.affiliates ?? [])].map((f) => h("option", { value: f, text: f === state.party ? state.partyName(f) : f })),
  );
  if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
}

export const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

export class DraftForm {
  /** `prefix`: the form is #<prefix>-form, its fields #<prefix>-<name>, its error #<prefix>-error. */
  constructor(composer, prefix, names) {
    this.composer = composer;
    this.state = composer.state;
    this.sketch = composer.sketch;
    this.prefix = prefix;
    this.form = $(`#${prefix}-form`);
    this.error = $(`#${prefix}-error`);
    this.fields = Object.fromEntries(names.map((name) => [name, $(`#${prefix}-${name}`)]));
    this.key = newKey();
  }

  get enabled() {
    return false;
  }

  /** Empty the form for the next draft (the id is suggested again). */
  reset() {
    this.form.reset();
    this.fields.id.value = "";
    this.fields.id.dataset.edited = "false";
    this.prefilled = false;
    this.clearError();
  }

  /** Start checking a draft: false (and the reason shown) when no shape is drawn yet. */
  beginWithShape() {
    this.begin();
    if (this.sketch.layer) return true;
    this.check(null, false, t("compose.no_shape"));
    this.done();
    return false;
  }

  /** Start checking: no field marked, no reasons yet. */
  begin() {
    this.problems = [];
    for (const el of this.form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    this.clearError();
  }

  check(field, ok, message) {
    if (field) field.toggleAttribute("aria-invalid", !ok);
    if (!ok) this.problems.push(message);
    return ok;
  }

  /** End checking: true when all is well, else the reasons are shown. */
  done() {
    if (!this.problems.length) return true;
    this.showError(this.problems.join(" "));
    return false;
  }

  showError(text) {
    this.error.textContent = text;
    this.error.hidden = false;
  }

  clearError() {
    this.error.textContent = "";
    this.error.hidden = true;
  }

  /** An API error on the field it names (`target` maps the API's names to ours, or to elements). */
  fail(err, target = {}) {
    if (!(err instanceof ApiError)) {
      this.showError(String(err?.message ?? err));
      return;
    }
    const parts = (err.field ?? "").split(".");
    const found = parts.map((part) => target[part] ?? (this.fields[part] ? part : null)).filter(Boolean).at(-1);
    const element = found instanceof Element ? found : this.fields[found];
    element?.setAttribute("aria-invalid", "true");
    this.showError(`${t(`error.${err.code}`)}: ${err.message}`);
  }

  /** POST a preview: its conflicts, or null when this server has no such preview (said plainly). */
  async previewAt(path, body, unavailable) {
    try {
      return (await api(path, { method: "POST", body })).conflicts;
    } catch (err) {
      // A server without the route answers a bare 404 or a 405: say so, plainly.
      if (err instanceof ApiError && ((err.status === 404 && !err.field) || err.status === 405)) this.showError(unavailable);
      else this.fail(err);
      return null;
    }
  }

  /** Check the draft, then preview it at `path`: drawn and listed by the composer. */
  async previewDraft(path, unavailable) {
    const body = this.payload();
    if (!body) return;
    this.composer.clearResult();
    const conflicts = await this.previewAt(path, body, unavailable);
    if (conflicts) this.composer.previewed(conflicts, body.footprint, body.id);
  }

  /** Check the draft, then record it at `path`: the body and the answer, or null. */
  async sendDraft(path, button) {
    const body = this.payload();
    if (!body) return null;
    this.composer.clearResult();
    this.composer.sent.add(body.id);
    const answer = await this.sendTo(path, body, button);
    if (!answer) return null;
    this.composer.onFiled(answer);
    return { body, answer };
  }

  /** POST with this draft's Idempotency-Key (a retried click records once); the answer or null. */
  async sendTo(path, body, button) {
    button.disabled = true;
    try {
      const answer = await post(path, body, this.key);
      this.key = newKey();
      return answer;
    } catch (err) {
      this.fail(err);
      return null;
    } finally {
      button.disabled = false;
    }
  }
}
