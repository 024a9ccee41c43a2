// Footprints as the API gives them ({geometry, radius_m, width_m}, GeoJSON [lon, lat]) on the
// map: Leaflet layers, centres, and corridors drawn with their width.

const EARTH_M = 6371008.8;
const rad = (d) => (d * Math.PI) / 180;
const deg = (r) => (r * 180) / Math.PI;

/** [lat, lng] of the footprint's centre (a circle's centre, a path's middle, a ring's mean). */
export function centre(footprint) {
  const g = footprint?.geometry;
  if (!g) return null;
  if (g.type === "Point") return [g.coordinates[1], g.coordinates[0]];
  const points = g.type === "Polygon" ? g.coordinates[0].slice(0, -1) : g.coordinates;
  if (!points?.length) return null;
  if (g.type === "LineString") {
    const [lon, lat] = alongPath(points, 0.5);
    return [lat, lon];
  }
  const lat = points.reduce((s, p) => s + p[1], 0) / points.length;
  const lon = points.reduce((s, p) => s + p[0], 0) / points.length;
  return [lat, lon];
}

/** The vertex of the footprint nearest to [lat, lng] (for long lines such as a river). */
export function nearest(footprint, latlng) {
  const g = footprint?.geometry;
  if (!g || g.type === "Point" || !latlng) return centre(footprint);
  const points = g.type === "Polygon" ? g.coordinates[0] : g.coordinates;
  let best = null;
  let bestD = Infinity;
  for (const [lon, lat] of points) {
    const d = metres([lat, lon], latlng);
    if (d < bestD) [best, bestD] = [[lat, lon], d];
  }
  return best;
}

/** Great-circle distance in metres between two [lat, lng]. */
export function metres(a, b) {
  const dlat = rad(b[0] - a[0]);
  const dlon = rad(b[1] - a[1]);
  const h = Math.sin(dlat / 2) ** 2 + Math.cos(rad(a[0])) * Math.cos(rad(b[0])) * Math.sin(dlon / 2) ** 2;
  return 2 * EARTH_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

function alongPath(points, fraction) {
  const legs = points.slice(1).map((p, i) => metres([points[i][1], points[i][0]], [p[1], p[0]]));
  const total = legs.reduce((s, x) => s + x, 0);
  let left = total * fraction;
  for (let i = 0; i < legs.length; i++) {
    if (left <= legs[i] || i === legs.length - 1) {
      const f = legs[i] ? Math.min(1, left / legs[i]) : 0;
      const [a, b] = [points[i], points[i + 1]];
      return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f];
    }
    left -= legs[i];
  }
  return points[0];
}

/** A corridor's outline: the path offset by half its width on each side ([lat, lng] ring). */
export function corridorOutline(path, widthM) {
  if (path.length < 2) return [];
  const lat0 = rad(path[0][1]);
  const toXY = ([lon, lat]) => [rad(lon) * EARTH_M * Math.cos(lat0), rad(lat) * EARTH_M];
  const toLatLng = ([x, y]) => [deg(y / EARTH_M), deg(x / (EARTH_M * Math.cos(lat0)))];
  const xy = path.map(toXY);
  const half = widthM / 2;
  const normals = xy.slice(1).map((p, i) => {
    const [dx, dy] = [p[0] - xy[i][0], p[1] - xy[i][1]];
    const len = Math.hypot(dx, dy) || 1;
    return [-dy / len, dx / len];
  });
  const left = [];
  const right = [];
  xy.forEach((p, i) => {
    const a = normals[Math.max(0, i - 1)];
    const b = normals[Math.min(normals.length - 1, i)];
    let n = [a[0] + b[0], a[1] + b[1]];
    const len = Math.hypot(n[0], n[1]) || 1;
    n = [n[0] / len, n[1] / len];
    const scale = Math.min(4, 1 / Math.max(0.25, n[0] * b[0] + n[1] * b[1])); // mitre, bounded
    left.push([p[0] + n[0] * half * scale, p[1] + n[1] * half * scale]);
    right.push([p[0] - n[0] * half * scale, p[1] - n[1] * half * scale]);
  });
  return [...left, ...right.reverse()].map(toLatLng);
}

/** A Leaflet layer for a footprint, styled with `style` (path options). */
export function footprintLayer(L, footprint, style) {
  const g = footprint?.geometry;
  if (!g) return null;
  if (g.type === "Point") {
    const at = [g.coordinates[1], g.coordinates[0]];
    return footprint.radius_m
      ? L.circle(at, { radius: footprint.radius_m, ...style })
      : L.circleMarker(at, { radius: 5, ...style });
  }
  if (g.type === "LineString") {
    const line = g.coordinates.map(([lon, lat]) => [lat, lon]);
    if (footprint.width_m) {
      return L.featureGroup([
        L.polygon(corridorOutline(g.coordinates, footprint.width_m), style),
        L.polyline(line, { ...style, weight: 1, dashArray: "4 4", fill: false, interactive: false }),
      ]);
    }
    return L.polyline(line, style);
  }
  if (g.type === "Polygon") return L.polygon(g.coordinates[0].slice(0, -1).map(([lon, lat]) => [lat, lon]), style);
  return null;
}
