"""USMTF Airspace Control Order (ACO) text read into control measures: the only place that knows
the format. docs/formats.md lists what is accepted; in short:

* sets are ``NAME/field/field//`` and may run over several lines; ``-`` is an empty field.
  The message starts with ``MSGID/ACO``; ``PERIOD/<start>/<stop>//`` is the default period of
  every airspace control means (ACM) that has no ``APERIOD`` of its own;
* an ACM starts with ``ACMID/ACM:<type>/NAME:<name>/<shape>/USE:<usage>//`` (``DESIG:`` is
  read as ``NAME:``) and is followed by its shape, ``EFFLEVEL`` and ``APERIOD`` sets:

  - ``POLYGON/<point>/<point>/<point>…//`` (three or more corners);
  - ``CIRCLE/<centre>/<radius>//`` (``RADIUS:10NM`` or ``10NM``);
  - ``CORRIDOR/<width>/<point>/<point>…//`` (``WIDTH:5NM`` or ``5NM``);
  - ``AORBIT/<point>/<point>/<width>/<C|L|R>//`` (``ORBIT`` too): a race-track of that width
    centred on the line between the points (C) or beside it, left or right looking from the
    first point to the second;
  - ``GEOLINE/<point>/<point>…//`` (``LINE`` too): a deconfliction line, whose sides the
    import is told (``sides``);

  points as ``DDMMSSNDDDMMSSE`` (``LATS:`` prefix optional) or ``DDMMNDDDMME`` (``LATM:``);
  distances with their unit: ``NM``, ``KM``, ``M``, ``FT`` or ``SM`` (statute miles);
* ``EFFLEVEL/<floor>-<ceiling>//`` with an optional ``BRRA:``, ``BRFL:``, ``RAFL:``, ``FLFL:``
  or ``RARA:`` prefix (BR a base reference, RA a relative altitude, FL a flight level; when
  given, the values must be of those kinds): a flight level ``FL250``; a base reference
  ``SFC``, ``GL``, ``GND`` or ``MSL`` (taken as 0 m AMSL, a floor only); an altitude
  ``070AMSL`` (hundreds of feet) or ``7000FTAMSL``/``2100MAMSL``; a height above ground
  ``005AGL`` only when the ground's elevation is given (``ground_m``), else refused;
* ``APERIOD/DISCRETE/<start>/<stop>//`` and
  ``APERIOD/INTERVAL/<start>/<stop>/<DAILY|WEEKLY|BIWEEKLY|WEEKDAYS|WEEKENDS>/<duration>//``
  (duration ``7DAY``, ``4WK`` or the DTG of the last day); times are date-time groups
  ``141325ZJAN2017`` (or without the year, ``141325ZJAN``, which takes the ``PERIOD``'s);
  the stop may be ``UFN``. An ACM with several periods or an INTERVAL becomes one measure
  per window (ids ``<id>-1``, ``<id>-2``…).

The rule of a zone follows its type and usages: no-fire areas (``NFA``, ``RFA``) are
``no_strike``; restricted and engagement zones (``ROZ``, ``ROA``, ``RA``, ``HIDACZ``, ``MEZ``,
``FEZ``, ``JEZ``…) ``no_entry``; everything else ``notify_before_entry``. Every bad set is
reported with its line number and text (``InvalidDocument``), and nothing is returned then.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ...domain.errors import DeconflictError, InvalidDocument, InvalidInput
from ...domain.geometry import GEOD, Footprint, LonLat
from ...domain.measures import ControlMeasure, MeasureKind, Side, ZoneRule
from ...domain.volume import UNTIL_FURTHER_NOTICE, AltitudeBand, TimeWindow
from ...service.commands import CreateMeasure
from .altitude import FEET
from .position import parse_position
from .timefmt import MONTHS, parse_time

__all__ = ["AcoOptions", "AcoMeasure", "read_aco", "locate", "NO_STRIKE", "NO_ENTRY"]

NO_STRIKE = frozenset({"NFA", "RFA", "NOFIRE"})
NO_ENTRY = frozenset(
    {"ROZ", "ROA", "RA", "PROHIB", "NFZ", "NOFLY", "HIDACZ", "TFR", "DA"}
    | {"MEZ", "HIMEZ", "LOMEZ", "FEZ", "JEZ", "WEZ", "SHORADEZ"}
)
_UNITS = {"NM": 1852.0, "KM": 1000.0, "M": 1.0, "FT": FEET, "SM": 1609.344}
_SHAPES = {
    "POLYGON": "POLYGON",
    "CIRCLE": "CIRCLE",
    "CORRIDOR": "CORRIDOR",
    "ORBIT": "ORBIT",
    "AORBIT": "ORBIT",
    "LINE": "LINE",
    "GEOLINE": "LINE",
}
#: Shapes of the ACO that this import does not read (refused by name, not ignored).
_UNSUPPORTED = frozenset({"RADARC", "POLYARC", "APOINT", "TRACK", "CYLINDER", "ARC"})
_POSITION = re.compile(r"^\d{4}(?:\d{2})?(?:\.\d+)?[NS]\d{5}(?:\d{2})?(?:\.\d+)?[EW]$")
_DISTANCE = re.compile(r"^(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>[A-Z]*)$")
_DTG_NO_YEAR = re.compile(r"^\d{6}(?:\d{2})?[A-Z](?:" + "|".join(MONTHS) + ")$")
_MAX_WINDOWS = 366


@dataclass(frozen=True)
class AcoOptions:
    """How an ACO's measures are recorded: in which arrangement, under which ids, owned by
    whom (None: binding every party), which side of a LINE each party keeps, and the ground's
    elevation for heights above ground (None: such heights are refused)."""

    arrangement: str
    prefix: str = "aco-"
    owner: str | None = None
    sides: Mapping[str, Side] = field(default_factory=dict)
    ground_m: float | None = None
    reach_m: float = 50_000.0


@dataclass(frozen=True)
class AcoMeasure:
    """A measure read from the ACO, with the line of the ``ACMID`` set it came from."""

    line: int
    text: str
    measure: ControlMeasure

    def command(self) -> CreateMeasure:
        return CreateMeasure(self.measure)


# -- sets ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    line: int
    text: str


@dataclass(frozen=True)
class _Set:
    line: int
    name: str
    fields: tuple[_Field, ...]
    text: str


def _sets(text: str) -> Iterator[_Set]:
    """The message's sets, each with the line it starts on and each field's line."""
    pending: list[tuple[int, str]] = []
    for number, raw in enumerate(text.replace("\u2212", "-").splitlines(), start=1):
        for piece in re.split(r"(?<=//)", raw):  # a line may hold more than one set
            if not piece.strip():
                continue
            pending.append((number, piece.strip()))
            if piece.strip().endswith("//"):
                yield _make_set(pending)
                pending = []
    if pending:
        yield _make_set(pending)


def _make_set(parts: list[tuple[int, str]]) -> _Set:
    text, starts = "", []
    for number, part in parts:
        starts.append((len(text), number))
        text += part
    body = text[:-2] if text.endswith("//") else text
    fields, offset = [], 0
    for piece in body.split("/"):
        line = max(number for start, number in starts if start <= offset)
        fields.append(_Field(line, piece.strip()))
        offset += len(piece) + 1
    return _Set(
        parts[0][0], fields[0].text.upper(), tuple(fields[1:]), " ".join(p for _, p in parts)
    )


class _Problems:
    """Every problem of the document, each at its line with the text that caused it."""

    def __init__(self) -> None:
        self.found: list[DeconflictError] = []

    def add(self, line: int, text: str, error: DeconflictError | str) -> None:
        problem = InvalidInput(error) if isinstance(error, str) else error
        if text and text not in problem.message:
            problem.message = f"{text!r}: {problem.message}"
        problem.field = f"line {line}"
        self.found.append(problem)


# -- values ---------------------------------------------------------------------------------------


def _value(f: _Field) -> str:
    """A field without its label (``LATS:``, ``RADIUS:``…)."""
    return f.text.split(":", 1)[1].strip() if ":" in f.text else f.text


def _position(f: _Field) -> LonLat:
    value = _value(f).upper().replace(" ", "")
    if not _POSITION.match(value):
        raise InvalidInput(
            f"{f.text!r} is not an ACO position; give DDMMSSNDDDMMSSE or DDMMNDDDMME "
            "(e.g. 351000N0401200E, LATM:3510N04012E)"
        )
    return parse_position(value)


def _is_position(f: _Field) -> bool:
    return bool(_POSITION.match(_value(f).upper().replace(" ", "")))


def _distance(f: _Field, what: str) -> float:
    match = _DISTANCE.match(_value(f).upper())
    if not match:
        raise InvalidInput(f"{f.text!r} is not a {what}; give a number and a unit (e.g. 10NM)")
    unit = match["unit"]
    if not unit:
        raise InvalidInput(
            f"{what} {f.text!r} has no unit; give one of {', '.join(_UNITS)} (e.g. 10NM)"
        )
    if unit not in _UNITS:
        raise InvalidInput(
            f"{what} {f.text!r}: unknown unit {unit!r}; give one of {', '.join(_UNITS)}"
        )
    metres = float(match["number"]) * _UNITS[unit]
    if metres <= 0:
        raise InvalidInput(f"{what} {f.text!r} must be above 0")
    return metres


# -- effective level ------------------------------------------------------------------------------

_FLIGHT_LEVEL = re.compile(r"^FL(?P<level>\d{2,3})$")
_RELATIVE = re.compile(r"^(?P<number>\d+(?:\.\d+)?)(?P<unit>FT|M)?(?P<datum>AMSL|AGL)$")
_BASES = frozenset({"SFC", "GL", "GND", "MSL"})
_PREFIXES = frozenset({"BRRA", "BRFL", "RAFL", "FLFL", "RARA", "BRBR", "FLRA", "RABR"})


def _level(value: str, ground_m: float | None) -> tuple[str, float]:
    """(kind, metres AMSL) of one effective level: BR, RA or FL."""
    if value in _BASES:
        return "BR", 0.0
    if flight := _FLIGHT_LEVEL.match(value):
        return "FL", int(flight["level"]) * 100 * FEET
    relative = _RELATIVE.match(value)
    if not relative:
        raise InvalidInput(
            f"{value!r} is not an effective level; give a flight level (FL250), SFC/GL/MSL, "
            "hundreds of feet (070AMSL, 005AGL) or an altitude with its unit (2100MAMSL)"
        )
    number, unit = relative["number"], relative["unit"]
    if unit is None and not re.fullmatch(r"\d{3}", number):
        raise InvalidInput(
            f"{value!r}: without a unit an altitude is three digits of hundreds of feet "
            "(070AMSL); give FT or M otherwise (7000FTAMSL)"
        )
    metres = float(number) * (100 * FEET if unit is None else _UNITS[unit])
    if relative["datum"] == "AGL":
        if ground_m is None:
            raise InvalidInput(
                f"{value!r} is a height above ground: give the ground's elevation (ground_m, "
                "--ground-m) to read it as an altitude"
            )
        metres += ground_m
    return "RA", metres


def _band(f: _Field, ground_m: float | None) -> AltitudeBand:
    text = f.text.upper().replace(" ", "")
    prefix, _, levels = text.rpartition(":")
    if prefix and prefix not in _PREFIXES:
        raise InvalidInput(
            f"{prefix!r} is not an EFFLEVEL prefix; give BRRA, BRFL, RAFL, FLFL or RARA"
        )
    lower_text, dash, upper_text = levels.partition("-")
    if not dash or not lower_text or not upper_text:
        raise InvalidInput(f"{f.text!r} needs a floor and a ceiling (e.g. FLFL:FL100-FL200)")
    (lower_kind, lower), (upper_kind, upper) = (
        _level(lower_text, ground_m),
        _level(upper_text, ground_m),
    )
    if prefix and (prefix[:2], prefix[2:]) != (lower_kind, upper_kind):
        raise InvalidInput(
            f"prefix {prefix} says {prefix[:2]}-{prefix[2:]}, but the levels are "
            f"{lower_kind}-{upper_kind}"
        )
    if upper_kind == "BR":
        raise InvalidInput(f"{upper_text!r} is a base reference: a floor, not a ceiling")
    return AltitudeBand(lower, upper)


# -- periods --------------------------------------------------------------------------------------


def _instant(f: _Field, year: int | None) -> datetime:
    text = _value(f).upper().replace(" ", "")
    if _DTG_NO_YEAR.match(text):
        if year is None:
            raise InvalidInput(
                f"{f.text!r} has no year and the ACO has no PERIOD to take it from; "
                "write it as 141325ZJAN2017"
            )
        return parse_time(f"{text}{year}")
    return parse_time(text)


def _stop(f: _Field, year: int | None) -> datetime:
    return UNTIL_FURTHER_NOTICE if _value(f).upper() == "UFN" else _instant(f, year)


_STEPS = {"DAILY": 1, "WEEKLY": 7, "BIWEEKLY": 14, "WEEKDAYS": 1, "WEEKENDS": 1}
_DAYS = {"WEEKDAYS": range(0, 5), "WEEKENDS": range(5, 7)}
_SPAN = re.compile(r"^(?P<count>\d+)(?P<unit>DAYS?|DY|WKS?|WEEKS?)$")


def _windows(s: _Set, year: int | None) -> list[TimeWindow]:
    """The windows of one APERIOD set."""
    if len(s.fields) < 3:
        raise InvalidInput("APERIOD needs a mode (DISCRETE or INTERVAL), a start and a stop")
    mode, start_f, stop_f = s.fields[0].text.upper(), s.fields[1], s.fields[2]
    start = _instant(start_f, year)
    stop = _stop(stop_f, year if year is not None else start.year)
    if mode == "DISCRETE":
        return [TimeWindow(start, stop)]
    if mode != "INTERVAL":
        raise InvalidInput(f"{mode!r} is not a period mode; give DISCRETE or INTERVAL")
    if len(s.fields) < 5:
        raise InvalidInput("an INTERVAL period needs a frequency and a duration")
    return _occurrences(TimeWindow(start, stop), s.fields[3], s.fields[4], year)


def _occurrences(
    first: TimeWindow, frequency: _Field, duration: _Field, year: int | None
) -> list[TimeWindow]:
    how = frequency.text.upper()
    if how not in _STEPS:
        raise InvalidInput(f"{how!r} is not a frequency; give one of {', '.join(_STEPS)}")
    if first.open_ended:
        raise InvalidInput("an INTERVAL period repeats a window, which needs a stop (not UFN)")
    until = _until(first.start, duration, year)
    windows, step, k = [], timedelta(days=_STEPS[how]), 0
    while (start := first.start + k * step) < until:
        if how not in _DAYS or start.weekday() in _DAYS[how]:
            windows.append(TimeWindow(start, first.end + k * step))
        k += 1
        if len(windows) > _MAX_WINDOWS:
            raise InvalidInput(f"the INTERVAL period makes more than {_MAX_WINDOWS} windows")
    return windows


def _until(start: datetime, duration: _Field, year: int | None) -> datetime:
    text = duration.text.upper()
    if text == "UFN":
        raise InvalidInput(
            "an INTERVAL period until further notice never ends; give a duration (7DAY, 4WK)"
        )
    span = _SPAN.match(text)
    if span:
        days = int(span["count"]) * (1 if span["unit"].startswith("D") else 7)
        return start + timedelta(days=days)
    return _instant(duration, year) + timedelta(seconds=1)


# -- shapes ---------------------------------------------------------------------------------------


def _points(fields: tuple[_Field, ...], problems: _Problems) -> list[LonLat]:
    points = []
    for f in fields:
        try:
            points.append(_position(f))
        except DeconflictError as exc:
            problems.add(f.line, f.text, exc)
    return points


def _footprint(kind: str, s: _Set, problems: _Problems) -> Footprint | None:
    """The footprint of a shape set; None (with the problems noted) when it is bad."""
    fields = tuple(f for f in s.fields if f.text and f.text != "-")
    positions = tuple(f for f in fields if _is_position(f) or f.text.upper().startswith("LAT"))
    others = tuple(f for f in fields if f not in positions)
    before = len(problems.found)
    points = _points(positions, problems)
    if len(problems.found) > before:  # the shape cannot be made; its distance is checked still
        if kind in ("CIRCLE", "CORRIDOR", "ORBIT") and others:
            try:
                _distance(others[0], "width" if kind != "CIRCLE" else "radius")
            except DeconflictError as exc:
                problems.add(others[0].line, others[0].text, exc)
        return None
    try:
        return _shape(kind, points, others, s)
    except DeconflictError as exc:
        problems.add(s.line, s.text, exc)
        return None


def _shape(kind: str, points: list[LonLat], others: tuple[_Field, ...], s: _Set) -> Footprint:
    if kind == "POLYGON":
        _no_extra(others)
        if len(points) < 3:
            raise InvalidInput("a POLYGON needs three or more corners")
        return Footprint.polygon(points)
    if kind == "LINE":
        _no_extra(others)
        return Footprint.line(points)
    if kind == "CIRCLE":
        if len(points) != 1 or len(others) != 1:
            raise InvalidInput("a CIRCLE is a centre and a radius (CIRCLE/351000N0401200E/10NM//)")
        return Footprint.circle(points[0], _distance(others[0], "radius"))
    if kind == "CORRIDOR":
        if len(others) != 1:
            raise InvalidInput(
                "a CORRIDOR is a width and its points (CORRIDOR/5NM/<point>/<point>//)"
            )
        return Footprint.corridor(points, _distance(others[0], "width"))
    return _orbit(points, others)


def _no_extra(others: tuple[_Field, ...]) -> None:
    if others:
        raise InvalidInput(f"{others[0].text!r} is not a position")


def _orbit(points: list[LonLat], others: tuple[_Field, ...]) -> Footprint:
    """A race-track: the corridor of the orbit's width around the line between its two points,
    shifted half a width to the left or right for alignment L or R."""
    if len(points) != 2 or len(others) not in (1, 2):
        raise InvalidInput("an ORBIT is two points, a width and an alignment (C, L or R)")
    width = _distance(others[0], "width")
    align = others[1].text.upper() if len(others) == 2 else "C"
    if align not in ("C", "L", "R"):
        raise InvalidInput(f"{align!r} is not an orbit alignment; give C, L or R")
    if align == "C":
        return Footprint.corridor(points, width)
    (lon1, lat1), (lon2, lat2) = points
    azimuth, back, _ = GEOD.inv(lon1, lat1, lon2, lat2)
    turn = -90.0 if align == "L" else 90.0
    a = GEOD.fwd(lon1, lat1, azimuth + turn, width / 2.0)
    b = GEOD.fwd(lon2, lat2, back - turn, width / 2.0)
    return Footprint.corridor([(float(a[0]), float(a[1])), (float(b[0]), float(b[1]))], width)


# -- airspace control means -----------------------------------------------------------------------


@dataclass
class _Acm:
    """One ACM as read so far, from its ACMID set on."""

    head: _Set
    type: str = ""
    name: str = ""
    shape: str = ""
    uses: list[str] = field(default_factory=list)
    footprint: Footprint | None = None
    shaped: bool = False
    band: AltitudeBand | None = None
    levelled: bool = False
    windows: list[TimeWindow] = field(default_factory=list)
    dated: bool = False
    broken: bool = False

    @property
    def rule(self) -> ZoneRule:
        codes = {self.type, *self.uses}
        if codes & NO_ENTRY:
            return ZoneRule.NO_ENTRY
        if codes & NO_STRIKE:
            return ZoneRule.NO_STRIKE
        return ZoneRule.NOTIFY_BEFORE_ENTRY

    @property
    def title(self) -> str:
        kinds = "/".join(dict.fromkeys(filter(None, (self.type, *self.uses))))
        return f"{self.name} ({kinds})" if kinds else self.name


def _acm(s: _Set, problems: _Problems) -> _Acm:
    acm = _Acm(s)
    for f in s.fields:
        label, colon, value = f.text.partition(":")
        label, value = label.strip().upper(), value.strip()
        if colon and label == "ACM":
            acm.type = value.upper()
        elif colon and label in ("NAME", "DESIG"):
            acm.name = value
        elif colon and label == "USE":
            acm.uses.append(value.upper())
        elif not colon and label in _SHAPES:
            acm.shape = _SHAPES[label]
        elif not colon and label and label != "-":
            problems.add(
                f.line,
                f.text,
                f"{f.text!r} is not a shape this import reads; give "
                "POLYGON, CIRCLE, CORRIDOR, ORBIT or LINE",
            )
            acm.broken = True
    if not acm.name:
        problems.add(s.line, s.text, "the ACMID set has no NAME: (or DESIG:)")
        acm.broken = True
    if not acm.shape and not acm.broken:
        problems.add(
            s.line,
            s.text,
            "the ACMID set names no shape (POLYGON, CIRCLE, CORRIDOR, ORBIT or LINE)",
        )
        acm.broken = True
    return acm


# -- the message ----------------------------------------------------------------------------------

_WGS84 = frozenset({"WGE", "W84", "WGS84", "WGS-84"})


def read_aco(text: str, options: AcoOptions) -> list[AcoMeasure]:
    """Every airspace control means of the ACO as a control measure of ``options.arrangement``.

    Raises :class:`InvalidDocument` listing every bad set (``field``: ``line N``) when any is
    bad, so nothing of a half-read order is ever recorded.
    """
    problems = _Problems()
    sets = list(_sets(text))
    if (
        not sets
        or sets[0].name != "MSGID"
        or not sets[0].fields
        or sets[0].fields[0].text.upper() != "ACO"
    ):
        first = sets[0] if sets else _Set(1, "", (), text[:40])
        problems.add(first.line, first.text, "an ACO starts with MSGID/ACO")
        raise InvalidDocument(problems.found)
    default, year = _message_period(sets, problems)
    acms: list[_Acm] = []
    for s in sets[1:]:
        _read_set(s, acms, year, options.ground_m, problems)
    measures: list[AcoMeasure] = []
    ids: set[str] = set()
    for acm in acms:
        measures += _measures(acm, default, options, ids, problems)
    if problems.found:
        raise InvalidDocument(sorted(problems.found, key=_line_of))
    return measures


def locate(measures: list[AcoMeasure]) -> Callable[[int, str | None], str]:
    """Where the n-th measure's field lies in the ACO: the line of its ACMID set (for
    ``service.imports.record_together``, which names it when the service refuses one)."""

    def where(index: int, field: str | None) -> str:
        line = f"line {measures[index].line}"
        return f"{line} ({measures[index].measure.id}.{field})" if field else line

    return where


def _line_of(error: DeconflictError) -> int:
    return int((error.field or "line 0").split()[-1])


def _message_period(sets: list[_Set], problems: _Problems) -> tuple[list[TimeWindow], int | None]:
    """The ACO's PERIOD (the default of every ACM), and the year DTGs without one take."""
    for s in sets:
        if s.name == "GEODATUM" and s.fields and s.fields[0].text.upper() not in _WGS84:
            problems.add(s.line, s.text, "positions must be on WGS 84 (GEODATUM/WGE)")
    periods = [s for s in sets if s.name == "PERIOD"]
    if not periods:
        return [], None
    s = periods[0]
    try:
        if len(s.fields) < 2:
            raise InvalidInput("PERIOD needs a start and a stop")
        start = _instant(s.fields[0], None)
        return [TimeWindow(start, _stop(s.fields[1], start.year))], start.year
    except DeconflictError as exc:
        problems.add(s.line, s.text, exc)
        return [], None


