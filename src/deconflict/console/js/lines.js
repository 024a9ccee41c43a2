// The lines panel: one tab per line the member is on (air, ground, command); the messages in
// order with their number, sender, kind, time (UTC and DTG) and state; a live countdown to each
// deadline; acknowledge / object / reply on others' messages; amend / cancel on the latest message
// of a notice the party filed; a send box. Controls a role may not use are not shown (the API
// would refuse them with 403).

import { ApiError, post } from "./api.js";
import { clear, h } from "./dom.js";
import { t, term, language } from "./i18n.js";
import { describeMessage } from "./messages.js";
import { awaitsAnswerFrom, messageState } from "./state.js";
import { countdown, dtg, utc } from "./time.js";

const DOMAIN_ORDER = ["air", "ground", "command"];

export class LinesPanel {
  constructor(root, state, { onError = () => {}, actions = {} } = {}) {
    this.root = root;
    this.state = state;
    this.onError = onError;
    this.actions = actions; // {amend(notice), cancel(notice)}
    this.views = new Map();
    this.forms = new Map(); // "line#n" -> {kind: "object" | "reply", text}
    this.alerts = new Set(); // "line#n" highlighted because they just fell overdue or escalated
    this.selected = null;
    this.tablist = h("div", { role: "tablist", class: "tabs", "aria-label": t("lines.tabs") });
    this.panels = h("div", { class: "line-panels" });
    clear(root).append(this.tablist, this.panels);
    this.timer = setInterval(() => this.tick(), 1000);
  }

  destroy() {
    clearInterval(this.timer);
  }

  lineIds() {
    const rank = (line) => (DOMAIN_ORDER.includes(line.domain) ? DOMAIN_ORDER.indexOf(line.domain) : 99);
    return [...this.state.lines.values()]
      .sort((a, b) => rank(a) - rank(b) || a.id.localeCompare(b.id))
      .map((l) => l.id);
  }

  /** Show another state (the live one, or the situation at a past time). */
  show(state) {
    this.state = state;
    this.forms.clear();
    this.renderAll();
  }

  /** Everything again (first load, a new line, another language). */
  renderAll() {
    for (const id of this.lineIds()) {
      if (!this.views.has(id)) this.views.set(id, this.buildView(id));
      const view = this.views.get(id);
      view.items.clear();
      clear(view.list);
      this.renderLine(id);
    }
    this.tablist.setAttribute("aria-label", t("lines.tabs"));
    if (!this.selected || !this.views.has(this.selected)) this.select(this.lineIds()[0] ?? null);
  }

  buildView(id) {
    const tab = h("button", {
      type: "button",
      role: "tab",
      id: `tab-${id}`,
      class: "tab",
      "aria-controls": `panel-${id}`,
      "aria-selected": "false",
      tabindex: "-1",
      dataset: { line: id },
      onclick: () => this.select(id),
      onkeydown: (e) => this.tabKey(e, id),
    });
    const panel = h("section", { role: "tabpanel", id: `panel-${id}`, class: "line-panel", "aria-labelledby": `tab-${id}`, hidden: true });
    const header = h("div", { class: "line-header" });
    const list = h("ol", { class: "messages", "aria-live": "polite", "aria-relevant": "additions" });
    const send = h("div", { class: "send-box" });
    panel.append(header, list, send);
    this.tablist.append(tab);
    this.panels.append(panel);
    return { tab, panel, header, list, send, items: new Map() };
  }

  tabKey(event, id) {
    const ids = this.lineIds();
    const i = ids.indexOf(id);
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: ids.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const target = ids[(next + ids.length) % ids.length];
    this.select(target);
    this.views.get(target).tab.focus();
  }

  select(id) {
    this.selected = id;
    for (const [lineId, view] of this.views) {
      const on = lineId === id;
      view.tab.setAttribute("aria-selected", String(on));
      view.tab.tabIndex = on ? 0 : -1;
      view.panel.hidden = !on;
      if (on) {
        view.tab.classList.remove("has-alert");
        view.list.scrollTop = view.list.scrollHeight;
      }
    }
  }

