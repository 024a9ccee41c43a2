// MIL-STD-2525 / APP-6 symbols (milsymbol, global `ms`) for declarations: the member's own party
// as friend, every other party as neutral; force positions as units, sites as installations.

const cache = new Map();

/** The 15-character 2525C SIDC for a declaration seen by `party`. */
export function sidcFor(declaration, party) {
  const affiliation = declaration.party === party ? "F" : "N";
  const category = (declaration.category || "").toLowerCase();
  let fn;
  if (declaration.kind === "site") {
    fn = category.includes("hospital") || category.includes("medical") ? "IXH---H" : "I-----H";
  } else if (declaration.kind === "movement") {
    fn = "U------";
  } else {
    fn = "UCI----"; // a ground unit: infantry
  }
  return `S${affiliation}GP${fn}`.padEnd(15, "-");
}

/** A Leaflet icon for a declaration: its symbol, labelled with the forces it stands for. */
export function declarationIcon(L, declaration, party) {
  const sidc = sidcFor(declaration, party);
  const designation = (declaration.forces || "").slice(0, 20);
  const key = `${sidc}|${designation}`;
  if (!cache.has(key)) {
    const symbol = new ms.Symbol(sidc, { size: 26, uniqueDesignation: designation, square: false });
    const size = symbol.getSize();
    const anchor = symbol.getAnchor();
    cache.set(
      key,
      L.icon({
        iconUrl: symbol.toDataURL(),
        iconSize: [size.width, size.height],
        iconAnchor: [anchor.x, anchor.y],
        className: "mil-symbol",
      }),
    );
  }
  return cache.get(key);
}
