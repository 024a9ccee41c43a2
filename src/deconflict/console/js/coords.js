// Positions as users read and type them: decimal degrees, hemispheres, MGRS (mgrs package, ESM).

let mgrs = null;

export function useMgrs(module) {
  mgrs = module;
}

/** "35.28500° N  40.17500° E" */
export function formatDecimal(lat, lng) {
  const ns = lat >= 0 ? "N" : "S";
  const ew = lng >= 0 ? "E" : "W";
  return `${Math.abs(lat).toFixed(5)}° ${ns}  ${Math.abs(lng).toFixed(5)}° ${ew}`;
}

/** "37S FV 08497 18244" (1 m), or "" where MGRS does not apply (polar regions). */
export function formatMgrs(lat, lng) {
  if (!mgrs || lat < -80 || lat > 84) return "";
  try {
    const ref = mgrs.forward([lng, lat], 5);
    const m = /^(\d{1,2}[A-Z])([A-Z]{2})(\d{5})(\d{5})$/.exec(ref);
    return m ? `${m[1]} ${m[2]} ${m[3]} ${m[4]}` : ref;
  } catch {
    return "";
  }
}

/** [lat, lng] from "35.41N 40.19E", "35.41, 40.19" or MGRS "37SFV 08497 18244"; null if none. */
export function parsePosition(text) {
  const s = String(text ?? "").trim().toUpperCase();
  if (!s) return null;
  const grid = s.replace(/\s+/g, "");
  if (/^\d{1,2}[C-X][A-Z]{2}(\d{2}|\d{4}|\d{6}|\d{8}|\d{10})$/.test(grid) && mgrs) {
    try {
      const [lng, lat] = mgrs.toPoint(grid);
      return [lat, lng];
    } catch {
      return null;
    }
  }
  const m = /^([+-]?\d+(?:\.\d+)?)\s*°?\s*([NS])?[\s,;/]+([+-]?\d+(?:\.\d+)?)\s*°?\s*([EW])?$/.exec(s);
  if (!m) return null;
  let lat = Number(m[1]) * (m[2] === "S" ? -1 : 1);
  let lng = Number(m[3]) * (m[4] === "W" ? -1 : 1);
  if (Math.abs(lat) > 90 || Math.abs(lng) > 180) return null;
  return [lat, lng];
}
