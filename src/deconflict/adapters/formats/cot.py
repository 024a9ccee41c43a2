"""Cursor-on-Target (CoT 2.0) events for TAK clients (ATAK, WinTAK, iTAK): the only place that
knows the format.

What a party may see (``service.selection.select``) becomes one event per shape:

* a notice: one event per volume, uid ``deconflict.notice.<id>.<n>`` (n from 1), the notice's
  version in the detail; a declaration ``deconflict.declaration.<id>``; a measure
  ``deconflict.measure.<id>``. The uid stays across amendments, so a TAK client replaces the
  shape in place (CoT: the latest event for a uid overwrites the earlier ones);
* polygons as ``u-d-f`` drawings with their corners as closed ``<link point="lat,lon"/>``
  vertices, corridors as the same drawing of their outline (TAK has no corridor shape), lines
  and routes as open ``u-d-f`` drawings, circles as ``u-d-c-c`` with
  ``<shape><ellipse major minor angle/>`` (radius in metres), points as spot markers
  (``b-m-p-s-m``). The MITRE ``r-*`` reservation types are not used: TAK clients do not
  draw them;
* ``start``/``stale`` are the window's start and end (UFN: 9999-12-31), ``time`` when the event
  is made, ``how="h-e"``; ``<point>`` the shape's centre with ``ce`` the radius that encloses it
  and, when there is an altitude band, ``hae`` its middle and ``le`` half its height (metres
  AMSL, not corrected to the ellipsoid: the geoid is tens of metres off at most; the band
  itself is in the detail). Unknown values are ``9999999.0``, as TAK writes them;
* the detail: ``<contact callsign>``, ``<remarks>``, ``<strokeColor>``/``<fillColor>`` (ARGB
  as signed 32-bit integers, the party's colour; fill alpha by kind), ``<labels_on>`` and
  ``<__deconflict id kind subtype party state version lower_m upper_m/>``;
* a deletion is ``t-x-d-d`` with ``<link uid=<the shape> relation="none" type=<its type>/>``
  and ``<__forcedelete/>``, as ATAK sends when a user deletes a shape.

A *picture* is every event a party should hold now, by uid; :func:`changes` turns two pictures
into the events that move a client from one to the other (updates, then deletions).
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from ...domain.declarations import Declaration
from ...domain.geometry import GEOD, Footprint, LonLat, Shape
from ...domain.measures import ControlMeasure, MeasureKind, ZoneRule
from ...domain.notices import Notice
from ...domain.volume import AltitudeBand, TimeWindow
from ...service.ports import Reader
from ...service.selection import Selected, Selection, select
from .altitude import format_altitude
from .outline import outline
from .timefmt import format_dtg

__all__ = [
    "CotEvent",
    "Picture",
    "picture",
    "changes",
    "deletion",
    "document",
    "export",
    "event_time",
    "UNKNOWN",
    "DELETE_TYPE",
]

#: What TAK writes for an unknown ``hae``, ``ce`` or ``le``.
UNKNOWN = 9999999.0
DELETE_TYPE = "t-x-d-d"
HOW = "h-e"
#: How long a deletion itself stays valid.
DELETION_STALE = timedelta(minutes=5)

POLYGON_TYPE = "u-d-f"
CIRCLE_TYPE = "u-d-c-c"
POINT_TYPE = "b-m-p-s-m"

#: Party colours (opaque ARGB), chosen by a stable hash of the party's id.
_PALETTE = (
    0xFF1E88E5,  # blue
    0xFFE53935,  # red
    0xFF43A047,  # green
    0xFFFB8C00,  # orange
    0xFF8E24AA,  # purple
    0xFF00897B,  # teal
    0xFFD81B60,  # pink
    0xFF6D4C41,  # brown
)
#: A measure that no party owns (it binds every party) is drawn in the colour of its rule.
_RULE_COLOURS = {
    ZoneRule.NO_ENTRY: 0xFFD50000,
    ZoneRule.NO_STRIKE: 0xFFFF6D00,
    ZoneRule.NOTIFY_BEFORE_ENTRY: 0xFFFFD600,
    None: 0xFFFFFFFF,  # a deconfliction line
}
#: Fill opacity by kind of object (0 = outline only).
_FILL_ALPHA = {"notice": 0x40, "declaration": 0x60, "measure": 0x30}

Picture = dict[str, "CotEvent"]


@dataclass(frozen=True)
class CotEvent:
    """One CoT event, all but its ``time`` (when it is sent): two events with the same fields
    say the same thing, so a picture can be compared with the next."""

    uid: str
    type: str
    start: datetime
    stale: datetime
    lat: float
    lon: float
    hae: float = UNKNOWN
    ce: float = UNKNOWN
    le: float = UNKNOWN
    detail: str = "<detail />"

    def element(self, now: datetime) -> ET.Element:
        event = ET.Element(
            "event",
            {
                "version": "2.0",
                "uid": self.uid,
                "type": self.type,
                "how": HOW,
                "time": event_time(now),
                "start": event_time(self.start),
                "stale": event_time(self.stale),
            },
        )
        ET.SubElement(
            event,
            "point",
            {
                "lat": _number(self.lat, 7),
                "lon": _number(self.lon, 7),
                "hae": _number(self.hae, 1),
                "ce": _number(self.ce, 1),
                "le": _number(self.le, 1),
            },
        )
        event.append(ET.fromstring(self.detail))
        return event

    def xml(self, now: datetime) -> bytes:
        """The event as a standalone XML document, as TAK clients stream them."""
        data: bytes = ET.tostring(self.element(now), encoding="UTF-8", xml_declaration=True)
        return data


def event_time(instant: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and ``Z``, as TAK writes CoT times."""
    utc = instant.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _number(value: float, places: int) -> str:
    return f"{round(value, places):.{places}f}"