  /** One line's tab, header, messages and send box, keyed: unchanged messages are left alone. */
  renderLine(id) {
    const line = this.state.lines.get(id);
    if (!line) return;
    if (!this.views.has(id)) {
      this.views.set(id, this.buildView(id));
      if (!this.selected) this.select(id);
    }
    const view = this.views.get(id);
    const messages = this.state.lineMessages(id);
    const waiting = messages.filter((m) => awaitsAnswerFrom(m, this.state.party) && !m.overdue_at && messageState(m, this.state.now()) !== "overdue").length;
    const overdue = messages.filter((m) => awaitsAnswerFrom(m, this.state.party) && messageState(m, this.state.now()) === "overdue").length;
    const unacknowledged = waiting + overdue;
    clear(view.tab).append(
      h("span", { class: "tab-name", text: term("domain", line.domain) }),
      h("span", { class: "tab-id visually-hidden", text: line.id }),
      h("span", {
        class: `badge${unacknowledged ? "" : " zero"}${overdue ? " overdue" : ""}`,
        text: String(unacknowledged),
        title: t("lines.unacknowledged", { count: unacknowledged }),
        "aria-label": t("lines.unacknowledged", { count: unacknowledged }),
      }),
    );
    this.renderHeader(view, line);
    const nearBottom = view.list.scrollHeight - view.list.scrollTop - view.list.clientHeight < 60;
    let added = false;
    for (const message of messages) {
      const key = `${message.line}#${message.number}`;
      const notice = message.notice ? this.state.notices.get(message.notice) : null;
      const standing = notice ? [notice.status, notice.version, notice.message_number] : null;
      const signature = JSON.stringify([message, language(), this.forms.get(key) ?? null, this.alerts.has(key), messageState(message, this.state.now()), standing]);
      const existing = view.items.get(message.number);
      if (existing && existing.dataset.signature === signature) continue;
      const hadFocus = existing?.contains(document.activeElement) ? document.activeElement.dataset.role : null;
      const item = this.renderMessage(message);
      item.dataset.signature = signature;
      if (existing) existing.replaceWith(item);
      else {
        const after = [...view.items.keys()].filter((n) => n > message.number).sort((a, b) => a - b)[0];
        if (after !== undefined) view.items.get(after).before(item);
        else view.list.append(item);
        added = true;
      }
      view.items.set(message.number, item);
      if (hadFocus) item.querySelector(`[data-role="${hadFocus}"]`)?.focus();
    }
    if (added && (nearBottom || id !== this.selected)) view.list.scrollTop = view.list.scrollHeight;
    const mode = `${language()}|${this.state.past}`;
    if (!view.send.firstChild || view.send.dataset.mode !== mode) this.renderSendBox(view, line, mode);
  }

  renderHeader(view, line) {
    const controls = [];
    if (this.state.can("command")) {
      const suspended = line.status === "suspended";
      controls.push(
        h("button", {
          type: "button",
          class: "secondary",
          text: t(suspended ? "line.resume" : "line.suspend"),
          onclick: () => this.run(`lines/${encodeURIComponent(line.id)}/${suspended ? "resume" : "suspend"}`, {}),
        }),
      );
    }
    clear(view.header).append(
      h("div", { class: "line-title" },
        h("strong", { text: `${term("domain", line.domain)} — ${line.id}` }),
        h("span", { class: `line-status status-${line.status}`, text: term("line_status", line.status) }),
        h("span", { class: "muted", text: t("line.deadline", { minutes: Math.round(line.ack_deadline / 60) }) }),
        h("span", { class: "muted", text: line.parties.map((p) => this.state.partyName(p)).join(" ↔ ") }),
      ),
      ...controls,
    );
  }

  renderMessage(m) {
    const state = this.state;
    const mine = m.party === state.party;
    const now = this.state.now();
    const status = messageState(m, now);
    const key = `${m.line}#${m.number}`;
    const { title, detail, quote } = describeMessage(m, state);
    const classes = ["msg", `kind-${m.kind}`, mine ? "own" : "theirs"];
    if (status) classes.push(`state-${status}`);
    if (this.alerts.has(key)) classes.push("alert-flash");
    const head = h("div", { class: "msg-head" },
      h("span", { class: "msg-number", text: `#${m.number}` }),
      h("span", { class: "msg-party", text: state.partyName(m.party) }),
      h("span", { class: "msg-kind", text: term("kind", m.kind) }),
      h("time", { datetime: m.sent_at, title: utc(m.sent_at) }, `${utc(m.sent_at)} · ${dtg(m.sent_at)}`),
      status ? h("span", { class: `msg-state state-${status}`, text: term("state", status) }) : null,
      m.on_suspended_line ? h("span", { class: "msg-flag", text: t("msg.on_suspended_line") }) : null,
    );
    const acks = m.acknowledgements.map((a) =>
      h("li", { class: `ack answer-${a.answer}` },
        t(`ack.${a.answer}`, { party: state.partyName(a.party), time: dtg(a.at), number: a.number }),
        a.reason ? h("q", { text: a.reason }) : null,
      ),
    );
    let due = null;
    if (status === "unanswered" || (status === "acknowledged" && !m.settled)) {
      due = h("span", { class: "countdown", dataset: { deadline: m.deadline } });
      this.updateCountdown(due, now);
    } else if (status === "overdue") {
      due = h("span", { class: "overdue-note", text: t("msg.overdue_since", { time: dtg(m.overdue_at ?? m.deadline) }) });
    }
    return h("li", { class: classes.join(" "), id: `msg-${m.line}-${m.number}`, dataset: { number: m.number, kind: m.kind } },
      head,
      h("div", { class: "msg-title", text: title }),
      detail ? h("div", { class: "msg-detail", text: detail }) : null,
      quote ? h("blockquote", { class: "msg-quote", text: quote }) : null,
      acks.length ? h("ul", { class: "acks" }, acks) : null,
      due,
      this.renderActions(m, key),
    );
  }

