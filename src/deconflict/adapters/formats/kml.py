"""KML 2.2 (OGC 07-147r2) of a selection, for Google Earth, QGIS and the like: the only place
that knows that format.

One folder per kind (notices, declarations, measures); one placemark per declaration, measure
and notice volume, with its ``TimeSpan`` (no ``end`` until further notice), a style per party
and state (``LineStyle`` and ``PolyStyle`` colours: the reading party's own in blue, the
others' in a colour each, cancelled and withdrawn ones faded), and ``ExtendedData`` holding
the same properties as the GeoJSON export. Areas are polygons (circles and corridors drawn on
the ellipsoid, :mod:`.outline`); where there is an altitude band, the polygon sits at the
band's top, ``altitudeMode`` absolute, extruded (the band's floor is in ``ExtendedData``).
Export only: deconflict reads no KML.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from typing import Any

from ...domain.geometry import Footprint, LonLat, Shape
from ...domain.volume import UNTIL_FURTHER_NOTICE, AltitudeBand, TimeWindow
from ...service.selection import Selected
from .features import features_from_selection
from .outline import outline
from .timefmt import format_iso

__all__ = ["selection_to_kml", "KML_NAMESPACE", "KML_MEDIA_TYPE"]

KML_NAMESPACE = "http://www.opengis.net/kml/2.2"
KML_MEDIA_TYPE = "application/vnd.google-earth.kml+xml"

#: Line colours, KML's aabbggrr: the reading party's own first (blue), then one per party.
OWN = "ffd07a1f"
PALETTE = ("ff2c27d6", "ff0e7fff", "ff2ca02c", "ffbd6794", "ff4b568c", "ffc2c217", "ff7f7f7f")
#: Measures that no party owns (agreed by the arrangement): amber.
AGREED = "ff00c8ff"
AGREED_KEY = "agreed"
_FILL_ALPHA = {"active": "66", "faded": "1a"}
_LINE_ALPHA = {"active": "ff", "faded": "80"}


def _safe(text: str) -> str:
    """An XML id (NCName) from an identifier."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _colours(parties: Iterable[str], reader: str) -> dict[str, str]:
    others = sorted(set(parties) - {reader, AGREED_KEY})
    colours = {p: PALETTE[i % len(PALETTE)] for i, p in enumerate(others)}
    return colours | {reader: OWN, AGREED_KEY: AGREED}


def _faded(state: str) -> str:
    return "active" if state == "active" else "faded"


def _style_id(party: str, state: str) -> str:
    return f"style-{_safe(party)}-{state}"


def _style(doc: ET.Element, party: str, state: str, colour: str) -> None:
    style = _sub(doc, "Style", id=_style_id(party, state))
    line = _sub(style, "LineStyle")
    _sub(line, "color", _LINE_ALPHA[_faded(state)] + colour[2:])
    _sub(line, "width", "2")
    poly = _sub(style, "PolyStyle")
    _sub(poly, "color", _FILL_ALPHA[_faded(state)] + colour[2:])


def _coordinates(points: Sequence[LonLat], altitude: float | None) -> str:
    z = "" if altitude is None else f",{altitude:.1f}"
    return " ".join(f"{lon:.7f},{lat:.7f}{z}" for lon, lat in points)


def _place(parent: ET.Element, altitude: float | None, drapes: bool = False) -> None:
    """On the ground (a path ``drapes`` over the terrain), or at an altitude, extruded."""
    if altitude is None:
        if drapes:
            _sub(parent, "tessellate", "1")
        _sub(parent, "altitudeMode", "clampToGround")
    else:
        _sub(parent, "extrude", "1")
        _sub(parent, "altitudeMode", "absolute")