def _signed(argb: int) -> int:
    """ARGB as the signed 32-bit integer TAK stores (``0xFFFFFFFF`` is ``-1``)."""
    return argb - (1 << 32) if argb >= 1 << 31 else argb


def party_colour(party: str) -> int:
    """The party's opaque ARGB colour: the same for every export and every process."""
    digest = hashlib.sha256(party.encode()).digest()
    return _PALETTE[digest[0] % len(_PALETTE)]


def _with_alpha(argb: int, alpha: int) -> int:
    return (alpha << 24) | (argb & 0xFFFFFF)


# -- geometry ---------------------------------------------------------------------------------


def _vertices(fp: Footprint) -> list[LonLat]:
    """The drawing's vertices: a ring (its first corner repeated) around what has an area, the
    path itself for a line."""
    return list(fp.coordinates) if fp.shape is Shape.LINE else outline(fp)


def _enclosing_radius(fp: Footprint, centre: LonLat) -> float:
    """Metres from the centre that enclose the whole footprint (the event's ``ce``)."""
    lons = [lon for lon, _ in fp.coordinates]
    lats = [lat for _, lat in fp.coordinates]
    _, _, distances = GEOD.inv([centre[0]] * len(lons), [centre[1]] * len(lats), lons, lats)
    farthest = max((float(d) for d in distances), default=0.0)
    return farthest + fp.reach_m


def _centre(fp: Footprint) -> LonLat:
    return fp.coordinates[0] if fp.shape in (Shape.POINT, Shape.CIRCLE) else fp.centre()


def _event_type(fp: Footprint) -> str:
    return {Shape.CIRCLE: CIRCLE_TYPE, Shape.POINT: POINT_TYPE}.get(fp.shape, POLYGON_TYPE)


# -- the detail -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Look:
    """What a shape is and how it is drawn and labelled."""

    uid: str
    kind: str  # notice | declaration | measure
    id: str
    subtype: str
    party: str
    state: str
    version: int
    callsign: str
    remarks: str
    colour: int