  /** Amend and cancel on the message that carries the current version of the party's notice. */
  renderOwnActions(m) {
    const state = this.state;
    const notice = m.notice ? state.notices.get(m.notice) : null;
    if (
      !notice || !["notice", "amendment"].includes(m.kind) || notice.party !== state.party ||
      notice.status !== "active" || notice.message_number !== m.number || !state.can("notify") || !this.actions.amend
    ) return null;
    return h("div", { class: "msg-actions" },
      h("button", { type: "button", class: "secondary", dataset: { role: "amend" }, text: t("notice.amend"), "aria-label": t("notice.amend_n", { id: notice.id }), onclick: () => this.actions.amend(notice) }),
      h("button", { type: "button", class: "danger", dataset: { role: "cancel-notice" }, text: t("notice.cancel"), "aria-label": t("notice.cancel_n", { id: notice.id }), onclick: () => this.actions.cancel(notice) }),
    );
  }

  renderActions(m, key) {
    const state = this.state;
    if (m.party === state.party) return this.renderOwnActions(m);
    if (!awaitsAnswerFrom(m, state.party) || !state.can("acknowledge")) return null;
    const base = `lines/${encodeURIComponent(m.line)}/messages/${m.number}`;
    const form = this.forms.get(key);
    if (form) {
      const objecting = form.kind === "object";
      const id = `form-${m.line}-${m.number}`;
      const text = h("textarea", {
        id,
        rows: 2,
        required: true,
        maxlength: 2000,
        dataset: { role: "form-text" },
        oninput: (e) => { form.text = e.target.value; },
      });
      text.value = form.text;
      const submit = async (e) => {
        e.preventDefault();
        const value = text.value.trim();
        if (!value) {
          text.setAttribute("aria-invalid", "true");
          text.focus();
          return;
        }
        const ok = objecting
          ? await this.run(`${base}/acknowledge`, { answer: "objection", reason: value })
          : await this.run(`lines/${encodeURIComponent(m.line)}/messages`, { kind: "reply", text: value, refers_to: m.number });
        if (ok) {
          this.forms.delete(key);
          this.renderLine(m.line);
        }
      };
      return h("form", { class: "msg-form", onsubmit: submit },
        h("label", { for: id, text: t(objecting ? "msg.objection_reason" : "msg.reply_text", { number: m.number }) }),
        text,
        h("div", { class: "buttons" },
          h("button", { type: "submit", dataset: { role: "form-submit" }, text: t(objecting ? "msg.send_objection" : "msg.send_reply") }),
          h("button", { type: "button", class: "secondary", dataset: { role: "form-cancel" }, text: t("common.cancel"), onclick: () => { this.forms.delete(key); this.renderLine(m.line); } }),
        ),
      );
    }
    const open = (kind) => () => {
      this.forms.set(key, { kind, text: "" });
      this.renderLine(m.line);
      document.getElementById(`form-${m.line}-${m.number}`)?.focus();
    };
    const actions = [
      h("button", { type: "button", dataset: { role: "ack" }, text: t("msg.acknowledge"), "aria-label": t("msg.acknowledge_n", { number: m.number }), onclick: () => this.run(`${base}/acknowledge`, { answer: "received" }) }),
    ];
    if (["notice", "amendment"].includes(m.kind)) {
      actions.push(h("button", { type: "button", dataset: { role: "no-objection" }, text: t("msg.no_objection"), "aria-label": t("msg.no_objection_n", { number: m.number }), onclick: () => this.run(`${base}/acknowledge`, { answer: "no_objection" }) }));
    }
    actions.push(h("button", { type: "button", class: "danger", dataset: { role: "object" }, text: t("msg.object"), "aria-label": t("msg.object_n", { number: m.number }), onclick: open("object") }));
    if (state.can("send")) {
      actions.push(h("button", { type: "button", class: "secondary", dataset: { role: "reply" }, text: t("msg.reply_button"), "aria-label": t("msg.reply_n", { number: m.number }), onclick: open("reply") }));
    }
    return h("div", { class: "msg-actions" }, actions);
  }