def _read_set(
    s: _Set, acms: list[_Acm], year: int | None, ground_m: float | None, problems: _Problems
) -> None:
    if s.name == "ACMID":
        acms.append(_acm(s, problems))
        return
    known = s.name in _SHAPES or s.name in ("EFFLEVEL", "APERIOD")
    if s.name in _UNSUPPORTED:
        problems.add(
            s.line,
            s.text,
            f"{s.name} shapes are not read; give POLYGON, CIRCLE, CORRIDOR, ORBIT or LINE",
        )
        if acms:
            acms[-1].broken = True
        return
    if not known:
        return  # headers, narrative, control points: nothing to record
    if not acms:
        problems.add(s.line, s.text, f"{s.name} comes before any ACMID")
        return
    acm = acms[-1]
    if s.name in _SHAPES:
        _read_shape(s, acm, problems)
    elif s.name == "EFFLEVEL":
        acm.levelled = True
        if not s.fields:
            problems.add(s.line, s.text, "EFFLEVEL needs a floor and a ceiling")
            acm.broken = True
            return
        try:
            acm.band = _band(s.fields[0], ground_m)
        except DeconflictError as exc:
            problems.add(s.line, s.text, exc)
            acm.broken = True
    else:
        acm.dated = True
        try:
            acm.windows += _windows(s, year)
        except DeconflictError as exc:
            problems.add(s.line, s.text, exc)
            acm.broken = True


