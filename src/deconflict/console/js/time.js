// Times as the field writes them: UTC ISO 8601 and the date-time group DDHHMMZMONYY.
// The server's clock decides (an exercise may run in 2017): `clock` keeps its offset.

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const pad = (n, width = 2) => String(n).padStart(width, "0");

/** The server's time, from the offset measured at the last sync. */
export const clock = {
  offset: 0,
  now() {
    return new Date(Date.now() + this.offset);
  },
  sync(serverIso) {
    const at = Date.parse(serverIso);
    if (!Number.isNaN(at)) this.offset = at - Date.now();
  },
};

/** 161000ZSEP17 */
export function dtg(value) {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return "";
  return (
    pad(d.getUTCDate()) + pad(d.getUTCHours()) + pad(d.getUTCMinutes()) + "Z" +
    MONTHS[d.getUTCMonth()] + pad(d.getUTCFullYear() % 100)
  );
}

/** 2017-09-16 10:00Z */
export function utc(value) {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return "";
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}Z`;
}

/** ISO 8601 in UTC without milliseconds: what the API is sent. */
export function isoUtc(d) {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A time typed as a DTG (161000ZSEP17) or ISO 8601 (UTC when no offset is given); null if not. */
export function parseTime(text) {
  const s = String(text ?? "").trim();
  if (!s) return null;
  const g = /^(\d{2})(\d{2})(\d{2})Z([A-Za-z]{3})(\d{2})$/.exec(s);
  if (g) {
    const month = MONTHS.indexOf(g[4].toUpperCase());
    const [day, hour, minute] = [Number(g[1]), Number(g[2]), Number(g[3])];
    if (month < 0 || hour > 23 || minute > 59 || day < 1) return null;
    const d = new Date(Date.UTC(2000 + Number(g[5]), month, day, hour, minute));
    return d.getUTCDate() === day ? d : null;
  }
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(s);
  if (!iso) return null;
  const zone = iso[7] ? iso[7].toUpperCase().replace(/^([+-]\d{2})(\d{2})$/, "$1:$2") : "Z";
  const d = new Date(`${iso[1]}-${iso[2]}-${iso[3]}T${iso[4] ?? "00"}:${iso[5] ?? "00"}:${iso[6] ?? "00"}${zone}`);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** 1:02:03, 12:34 or -0:05 for a duration in milliseconds. */
export function countdown(ms) {
  const sign = ms < 0 ? "-" : "";
  let s = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return h ? `${sign}${h}:${pad(m)}:${pad(s)}` : `${sign}${m}:${pad(s)}`;
}

/** The next whole ten minutes at least `leadMin` minutes after `from`. */
export function roundedAhead(from, leadMin) {
  const t = from.getTime() + leadMin * 60000;
  return new Date(Math.ceil(t / 600000) * 600000);
}
