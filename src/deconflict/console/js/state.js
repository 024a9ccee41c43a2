// What the signed-in member may see, as the API gives it: loaded once, then kept current by the
// stream's events (each carries the full new state of one object; conflicts as views).

import { api } from "./api.js";
import { clock } from "./time.js";

/** What each role may do (domain/parties.py); the API refuses the rest with 403. */
const ROLE_RIGHTS = {
  admin: ["administer"],
  commander: ["send", "acknowledge", "notify", "declare", "command", "measure"],
  officer: ["send", "acknowledge", "notify", "declare", "measure"],
  viewer: [],
};

export class State extends EventTarget {
  constructor(member) {
    super();
    this.member = member;
    this.party = member.party;
    this.parties = new Map();
    this.lines = new Map();
    this.messages = new Map(); // line id -> Map(number -> message)
    this.notices = new Map();
    this.declarations = new Map();
    this.measures = new Map();
    this.conflicts = new Map();
    this.incidents = new Map();
    this.arrangements = new Map();
  }

  can(right) {
    return (ROLE_RIGHTS[this.member.role] ?? []).includes(right);
  }

  /** The time the state stands at: the server's now. */
  now() {
    return clock.now();
  }

  get past() {
    return false;
  }

  async load() {
    const [parties, arrangements, lines, notices, declarations, measures, conflicts, incidents] =
      await Promise.all(
        ["parties", "arrangements", "lines", "notices", "declarations", "measures", "conflicts", "incidents"].map(
          (path) => api(path),
        ),
      );
    const keep = (map, items, key = (x) => x.id) => {
      map.clear();
      for (const item of items) map.set(key(item), item);
    };
    keep(this.parties, parties);
    keep(this.arrangements, arrangements);
    keep(this.lines, lines);
    keep(this.notices, notices);
    keep(this.declarations, declarations);
    keep(this.measures, measures);
    keep(this.conflicts, conflicts);
    keep(this.incidents, incidents);
    const pages = await Promise.all(lines.map((line) => api(`lines/${encodeURIComponent(line.id)}/messages`)));
    this.messages.clear();
    lines.forEach((line, i) => this.messages.set(line.id, new Map(pages[i].map((m) => [m.number, m]))));
    this.changed({ reload: true });
  }

  /** One stream item ({seq, kind, at, subject_type, subject_id, data}) into the state. */
  apply(item, live = true) {
    const data = item.data;
    switch (item.subject_type) {
      case "message": {
        if (!this.messages.has(data.line)) this.messages.set(data.line, new Map());
        this.messages.get(data.line).set(data.number, data);
        const line = this.lines.get(data.line);
        if (line && data.number > line.last_number) line.last_number = data.number;
        break;
      }
      case "line":
        this.lines.set(data.id, data);
        if (!this.messages.has(data.id)) this.messages.set(data.id, new Map());
        break;
      case "notice":
        this.notices.set(data.id, data);
        break;
      case "declaration":
        this.declarations.set(data.id, data);
        break;
      case "measure":
        this.measures.set(data.id, data);
        break;
      case "conflict":
        this.conflicts.set(data.id, data);
        break;
      case "incident":
        this.incidents.set(data.id, data);
        break;
      case "party":
        this.parties.set(data.id, data);
        break;
      case "arrangement":
        this.arrangements.set(data.id, data);
        break;
      default:
        return;
    }
    this.changed({ item, live });
  }

  changed(detail) {
    this.dispatchEvent(new CustomEvent("change", { detail }));
  }

  partyName(id) {
    return this.parties.get(id)?.name ?? id;
  }

  /** The line's messages, in order. */
  lineMessages(lineId) {
    return [...(this.messages.get(lineId)?.values() ?? [])].sort((a, b) => a.number - b.number);
  }
}

/**
 * The situation as the party could read it at a past time (GET /api/v1/situation?at=…), shown
 * read-only: nothing can be sent from the past.
 */
export class PastState extends State {
  constructor(live, answer) {
    super(live.member);
    this.at = new Date(answer.at);
    this.seq = answer.seq;
    for (const name of ["parties", "lines", "arrangements"]) this[name] = live[name];
    for (const n of answer.notices) this.notices.set(n.id, n);
    for (const d of answer.declarations) this.declarations.set(d.id, d);
    for (const m of answer.measures) this.measures.set(m.id, m);
    for (const c of answer.conflicts) this.conflicts.set(c.id, c);
    for (const i of live.incidents.values()) if (Date.parse(i.reported_at) <= this.at.getTime()) this.incidents.set(i.id, i);
    for (const line of live.lines.keys()) this.messages.set(line, new Map());
    for (const m of answer.messages) {
      if (!this.messages.has(m.line)) this.messages.set(m.line, new Map());
      this.messages.get(m.line).set(m.number, m);
    }
  }

  can() {
    return false;
  }

  now() {
    return this.at;
  }

  get past() {
    return true;
  }
}

/**
 * Where a message stands for the reader: "acknowledged", "objected", "overdue", "unanswered",
 * or null for messages that need no answer (acknowledgements, replies).
 */
export function messageState(message, now = new Date()) {
  if (!message.deadline) return null;
  if (message.acknowledgements.some((a) => a.answer === "objection")) return "objected";
  if (message.settled) return "acknowledged";
  if (message.overdue_at || Date.parse(message.deadline) <= now.getTime()) return "overdue";
  if (message.acknowledgements.length) return "acknowledged";
  return "unanswered";
}

/** True when the message waits for an answer from `party`. */
export function awaitsAnswerFrom(message, party) {
  return (
    Boolean(message.deadline) &&
    message.party !== party &&
    !message.acknowledgements.some((a) => a.party === party)
  );
}