def _geometry(placemark: ET.Element, fp: Footprint, band: AltitudeBand | None) -> None:
    top = None if band is None else band.upper_m
    if fp.shape is Shape.POINT:
        point = _sub(placemark, "Point")
        _place(point, top)
        _sub(point, "coordinates", _coordinates(fp.coordinates, top))
    elif fp.shape is Shape.LINE:
        line = _sub(placemark, "LineString")
        _place(line, top, drapes=True)
        _sub(line, "coordinates", _coordinates(fp.coordinates, top))
    else:
        polygon = _sub(placemark, "Polygon")
        _place(polygon, top, drapes=True)
        ring = _sub(_sub(polygon, "outerBoundaryIs"), "LinearRing")
        _sub(ring, "coordinates", _coordinates(outline(fp), top))


def _time_span(placemark: ET.Element, window: TimeWindow) -> None:
    span = _sub(placemark, "TimeSpan")
    _sub(span, "begin", format_iso(window.start))
    if window.end < UNTIL_FURTHER_NOTICE:
        _sub(span, "end", format_iso(window.end))


def _extended(placemark: ET.Element, props: dict[str, Any]) -> None:
    data = _sub(placemark, "ExtendedData")
    for name, value in props.items():
        if value is None or value == [] or value == {}:
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        if isinstance(value, dict):
            shown = ", ".join(f"{k}: {v}" for k, v in value.items())
        _sub(_sub(data, "Data", name=name), "value", shown)


def _description(props: dict[str, Any]) -> str:
    what = props.get("notice_kind") or props.get("declaration_kind") or props.get("measure_kind")
    owner = props.get("party") or props.get("owner") or props.get("arrangement")
    parts = [f"{props['kind']} {props['id']} ({owner}): {what}, {props['state']}"]
    if "lower" in props:
        parts.append(f"{props['lower']:g} m to {props['upper']:g} m above mean sea level")
    parts.append(f"from {props['start']} to {props.get('end') or 'until further notice'}")
    return "; ".join(parts)


def _name(props: dict[str, Any]) -> str:
    if props["kind"] == "notice":
        return f"{props['id']} v{props['version']} volume {props['volume'] + 1}"
    return str(props.get("label") or props.get("name") or props["id"])


def _placemark(
    folder: ET.Element,
    props: dict[str, Any],
    fp: Footprint,
    band: AltitudeBand | None,
    window: TimeWindow,
) -> None:
    key = props.get("party") or props.get("owner") or AGREED_KEY
    tail = f"-{props['volume']}" if props["kind"] == "notice" else ""
    placemark = _sub(folder, "Placemark", id=_safe(f"{props['kind']}-{props['id']}{tail}"))
    _sub(placemark, "name", _name(props))
    _sub(placemark, "description", _description(props))
    _time_span(placemark, window)
    _sub(placemark, "styleUrl", f"#{_style_id(key, props['state'])}")
    _extended(placemark, props)
    _geometry(placemark, fp, band)


def _folder(doc: ET.Element, name: str) -> ET.Element:
    folder = _sub(doc, "Folder")
    _sub(folder, "name", name)
    return folder


def selection_to_kml(selected: Selected) -> bytes:
    """A KML document (UTF-8 bytes) of what was selected, as the reading party may see it."""
    collection = features_from_selection(selected)["features"]
    props = [f["properties"] for f in collection]
    root = ET.Element("kml", xmlns=KML_NAMESPACE)
    doc = _sub(root, "Document")
    _sub(doc, "name", f"deconflict: as {selected.party} may see it")
    keys = {(p.get("party") or p.get("owner") or AGREED_KEY, p["state"]) for p in props}
    colours = _colours((k for k, _ in keys), selected.party)
    for party, state in sorted(keys):
        _style(doc, party, state, colours[party])
    folders = {
        "notice": _folder(doc, "Notices"),
        "declaration": _folder(doc, "Declarations"),
        "measure": _folder(doc, "Control measures"),
    }
    shapes = [
        *((v.footprint, v.band, v.window) for n in selected.notices for v in n.volumes),
        *((d.footprint, None, d.window) for d in selected.declarations),
        *((m.footprint, m.band, m.window) for m in selected.measures),
    ]
    for p, (fp, band, window) in zip(props, shapes, strict=True):
        _placemark(folders[p["kind"]], p, fp, band, window)
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body