def _detail(look: _Look, fp: Footprint, band: AltitudeBand | None) -> ET.Element:
    detail = ET.Element("detail")
    if fp.shape is Shape.CIRCLE:
        _circle_shape(detail, look, fp.radius_m)
    elif fp.shape is Shape.POINT:
        ET.SubElement(
            detail,
            "usericon",
            {"iconsetpath": f"COT_MAPPING_SPOTMAP/b-m-p-s-m/{_signed(look.colour)}"},
        )
        ET.SubElement(detail, "color", {"argb": str(_signed(look.colour))})
    else:
        for lon, lat in _vertices(fp):
            ET.SubElement(detail, "link", {"point": f"{_number(lat, 7)},{_number(lon, 7)}"})
    ET.SubElement(detail, "contact", {"callsign": look.callsign})
    ET.SubElement(detail, "remarks").text = look.remarks
    if fp.shape is not Shape.POINT:
        fill = _with_alpha(look.colour, 0 if fp.shape is Shape.LINE else _FILL_ALPHA[look.kind])
        ET.SubElement(detail, "strokeColor", {"value": str(_signed(look.colour))})
        ET.SubElement(detail, "strokeWeight", {"value": "3.0"})
        ET.SubElement(detail, "fillColor", {"value": str(_signed(fill))})
    ET.SubElement(detail, "labels_on", {"value": "true"})
    mark = {
        "id": look.id,
        "kind": look.kind,
        "subtype": look.subtype,
        "party": look.party,
        "state": look.state,
        "version": str(look.version),
    }
    if band is not None:
        mark |= {"lower_m": _number(band.lower_m, 1), "upper_m": _number(band.upper_m, 1)}
    ET.SubElement(detail, "__deconflict", mark)
    return detail


def _circle_shape(detail: ET.Element, look: _Look, radius_m: float) -> None:
    """ATAK's circle: an ellipse whose axes are the radius, and its KML style."""
    shape = ET.SubElement(detail, "shape")
    radius = _number(radius_m, 1)
    ET.SubElement(shape, "ellipse", {"major": radius, "minor": radius, "angle": "360"})
    link = ET.SubElement(
        shape, "link", {"uid": f"{look.uid}.style", "type": "b-x-KmlStyle", "relation": "p-c"}
    )
    style = ET.SubElement(link, "Style")
    line = ET.SubElement(style, "LineStyle")
    ET.SubElement(line, "color").text = _kml_colour(look.colour)
    ET.SubElement(line, "width").text = "3.0"
    poly = ET.SubElement(style, "PolyStyle")
    ET.SubElement(poly, "color").text = _kml_colour(
        _with_alpha(look.colour, _FILL_ALPHA[look.kind])
    )


def _kml_colour(argb: int) -> str:
    """KML writes colours as aabbggrr."""
    a, r, g, b = (argb >> 24) & 0xFF, (argb >> 16) & 0xFF, (argb >> 8) & 0xFF, argb & 0xFF
    return f"{a:02x}{b:02x}{g:02x}{r:02x}"


def _event(look: _Look, fp: Footprint, window: TimeWindow, band: AltitudeBand | None) -> CotEvent:
    centre = _centre(fp)
    hae = le = UNKNOWN
    if band is not None:
        hae, le = (band.lower_m + band.upper_m) / 2.0, (band.upper_m - band.lower_m) / 2.0
    return CotEvent(
        uid=look.uid,
        type=_event_type(fp),
        start=window.start,
        stale=window.end,
        lat=centre[1],
        lon=centre[0],
        hae=hae,
        ce=max(_enclosing_radius(fp, centre), 1.0),
        le=le,
        detail=ET.tostring(_detail(look, fp, band), encoding="unicode"),
    )


# -- objects to events ------------------------------------------------------------------------


def _when(window: TimeWindow) -> str:
    end = "UFN" if window.open_ended else format_dtg(window.end)
    return f"{format_dtg(window.start)} to {end}"


def _levels(band: AltitudeBand) -> str:
    return f"{format_altitude(band.lower_m)} to {format_altitude(band.upper_m)} AMSL"


def notice_events(notice: Notice, selection: Selection) -> list[CotEvent]:
    """One event per volume of the notice that the selection's window meets."""
    events = []
    for n, volume in enumerate(notice.volumes, start=1):
        if not selection.meets(volume.window):
            continue
        text = (
            f"Notice {notice.id} v{notice.version} by {notice.party} ({notice.kind}) on "
            f"{notice.line}, volume {n} of {len(notice.volumes)}: {_when(volume.window)}, "
            f"{_levels(volume.band)}."
        )
        look = _Look(
            uid=f"deconflict.notice.{notice.id}.{n}",
            kind="notice",
            id=notice.id,
            subtype=str(notice.kind),
            party=notice.party,
            state="amended" if notice.version > 1 else "filed",
            version=notice.version,
            callsign=f"{notice.id} v{notice.version} ({notice.party})",
            remarks=" ".join(filter(None, (text, notice.forces, notice.remarks))),
            colour=party_colour(notice.party),
        )
        events.append(_event(look, volume.footprint, volume.window, volume.band))
    return events


