"""User payloads → commands: the one place that knows the payload shapes that scenario steps
and API requests share.

Users type positions as decimal degrees, MGRS or ACO (or ``[lon, lat]``), times as ISO 8601 or
DTG, altitudes in metres, feet or flight levels; everything becomes canonical units here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from enum import Enum
from typing import Any, TypeVar

from ..domain.arrangement import (
    Arrangement,
    DeclarationKind,
    LineDomain,
    LineSpec,
    NoticeKind,
    Rules,
)
from ..domain.errors import DeconflictError, InvalidInput
from ..domain.geometry import Footprint, LonLat, Shape
from ..domain.incidents import IncidentKind, Rung
from ..domain.lines import Answer, MessageKind
from ..domain.measures import ControlMeasure, MeasureKind, Side, ZoneRule
from ..domain.parties import Role
from ..domain.volume import UNTIL_FURTHER_NOTICE, AltitudeBand, TimeWindow, Volume4D
from ..service import commands as c
from .formats.altitude import parse_altitude
from .formats.geojson import footprint_from_geojson
from .formats.position import parse_position, validate_lon_lat
from .formats.timefmt import parse_time
from .rivers import euphrates_course

__all__ = ["build_command", "ACTIONS"]

Payload = Mapping[str, Any]
T = TypeVar("T")


def _field(payload: Payload, name: str, parse: Callable[[Any], Any]) -> Any:
    if name not in payload:
        raise InvalidInput("this field is required", field=name)
    try:
        return parse(payload[name])
    except ValueError as exc:
        if isinstance(parse, type) and issubclass(parse, Enum):
            allowed = ", ".join(m.value for m in parse)
            raise InvalidInput(f"{payload[name]!r} is not one of: {allowed}", field=name) from None
        raise InvalidInput(f"invalid value {payload[name]!r} ({exc})", field=name) from None
    except DeconflictError as exc:
        raise exc.at(name) from None
    except (TypeError, KeyError) as exc:
        raise InvalidInput(f"invalid value {payload[name]!r} ({exc})", field=name) from None


def _optional(payload: Payload, name: str, parse: Callable[[Any], Any], default: Any) -> Any:
    return _field(payload, name, parse) if name in payload else default


def position(value: Any) -> LonLat:
    if isinstance(value, list | tuple) and len(value) == 2:
        return validate_lon_lat(float(value[0]), float(value[1]))
    if isinstance(value, str):
        return parse_position(value)
    raise InvalidInput(f"{value!r} is not a position (text or [lon, lat])")


def _each(parse: Callable[[Any], T], what: str) -> Callable[[Any], list[T]]:
    """Parse a non-empty list item by item; an error names the item's index."""

    def parse_all(value: Any) -> list[T]:
        if not isinstance(value, list) or not value:
            raise InvalidInput(f"expected a non-empty list of {what}")
        out = []
        for i, item in enumerate(value):
            try:
                out.append(parse(item))
            except DeconflictError as exc:
                raise exc.at(f"[{i}]") from None
        return out

    return parse_all


_RIVERS: dict[str, Callable[[], list[LonLat]]] = {"euphrates": euphrates_course}


def _path(p: Payload) -> list[LonLat]:
    if "river" in p:
        name = str(p["river"]).lower()
        if name not in _RIVERS:
            raise InvalidInput(f"unknown river {name!r}; known: {sorted(_RIVERS)}", field="river")
        return _RIVERS[name]()
    return list(_field(p, "path", _each(position, "positions")))


