// Structured messages in the reader's language, whatever the sender's: a message's kind and
// fields make its text here; what the sender typed (remarks, reasons, free text) is shown apart,
// as written. Conflicts and the overdue/escalation events render the same way.

import { t, term, formatDistance } from "./i18n.js";
import { dtg } from "./time.js";

/** The escalation's text is recorded in one language: "<kind> <line>#<n> from <party> unanswered by <parties>". */
export function parseEscalation(text) {
  const m = /^(\S+) (\S+)#(\d+) from (\S+) unanswered by (.+)$/.exec(text ?? "");
  return m ? { kind: m[1], line: m[2], number: Number(m[3]), party: m[4], awaiting: m[5].split(/,\s*/) } : null;
}

function window_(w) {
  return w ? t("window.range", { start: dtg(w.start), end: dtg(w.end) }) : "";
}

function band(b) {
  return b ? t("band.range", { lower: Math.round(b.lower_m), upper: Math.round(b.upper_m) }) : "";
}

/** A notice in one line: its kind, window and altitude band. */
export function noticeSummary(notice) {
  if (!notice) return "";
  const start = notice.volumes.map((v) => v.window.start).sort()[0];
  const end = notice.volumes.map((v) => v.window.end).sort().at(-1);
  const bands = notice.volumes.map((v) => v.band);
  const lower = Math.min(...bands.map((b) => b.lower_m));
  const upper = Math.max(...bands.map((b) => b.upper_m));
  return [term("notice", notice.kind), window_({ start, end }), band({ lower_m: lower, upper_m: upper })]
    .filter(Boolean)
    .join(" · ");
}

/**
 * {title, detail, quote} for a message: title and detail in the reader's language, quote the
 * sender's own words (or "").
 */
export function describeMessage(message, state) {
  const party = (p) => state.partyName(p);
  const notice = message.notice ? state.notices.get(message.notice) : null;
  const ref = message.refers_to;
  switch (message.kind) {
    case "notice":
      return {
        title: t("msg.notice", { id: message.notice }),
        detail: noticeSummary(notice),
        quote: message.text,
      };
    case "amendment":
      return { title: t("msg.amendment", { id: message.notice }), detail: noticeSummary(notice), quote: message.text };
    case "cancellation":
      return { title: t("msg.cancellation", { id: message.notice }), detail: "", quote: message.text };
    case "acknowledgement": {
      const key = { received: "msg.ack.received", no_objection: "msg.ack.no_objection", objection: "msg.ack.objection" }[message.answer] ?? "msg.ack.received";
      return { title: t(key, { number: ref }), detail: message.notice ? t("msg.about_notice", { id: message.notice }) : "", quote: message.text };
    }
    case "query":
      return { title: t("msg.query"), detail: incidentRef(message), quote: message.text };
    case "reply":
      return { title: t("msg.reply", { number: ref }), detail: incidentRef(message), quote: message.text };
    case "stop_request":
      return {
        title: t("msg.stop_request"),
        detail: [message.notice ? t("msg.about_notice", { id: message.notice }) : "", ref ? t("msg.ref", { number: ref }) : ""].filter(Boolean).join(" · "),
        quote: message.text,
      };
    case "warning":
      return { title: t("msg.warning"), detail: incidentRef(message), quote: message.text };
    case "escalation": {
      const e = parseEscalation(message.text);
      if (!e) return { title: t("msg.escalation"), detail: "", quote: message.text };
      return {
        title: t("msg.escalation"),
        detail: t("msg.escalation.detail", {
          kind: term("kind", e.kind),
          line: e.line,
          number: e.number,
          party: party(e.party),
          awaiting: e.awaiting.map(party).join(", "),
        }),
        quote: "",
      };
    }
    default:
      return { title: t("msg.text"), detail: incidentRef(message), quote: message.text };
  }
}

function incidentRef(message) {
  return message.incident ? t("msg.about_incident", { id: message.incident }) : "";
}

/** The line "Overdue: no answer from X to #7 by 201530ZSEP17". */
export function describeOverdue(message, state) {
  const answered = new Set(message.acknowledgements.map((a) => a.party));
  const line = state.lines.get(message.line);
  const awaiting = (line?.parties ?? []).filter((p) => p !== message.party && !answered.has(p));
  return t("msg.overdue.detail", {
    line: message.line,
    number: message.number,
    kind: term("kind", message.kind),
    awaiting: awaiting.map((p) => state.partyName(p)).join(", ") || "—",
    deadline: dtg(message.deadline),
  });
}

function objectName(ref, state) {
  const kind = term("object", ref.kind);
  if (!ref.id) return t("conflict.undisclosed", { kind, party: state.partyName(ref.party) });
  // Measures and rules belong to an arrangement, not a party: name them alone.
  if (!state.parties.has(ref.party)) return t("conflict.object_of_arrangement", { kind, id: ref.id });
  return t("conflict.object", { kind, id: ref.id, party: state.partyName(ref.party) });
}

/** {title, detail} for a conflict as the reader may see it. */
export function describeConflict(conflict, state) {
  const title = t("conflict.title", {
    severity: term("severity", conflict.severity),
    rule: term("rule", conflict.rule),
  });
  const parts = [
    t("conflict.between", { subject: objectName(conflict.subject, state), other: objectName(conflict.other, state) }),
  ];
  if (conflict.distance_m === 0) {
    parts.push(t("conflict.overlap"));
  } else if (conflict.distance_m !== null && conflict.distance_m !== undefined) {
    parts.push(t("conflict.distance", { distance: formatDistance(conflict.distance_m) }));
  } else if (conflict.distance_band) {
    parts.push(t("conflict.distance_band", { band: term("distance", conflict.distance_band) }));
  }
  if (conflict.window) parts.push(window_(conflict.window));
  if (conflict.band) parts.push(band(conflict.band));
  if (!conflict.active) parts.push(t("conflict.cleared"));
  return { title, detail: parts.join(" · ") };
}
