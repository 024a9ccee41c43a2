// The HTTP API under /api/v1 with the member's token (kept in sessionStorage for this tab only).

const KEY = "deconflict.token";

export const token = {
  get: () => sessionStorage.getItem(KEY),
  set: (value) => sessionStorage.setItem(KEY, value),
  clear: () => sessionStorage.removeItem(KEY),
};

/** An RFC 9457 problem answered by the API (or a transport failure, status 0). */
export class ApiError extends Error {
  constructor(status, problem) {
    const body = typeof problem === "object" && problem ? problem : { detail: String(problem ?? "") };
    super(body.detail || body.title || `HTTP ${status}`);
    this.status = status;
    this.code = body.code ?? (status ? "http_error" : "network");
    this.field = body.field ?? null;
    this.problem = body;
  }
}

/** fetch JSON from the API: `path` is relative to /api/v1 unless it starts with "/". */
export async function api(path, { method = "GET", body, headers = {}, signal, auth = true } = {}) {
  const url = path.startsWith("/") ? path : `/api/v1/${path}`;
  const sent = { Accept: "application/json, application/problem+json", ...headers };
  const bearer = token.get();
  if (auth && bearer) sent.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) sent["Content-Type"] = "application/json";
  let res;
  try {
    res = await fetch(url, {
      method,
      headers: sent,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      cache: "no-store",
      credentials: "omit",
    });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError(0, { detail: err.message, code: "network" });
  }
  const type = res.headers.get("content-type") ?? "";
  const data = type.includes("json") ? await res.json() : await res.text();
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** A fresh Idempotency-Key: a retried POST files once. */
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** POST with an Idempotency-Key, retried once on a network failure with the same key. */
export async function post(path, body, key = newKey()) {
  const send = () => api(path, { method: "POST", body, headers: { "Idempotency-Key": key } });
  try {
    return await send();
  } catch (err) {
    if (err instanceof ApiError && err.status === 0) return send();
    throw err;
  }
}