def footprint(p: Any) -> Footprint:
    """A footprint as users give it: a GeoJSON geometry (with ``radius_m`` or ``width_m``), or
    a shape with positions typed as text."""
    if not isinstance(p, Mapping):
        raise InvalidInput("a footprint is a mapping with a geometry or a shape")
    if "geometry" in p:
        return footprint_from_geojson(
            p["geometry"],
            _optional(p, "radius_m", float, None),
            _optional(p, "width_m", float, None),
        )
    shape = _field(p, "shape", Shape)
    if shape is Shape.POINT:
        return Footprint.point(_field(p, "at", position))
    if shape is Shape.CIRCLE:
        return Footprint.circle(_field(p, "centre", position), _field(p, "radius_m", float))
    if shape is Shape.POLYGON:
        return Footprint.polygon(_field(p, "points", _each(position, "positions")))
    if shape is Shape.CORRIDOR:
        return Footprint.corridor(_path(p), _field(p, "width_m", float))
    return Footprint.line(_path(p))


def window(p: Payload) -> TimeWindow:
    start = _field(p, "start", parse_time)
    end = _optional(p, "end", parse_time, UNTIL_FURTHER_NOTICE)
    try:
        return TimeWindow(start, end)
    except DeconflictError as exc:
        raise exc from None


def band(p: Payload) -> AltitudeBand:
    return AltitudeBand(_field(p, "lower", parse_altitude), _field(p, "upper", parse_altitude))


def volume(p: Any) -> Volume4D:
    return Volume4D(_field(p, "footprint", footprint), band(p), window(p))


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput("expected a list of identifiers")
    return tuple(value)


_MAX_MINUTES = 366 * 24 * 60  # a year: no agreed lead time or deadline is longer


def _minutes(value: Any) -> timedelta:
    minutes = float(value)
    if not 0 <= minutes <= _MAX_MINUTES:
        raise InvalidInput(f"{value!r} minutes is outside 0..{_MAX_MINUTES} (a year)")
    return timedelta(minutes=minutes)


def _rules(p: Any) -> Rules:
    defaults = Rules()
    leads = {NoticeKind(k): _minutes(v) for k, v in dict(p.get("min_lead_min", {})).items()}
    buffers = {DeclarationKind(k): float(v) for k, v in dict(p.get("buffer_m", {})).items()}
    return Rules(
        min_lead=defaults.min_lead | leads,
        buffer_m=defaults.buffer_m | buffers,
        lateral_separation_m=float(p.get("lateral_separation_m", defaults.lateral_separation_m)),
        vertical_separation_m=float(p.get("vertical_separation_m", defaults.vertical_separation_m)),
    )


def _line_spec(p: Any) -> LineSpec:
    return LineSpec(
        LineDomain(p["domain"]),
        _minutes(p.get("ack_deadline_min", 15)),
        LineDomain(p.get("escalates_to", "command")),
    )


def _arrangement(p: Payload) -> c.CreateArrangement:
    lines = (
        tuple(_line_spec(x) for x in p["lines"])
        if "lines" in p
        else Arrangement("x", ("a", "b")).lines
    )
    return c.CreateArrangement(
        Arrangement(
            _field(p, "id", str),
            _field(p, "parties", _strings),
            lines,
            _optional(p, "rules", _rules, Rules()),
        )
    )


def _measure(p: Payload) -> c.CreateMeasure:
    return c.CreateMeasure(
        ControlMeasure(
            id=_field(p, "id", str),
            arrangement=_field(p, "arrangement", str),
            kind=_field(p, "kind", MeasureKind),
            name=_field(p, "name", str),
            footprint=_field(p, "footprint", footprint),
            window=window(p),
            sides=_optional(
                p, "sides", lambda v: {str(k): Side(s) for k, s in dict(v).items()}, {}
            ),
            reach_m=_optional(p, "reach_m", float, 50_000.0),
            crossing_kinds=_optional(
                p, "crossing_kinds", lambda v: tuple(NoticeKind(k) for k in v), ()
            ),
            rule=_optional(p, "rule", ZoneRule, None),
            band=band(p) if "lower" in p or "upper" in p else None,
            owner=_optional(p, "owner", str, None),
            applies_to=_optional(p, "applies_to", _strings, ()),
            notify_lead=_optional(p, "notify_lead_min", _minutes, timedelta(0)),
        )
    )