  renderSendBox(view, line, mode) {
    const state = this.state;
    clear(view.send);
    view.send.dataset.mode = mode;
    if (state.past) {
      view.send.append(h("p", { class: "muted", text: t("timeline.read_only") }));
      return;
    }
    if (!state.can("send")) {
      view.send.append(h("p", { class: "muted", text: t("send.read_only") }));
      return;
    }
    const kinds = ["text", "query", "stop_request"];
    if (state.can("command") && line.domain === "command") kinds.push("warning");
    const ids = { kind: `send-kind-${line.id}`, ref: `send-ref-${line.id}`, text: `send-text-${line.id}` };
    const kind = h("select", { id: ids.kind }, kinds.map((k) => h("option", { value: k, text: term("kind", k) })));
    const ref = h("input", { id: ids.ref, type: "number", min: 1, step: 1, inputmode: "numeric", class: "ref" });
    const text = h("textarea", { id: ids.text, rows: 2, maxlength: 2000, required: true });
    const error = h("p", { class: "form-error", role: "alert", hidden: true });
    const submit = async (e) => {
      e.preventDefault();
      error.hidden = true;
      const body = { kind: kind.value, text: text.value.trim() };
      if (!body.text) {
        text.setAttribute("aria-invalid", "true");
        text.focus();
        return;
      }
      text.removeAttribute("aria-invalid");
      if (ref.value) {
        body.refers_to = Number(ref.value);
        const referred = state.messages.get(line.id)?.get(body.refers_to);
        if (referred?.notice && body.kind === "stop_request") body.notice = referred.notice;
      }
      const ok = await this.run(`lines/${encodeURIComponent(line.id)}/messages`, body, error);
      if (ok) {
        text.value = "";
        ref.value = "";
        text.focus();
      }
    };
    text.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) submit(e);
    });
    view.send.append(
      h("form", { class: "send-form", onsubmit: submit, "aria-label": t("send.form", { line: line.id }) },
        h("div", { class: "row" },
          h("label", { for: ids.kind, text: t("send.kind") }), kind,
          h("label", { for: ids.ref, text: t("send.refers_to") }), ref,
        ),
        h("label", { for: ids.text, text: t("send.text") }),
        text,
        h("div", { class: "buttons" }, h("button", { type: "submit", class: "send-button", text: t("send.send") })),
        error,
      ),
    );
  }

  /** Send to the API; errors shown in `error` (or reported); true when it was recorded. */
  async run(path, body, error = null) {
    try {
      await post(path, body);
      return true;
    } catch (err) {
      const text = err instanceof ApiError ? `${t(`error.${err.code}`)}${err.message ? `: ${err.message}` : ""}` : String(err);
      if (error) {
        error.textContent = text;
        error.hidden = false;
      } else this.onError(text);
      return false;
    }
  }

  /** A message fell overdue or was escalated: highlight it at once, and its tab. */
  highlight(lineId, number) {
    const key = `${lineId}#${number}`;
    this.alerts.add(key);
    setTimeout(() => {
      this.alerts.delete(key);
      this.renderLine(lineId);
    }, 15000);
    this.renderLine(lineId);
    const view = this.views.get(lineId);
    if (view && lineId !== this.selected) view.tab.classList.add("has-alert");
  }

  updateCountdown(el, now) {
    const left = Date.parse(el.dataset.deadline) - now.getTime();
    el.textContent = left > 0 ? t("msg.due_in", { time: countdown(left) }) : t("msg.due_passed");
    el.classList.toggle("soon", left > 0 && left < 5 * 60000);
  }

  tick() {
    const now = this.state.now();
    for (const [id, view] of this.views) {
      let expired = false;
      for (const el of view.list.querySelectorAll(".countdown")) {
        this.updateCountdown(el, now);
        if (Date.parse(el.dataset.deadline) <= now.getTime()) expired = true;
      }
      if (expired) this.renderLine(id);
    }
  }
}
