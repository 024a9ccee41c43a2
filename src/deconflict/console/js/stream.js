// The member's live stream (GET /api/v1/stream): Server-Sent Events that need the Authorization
// header, so read with fetch() and a ReadableStream rather than EventSource. Keeps the last
// event id; after a drop reconnects with Last-Event-ID (backoff), so nothing is lost or repeated.

/** A parser for the text/event-stream format: feed() it text, it calls onEvent per event. */
export function sseParser(onEvent) {
  let buffer = "";
  let data = [];
  let event = "";
  let id = null;

  function line(text) {
    if (text === "") {
      if (data.length) onEvent({ id, event: event || "message", data: data.join("\n") });
      data = [];
      event = "";
      return;
    }
    if (text.startsWith(":")) return; // a comment: the greeting or a keep-alive
    const colon = text.indexOf(":");
    const name = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (name === "data") data.push(value);
    else if (name === "event") event = value;
    else if (name === "id" && !value.includes("\0")) id = value;
  }

  return function feed(chunk) {
    buffer += chunk;
    for (;;) {
      const m = /\r\n|\n|\r/.exec(buffer);
      if (!m) break;
      if (m[0] === "\r" && m.index === buffer.length - 1) break; // maybe \r\n split across chunks
      line(buffer.slice(0, m.index));
      buffer = buffer.slice(m.index + m[0].length);
    }
  };
}

const sleep = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
  });

/**
 * new LiveStream({after, token, onEvent, onStatus, onUnauthorized}).start()
 * onStatus(state, detail): "connecting" | "live" | "retrying" (detail: seconds) | "stopped".
 */
export class LiveStream {
  constructor({ after = 0, token, onEvent, onStatus = () => {}, onUnauthorized = () => {}, silenceMs = 45000 }) {
    this.lastId = after;
    this.token = token;
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.onUnauthorized = onUnauthorized;
    this.silenceMs = silenceMs; // the server sends a keep-alive every 15 s
    this.stopped = false;
    this.stopping = new AbortController();
  }

  start() {
    this._run();
    return this;
  }

  stop() {
    this.stopped = true;
    this.stopping.abort();
    this.request?.abort();
    this.onStatus("stopped");
  }

  /** Drop the connection now (tests, or after the network came back) and reconnect. */
  reconnect() {
    this.request?.abort();
  }

  async _run() {
    let delay = 1000;
    while (!this.stopped) {
      this.request = new AbortController();
      try {
        this.onStatus("connecting");
        const res = await fetch("/api/v1/stream", {
          headers: {
            Accept: "text/event-stream",
            Authorization: `Bearer ${this.token}`,
            "Last-Event-ID": String(this.lastId),
          },
          cache: "no-store",
          credentials: "omit",
          signal: this.request.signal,
        });
        if (res.status === 401) {
          this.stopped = true;
          this.onStatus("stopped");
          this.onUnauthorized();
          return;
        }
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        this.onStatus("live");
        delay = 1000;
        await this._read(res.body);
      } catch (err) {
        if (this.stopped) return;
        if (err?.name !== "AbortError") console.warn("stream dropped:", err?.message ?? err);
      }
      if (this.stopped) return;
      const wait = Math.round(delay * (0.75 + Math.random() * 0.5));
      this.onStatus("retrying", Math.ceil(wait / 1000));
      await sleep(wait, this.stopping.signal);
      delay = Math.min(delay * 2, 30000);
    }
  }

  async _read(body) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const feed = sseParser((frame) => {
      let item;
      try {
        item = JSON.parse(frame.data);
      } catch {
        return;
      }
      if (frame.id !== null && /^\d+$/.test(frame.id)) this.lastId = Number(frame.id);
      this.onEvent(frame.event, item);
    });
    let watchdog;
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => this.request.abort(), this.silenceMs);
    };
    try {
      arm();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        arm();
        feed(decoder.decode(value, { stream: true }));
      }
    } finally {
      clearTimeout(watchdog);
    }
  }
}