def _declare(p: Payload) -> c.Declare:
    return c.Declare(
        id=_field(p, "id", str),
        kind=_field(p, "kind", DeclarationKind),
        footprint=_field(p, "footprint", footprint),
        window=window(p),
        disclosed_to=_optional(p, "disclosed_to", _strings, ()),
        category=_optional(p, "category", str, ""),
        forces=_optional(p, "forces", str, ""),
        label=_optional(p, "label", str, ""),
    )


def _send(kind: MessageKind) -> Callable[[Payload], c.Send]:
    def build(p: Payload) -> c.Send:
        return c.Send(
            _field(p, "line", str),
            kind,
            _field(p, "text", str),
            _optional(p, "refers_to", int, None),
            _optional(p, "notice", str, None),
            _optional(p, "incident", str, None),
        )

    return build


ACTIONS: dict[str, Callable[[Payload], c.Command]] = {
    "create_party": lambda p: c.CreateParty(
        _field(p, "id", str), _field(p, "name", str), _optional(p, "affiliates", _strings, ())
    ),
    "add_member": lambda p: c.AddMember(
        _field(p, "id", str),
        _field(p, "party", str),
        _field(p, "role", Role),
        p.get("name", ""),
        _optional(p, "token_sha256", str, None),
    ),
    "report_incident": lambda p: c.ReportIncident(
        _field(p, "id", str),
        _field(p, "kind", IncidentKind),
        window(p),
        _field(p, "place", footprint),
        _optional(p, "affected", _strings, ()),
        _optional(p, "alleged", _strings, ()),
        p.get("text", ""),
    ),
    "climb_ladder": lambda p: c.ClimbLadder(
        _field(p, "id", str),
        _field(p, "zone", str),
        _field(p, "rung", Rung),
        _optional(p, "incident", str, None),
        p.get("text", ""),
    ),
    "revoke_credentials": lambda p: c.RevokeCredentials(_field(p, "member", str)),
    "create_arrangement": _arrangement,
    "open_line": lambda p: c.OpenLine(
        _field(p, "id", str),
        _field(p, "arrangement", str),
        _field(p, "domain", LineDomain),
        _optional(p, "parties", _strings, ()),
    ),
    "create_measure": _measure,
    "declare": _declare,
    "withdraw": lambda p: c.Withdraw(_field(p, "id", str)),
    "notify": lambda p: c.Notify(
        _field(p, "id", str),
        _field(p, "line", str),
        _field(p, "kind", NoticeKind),
        tuple(_field(p, "volumes", _each(volume, "volumes"))),
        p.get("forces", ""),
        p.get("remarks", ""),
    ),
    "amend": lambda p: c.Amend(
        _field(p, "id", str),
        tuple(_field(p, "volumes", _each(volume, "volumes"))),
        p.get("remarks", ""),
    ),
    "cancel": lambda p: c.Cancel(_field(p, "id", str), p.get("reason", "")),
    "acknowledge": lambda p: c.Acknowledge(
        _field(p, "line", str),
        _field(p, "number", int),
        _field(p, "answer", Answer),
        p.get("reason", ""),
    ),
    "query": _send(MessageKind.QUERY),
    "reply": _send(MessageKind.REPLY),
    "stop": _send(MessageKind.STOP_REQUEST),
    "warn": _send(MessageKind.WARNING),
    "message": _send(MessageKind.TEXT),
    "suspend_line": lambda p: c.SetLineStatus(_field(p, "line", str), True),
    "resume_line": lambda p: c.SetLineStatus(_field(p, "line", str), False),
    "process_deadlines": lambda p: c.ProcessDeadlines(),
}


def build_command(action: str, payload: Payload) -> c.Command:
    """The command a step asks for; a bad payload raises a named error naming the field."""
    if action not in ACTIONS:
        raise InvalidInput(
            f"unknown action {action!r}; known: {', '.join(ACTIONS)}", field="action"
        )
    return ACTIONS[action](payload)