def declaration_event(decl: Declaration) -> CotEvent:
    text = f"Declaration {decl.id} by {decl.party} ({decl.kind}): {_when(decl.window)}."
    label = decl.label or decl.id
    look = _Look(
        uid=f"deconflict.declaration.{decl.id}",
        kind="declaration",
        id=decl.id,
        subtype=str(decl.kind),
        party=decl.party,
        state="declared",
        version=1,
        callsign=f"{label} ({decl.party})",
        remarks=" ".join(filter(None, (text, decl.category, decl.forces))),
        colour=party_colour(decl.party),
    )
    return _event(look, decl.footprint, decl.window, None)


def measure_event(measure: ControlMeasure) -> CotEvent:
    if measure.kind is MeasureKind.DECONFLICTION_LINE:
        sides = ", ".join(f"{p} {s}" for p, s in sorted(measure.sides.items()))
        what = f"deconfliction line ({sides}; reach {round(measure.reach_m)} m)"
        subtype = str(measure.kind)
    else:
        what = f"zone, {measure.rule}"
        subtype = str(measure.rule)
    levels = f", {_levels(measure.band)}" if measure.band is not None else ""
    text = f"{measure.name}: {what} of {measure.arrangement}, {_when(measure.window)}{levels}."
    colour = party_colour(measure.owner) if measure.owner else _RULE_COLOURS[measure.rule]
    look = _Look(
        uid=f"deconflict.measure.{measure.id}",
        kind="measure",
        id=measure.id,
        subtype=subtype,
        party=measure.owner or "",
        state="agreed",
        version=1,
        callsign=measure.name or measure.id,
        remarks=text,
        colour=colour,
    )
    return _event(look, measure.footprint, measure.window, measure.band)


def picture(selected: Selected, selection: Selection) -> Picture:
    """Every event the selected objects make, by uid (volumes outside the selection's window
    are left out, so a picture taken with ``start=now`` drops what has expired)."""
    events: list[CotEvent] = [e for n in selected.notices for e in notice_events(n, selection)]
    events += [declaration_event(d) for d in selected.declarations]
    events += [measure_event(m) for m in selected.measures]
    return {e.uid: e for e in events}


# -- deletions and changes --------------------------------------------------------------------


def deletion(gone: CotEvent, now: datetime) -> bytes:
    """The ``t-x-d-d`` event that removes a shape from TAK clients."""
    event = CotEvent(
        uid=f"{gone.uid}.delete",
        type=DELETE_TYPE,
        start=now,
        stale=now + DELETION_STALE,
        lat=0.0,
        lon=0.0,
        detail=ET.tostring(_deletion_detail(gone), encoding="unicode"),
    )
    return event.xml(now)


def _deletion_detail(gone: CotEvent) -> ET.Element:
    detail = ET.Element("detail")
    ET.SubElement(detail, "link", {"uid": gone.uid, "relation": "none", "type": gone.type})
    ET.SubElement(detail, "__forcedelete")
    return detail


def changes(
    before: Mapping[str, CotEvent], after: Mapping[str, CotEvent], now: datetime
) -> list[bytes]:
    """The events that turn a client holding ``before`` into one holding ``after``: each new
    or changed shape, then a deletion for each shape that is gone (cancelled, withdrawn,
    expired, or no longer visible)."""
    updates = [event.xml(now) for uid, event in after.items() if before.get(uid) != event]
    removals = [deletion(event, now) for uid, event in before.items() if uid not in after]
    return updates + removals


def document(events: Iterable[CotEvent], now: datetime) -> bytes:
    """Events as one XML file: an ``<events>`` root (as TAK Server's API answers several) with
    each ``<event>`` as TAK streams it."""
    root = ET.Element("events")
    for event in events:
        root.append(event.element(now))
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="UTF-8", xml_declaration=True)
    return data


def export(reader: Reader, party: str, selection: Selection, now: datetime) -> bytes:
    """What ``party`` may see as one file of events: the selection, or when it names no
    window, what is in force or to come from ``now`` on (the picture a TAK client holds)."""
    if selection.start is None and selection.end is None:
        selection = replace(selection, start=now)
    return document(picture(select(reader, party, selection), selection).values(), now)