def _read_shape(s: _Set, acm: _Acm, problems: _Problems) -> None:
    kind = _SHAPES[s.name]
    if acm.shaped:
        problems.add(s.line, s.text, f"{acm.name or 'this ACM'} already has its shape")
        acm.broken = True
        return
    acm.shaped = True
    if acm.shape and kind != acm.shape:
        problems.add(s.line, s.text, f"the ACMID says {acm.shape}, this set is a {kind}")
        acm.broken = True
        return
    acm.footprint = _footprint(kind, s, problems)
    acm.broken = acm.broken or acm.footprint is None


def _measures(
    acm: _Acm,
    default: list[TimeWindow],
    options: AcoOptions,
    ids: set[str],
    problems: _Problems,
) -> list[AcoMeasure]:
    """The measures of one ACM (one per window), or none with its problems noted."""
    where, text = acm.head.line, acm.head.text
    if not acm.shaped and not acm.broken:
        problems.add(where, text, f"{acm.name} has no {acm.shape or 'shape'} set")
        acm.broken = True
    line = acm.shape == "LINE"
    if not line and not acm.levelled and not acm.broken:
        problems.add(where, text, f"{acm.name} has no EFFLEVEL (its floor and ceiling)")
        acm.broken = True
    windows = acm.windows if acm.dated else default
    if not windows and not acm.dated:
        problems.add(
            where, text, f"{acm.name} has no APERIOD and the ACO no PERIOD: when does it apply?"
        )
        acm.broken = True
    if line and not options.sides:
        problems.add(
            where,
            text,
            "a LINE becomes a deconfliction line: say which side each party keeps (sides)",
        )
        acm.broken = True
    base = options.prefix + _slug(acm.name)
    names = [base] if len(windows) == 1 else [f"{base}-{k}" for k in range(1, len(windows) + 1)]
    taken = [n for n in names if n in ids]
    if taken:
        problems.add(where, text, f"id {taken[0]!r} is made twice; name the ACMs apart")
        acm.broken = True
    ids.update(names)
    if acm.broken or acm.footprint is None:
        return []
    made = []
    for name, window in zip(names, windows, strict=True):
        try:
            measure = _measure(acm, name, window, options)
        except DeconflictError as exc:
            problems.add(where, text, exc)
            return []
        made.append(AcoMeasure(where, text, measure))
    return made


def _measure(acm: _Acm, id: str, window: TimeWindow, options: AcoOptions) -> ControlMeasure:
    assert acm.footprint is not None
    if acm.shape == "LINE":
        return ControlMeasure(
            id,
            options.arrangement,
            MeasureKind.DECONFLICTION_LINE,
            acm.title,
            acm.footprint,
            window,
            sides=dict(options.sides),
            reach_m=options.reach_m,
        )
    return ControlMeasure(
        id,
        options.arrangement,
        MeasureKind.ZONE,
        acm.title,
        acm.footprint,
        window,
        rule=acm.rule,
        band=acm.band,
        owner=options.owner,
    )


def _slug(name: str) -> str:
    """An identifier made of the ACM's name: lower case, runs of other characters as ``-``."""
    return re.sub(r"[^a-z0-9_.:]+", "-", name.lower()).strip("-")[:48] or "acm"
