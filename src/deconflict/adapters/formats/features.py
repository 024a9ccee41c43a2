"""GeoJSON FeatureCollections of notices, declarations and measures: the only place that knows
how they travel as features (schemas/features-v1.json, docs/formats.md).

Import reads a whole collection into commands, checking every feature first and reporting all
the bad ones at once (:class:`~deconflict.domain.errors.InvalidDocument`, each problem's field
a path such as ``features[3].properties.start``); export writes a selection as RFC 7946
features (``[longitude, latitude]``, no ``crs``, exterior rings counter-clockwise).

A notice is one feature per volume, grouped by ``id`` (in the order of ``volume``, else of the
features). A circle is a ``Point`` with ``radius_m``, a corridor a ``LineString`` with
``width_m`` (the footprint convention of :mod:`.geojson`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from shapely.geometry import Polygon
from shapely.geometry.polygon import orient

from ...domain.arrangement import NoticeKind
from ...domain.declarations import Declaration
from ...domain.errors import DeconflictError, InvalidDocument, InvalidInput
from ...domain.geometry import Footprint, Shape
from ...domain.measures import ControlMeasure
from ...domain.notices import Notice
from ...domain.volume import UNTIL_FURTHER_NOTICE, AltitudeBand, TimeWindow, Volume4D
from ...service import commands as c
from ...service.selection import Selected
from ..payloads import build_command, volume
from .altitude import FEET, parse_altitude, to_msl
from .geojson import footprint_to_geojson
from .timefmt import format_iso

__all__ = ["Imported", "features_from_selection", "commands_from_features", "FEATURES_SCHEMA"]

FEATURES_SCHEMA = "schemas/features-v1.json"


@dataclass(frozen=True)
class Imported:
    """The commands a document asks for, in order, and where in the document each came from,
    so an error met while recording one can name that place (``features[3].properties.id``)."""

    commands: tuple[c.Command, ...]
    locate: Callable[[int, str | None], str]


# -- import -----------------------------------------------------------------------------------


_REQUIRED = re.compile(r"^'([^']+)' is a required property$")


@cache
def _validator() -> Draft202012Validator:
    text = resources.files("deconflict").joinpath(FEATURES_SCHEMA).read_text("utf-8")
    return Draft202012Validator(json.loads(text))


def _path(error: ValidationError) -> str:
    out = ""
    for part in error.absolute_path:
        out += f"[{part}]" if isinstance(part, int) else f"{'.' if out else ''}{part}"
    missing = _REQUIRED.match(error.message) if error.validator == "required" else None
    if missing:
        out += f"{'.' if out else ''}{missing[1]}"
    return out


def _order(error: ValidationError) -> list[tuple[int, int | str]]:
    return [(0, p) if isinstance(p, int) else (1, str(p)) for p in error.absolute_path]


def _shape_problems(document: Any) -> tuple[list[DeconflictError], set[int] | None]:
    """What the JSON Schema finds wrong, every error with its path, in document order; and
    which features it found wrong (the others are read on), or None when the document is no
    FeatureCollection at all."""
    errors = sorted(_validator().iter_errors(document), key=_order)
    problems: list[DeconflictError] = [InvalidInput(_message(e), field=_path(e)) for e in errors]
    where = [list(e.absolute_path) for e in errors]
    if any(len(p) < 2 or p[0] != "features" for p in where):
        return problems, None
    return problems, {int(p[1]) for p in where}


def _message(error: ValidationError) -> str:
    if error.validator == "required":
        return "this field is required"
    return error.message


def _feature_field(index: int, field: str | None) -> str:
    """Where a payload field lies in feature ``index``: its geometry or its properties."""
    prefix = f"features[{index}]"
    if not field:
        return prefix
    field = field.removeprefix("footprint.").removeprefix("footprint")
    for extent in ("radius_m", "width_m"):
        if field.removeprefix("geometry.").startswith(extent):
            return f"{prefix}.properties.{extent}"
    if not field or field.startswith("geometry"):
        return f"{prefix}.{field or 'geometry'}"
    renamed = {"lower_m": "lower", "upper_m": "upper"}.get(field, field)
    return f"{prefix}.properties.{renamed}"


_DATUM_FREE = ("FL", "SFC", "MSL")


def _altitude(props: Mapping[str, Any], name: str) -> float:
    """``lower`` or ``upper`` in metres AMSL, from its units and datum."""
    value = props[name]
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            metres = float(value) * (FEET if props.get("units") == "ft" else 1.0)
        else:
            metres = parse_altitude(value)
            if str(value).strip().upper().startswith(_DATUM_FREE):
                return metres
        return to_msl(metres, props.get("datum", "MSL"), props.get("geoid_undulation_m", 0.0))
    except DeconflictError as exc:
        raise exc.at(name) from None


def _footprint(feature: Mapping[str, Any]) -> dict[str, Any]:
    props = feature["properties"]
    out = {"geometry": feature["geometry"]}
    out |= {k: props[k] for k in ("radius_m", "width_m") if k in props}
    return out


def _window(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: props[k] for k in ("start", "end") if props.get(k) is not None}


def _texts(props: Mapping[str, Any], *names: str) -> dict[str, Any]:
    return {k: props[k] for k in names if k in props}


def _declaration(feature: Mapping[str, Any]) -> c.Command:
    props = feature["properties"]
    payload = {
        "id": props["id"],
        "kind": props["declaration_kind"],
        "footprint": _footprint(feature),
        **_window(props),
        "disclosed_to": props.get("disclosed_to", []),
        **_texts(props, "category", "forces", "label"),
    }
    try:
        return build_command("declare", payload)
    except DeconflictError as exc:
        if exc.field == "kind":
            exc.field = "declaration_kind"
        raise


def _measure(feature: Mapping[str, Any]) -> c.Command:
    props = feature["properties"]
    payload: dict[str, Any] = {
        "id": props["id"],
        "arrangement": props["arrangement"],
        "kind": props["measure_kind"],
        "name": props["name"],
        "footprint": _footprint(feature),
        **_window(props),
        **_texts(
            props,
            "sides",
            "reach_m",
            "crossing_kinds",
            "rule",
            "owner",
            "applies_to",
            "notify_lead_min",
        ),
    }
    if "lower" in props or "upper" in props:
        payload |= {n: _altitude(props, n) for n in ("lower", "upper") if n in props}
    try:
        return build_command("create_measure", payload)
    except DeconflictError as exc:
        if exc.field == "kind":
            exc.field = "measure_kind"
        raise


def _volume(feature: Mapping[str, Any]) -> Volume4D:
    props = feature["properties"]
    payload = {
        "footprint": _footprint(feature),
        "lower": _altitude(props, "lower"),
        "upper": _altitude(props, "upper"),
        **_window(props),
    }
    return volume(payload)


def _check_owner(props: Mapping[str, Any], party: str | None) -> None:
    if party is not None and props.get("party", party) != party:
        raise InvalidInput(
            f"features are imported for the importing member's party {party!r}, "
            f"not {props['party']!r}",
            field="party",
        )
    if props.get("state", "active") != "active":
        raise InvalidInput(
            f"only active objects are imported; this one is {props['state']}", field="state"
        )


@dataclass
class _NoticeDraft:
    first: int
    props: Mapping[str, Any]
    volumes: list[tuple[int, int, Volume4D]]  # (volume place, feature index, volume)


_NOTICE_FIELDS = ("line", "notice_kind", "forces", "remarks")


def _add_volume(drafts: dict[str, _NoticeDraft], index: int, feature: Mapping[str, Any]) -> None:
    props = feature["properties"]
    draft = drafts.setdefault(props["id"], _NoticeDraft(index, props, []))
    for name in _NOTICE_FIELDS:
        if props.get(name) != draft.props.get(name):
            raise InvalidInput(
                f"{props.get(name)!r} differs from {draft.props.get(name)!r} in "
                f"features[{draft.first}], a volume of the same notice {props['id']!r}",
                field=name,
            )
    place = props.get("volume", len(draft.volumes))
    if any(place == p for p, _, _ in draft.volumes):
        raise InvalidInput(f"notice {props['id']!r} has two volumes {place}", field="volume")
    draft.volumes.append((place, index, _volume(feature)))


def _notify(draft: _NoticeDraft) -> c.Notify:
    props = draft.props
    volumes = tuple(v for _, _, v in sorted(draft.volumes, key=lambda x: (x[0], x[1])))
    if len(volumes) > 100:
        raise InvalidInput(f"{len(volumes)} volumes; a notice has at most 100", field="volume")
    return c.Notify(
        props["id"],
        props["line"],
        NoticeKind(props["notice_kind"]),
        volumes,
        props.get("forces", ""),
        props.get("remarks", ""),
    )


def commands_from_features(document: Any, party: str | None = None) -> Imported:
    """The commands a FeatureCollection asks for: each declaration and measure, and each
    notice (its volumes gathered from every feature with its id), in the order of their
    first feature. ``party``, when given, is the importing member's: a feature naming another
    party is refused. Every bad feature is reported at once; nothing is returned then.

    >>> commands_from_features({"type": "FeatureCollection", "features": []}).commands
    ()
    """
    problems, bad = _shape_problems(document)
    if bad is None:
        raise InvalidDocument(problems)
    found: list[tuple[int, c.Command]] = []
    drafts: dict[str, _NoticeDraft] = {}
    seen: dict[tuple[str, str], int] = {}
    for index, feature in enumerate(document["features"]):
        if index in bad:
            continue
        props = feature["properties"]
        try:
            _check_owner(props, party)
            if props["kind"] != "notice" and (props["kind"], props["id"]) in seen:
                raise InvalidInput(
                    f"{props['kind']} {props['id']!r} is already in "
                    f"features[{seen[(props['kind'], props['id'])]}]",
                    field="id",
                )
            seen.setdefault((props["kind"], props["id"]), index)
            if props["kind"] == "notice":
                _add_volume(drafts, index, feature)
            elif props["kind"] == "declaration":
                found.append((index, _declaration(feature)))
            else:
                found.append((index, _measure(feature)))
        except DeconflictError as exc:
            exc.field = _feature_field(index, exc.field)
            problems.append(exc)
        except OverflowError:  # an integer too large for a float (JSON has no bound)
            problems.append(InvalidInput("a number is out of range", field=f"features[{index}]"))
    for draft in drafts.values():
        try:
            found.append((draft.first, _notify(draft)))
        except DeconflictError as exc:
            exc.field = _feature_field(draft.first, exc.field)
            problems.append(exc)
    if problems:
        raise InvalidDocument(sorted(problems, key=_feature_order))
    found.sort(key=lambda item: item[0])
    origins = [index for index, _ in found]
    return Imported(
        tuple(cmd for _, cmd in found), lambda i, field: _feature_field(origins[i], field)
    )


def _feature_order(problem: DeconflictError) -> int:
    field = problem.field or ""
    head = field.removeprefix("features[").split("]", 1)[0]
    return int(head) if head.isdigit() else -1


# -- export -----------------------------------------------------------------------------------


def _geometry(fp: Footprint) -> tuple[dict[str, Any], dict[str, Any]]:
    """The GeoJSON geometry of a footprint (rings counter-clockwise, RFC 7946 §3.1.6) and the
    properties that complete it (shape, radius_m or width_m)."""
    out = footprint_to_geojson(fp)
    geometry = out.pop("geometry")
    if fp.shape is Shape.POLYGON:
        ring = orient(Polygon(fp.coordinates), sign=1.0).exterior.coords
        geometry = {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}
    return geometry, out


def _end(window: TimeWindow) -> str | None:
    return None if window.end >= UNTIL_FURTHER_NOTICE else format_iso(window.end)


def _band(band: AltitudeBand) -> dict[str, Any]:
    return {"lower": band.lower_m, "upper": band.upper_m, "units": "m", "datum": "MSL"}


def _feature(feature_id: str, fp: Footprint, props: dict[str, Any]) -> dict[str, Any]:
    geometry, extent = _geometry(fp)
    return {
        "type": "Feature",
        "id": feature_id,
        "geometry": geometry,
        "properties": props | extent,
    }


def _notice_features(notice: Notice) -> list[dict[str, Any]]:
    common = {
        "kind": "notice",
        "id": notice.id,
        "party": notice.party,
        "state": str(notice.status),
        "version": notice.version,
        "line": notice.line,
        "notice_kind": str(notice.kind),
        "filed_at": format_iso(notice.filed_at),
    }
    if notice.message_number is not None:
        common["message_number"] = notice.message_number
    texts = {k: v for k, v in (("forces", notice.forces), ("remarks", notice.remarks)) if v}
    return [
        _feature(
            f"notice/{notice.id}/{i}",
            v.footprint,
            common
            | {"volume": i, "start": format_iso(v.window.start), "end": format_iso(v.window.end)}
            | _band(v.band)
            | texts,
        )
        for i, v in enumerate(notice.volumes)
    ]


def _declaration_feature(d: Declaration) -> dict[str, Any]:
    props: dict[str, Any] = {
        "kind": "declaration",
        "id": d.id,
        "party": d.party,
        "state": "active" if d.active else "withdrawn",
        "declaration_kind": str(d.kind),
        "start": format_iso(d.window.start),
        "end": _end(d.window),
        "disclosed_to": list(d.disclosed_to),
        "declared_at": format_iso(d.declared_at),
    }
    props |= {k: v for k, v in (("category", d.category), ("forces", d.forces)) if v}
    props |= {"label": d.label} if d.label else {}
    return _feature(f"declaration/{d.id}", d.footprint, props)


def _measure_feature(m: ControlMeasure) -> dict[str, Any]:
    props: dict[str, Any] = {
        "kind": "measure",
        "id": m.id,
        "state": "active" if m.active else "withdrawn",
        "arrangement": m.arrangement,
        "measure_kind": str(m.kind),
        "name": m.name,
        "start": format_iso(m.window.start),
        "end": _end(m.window),
    }
    if m.sides:
        props |= {
            "sides": {p: str(s) for p, s in m.sides.items()},
            "reach_m": m.reach_m,
            "crossing_kinds": [str(k) for k in m.crossing_kinds],
        }
    if m.rule is not None:
        props["rule"] = str(m.rule)
    if m.band is not None:
        props |= _band(m.band)
    if m.owner is not None:
        props["owner"] = m.owner
    if m.applies_to:
        props["applies_to"] = list(m.applies_to)
    if m.notify_lead:
        props["notify_lead_min"] = m.notify_lead.total_seconds() / 60.0
    return _feature(f"measure/{m.id}", m.footprint, props)


def features_from_selection(selected: Selected) -> dict[str, Any]:
    """A FeatureCollection of what was selected (every object one the reading party may see
    whole), readable back by :func:`commands_from_features`."""
    features = [f for n in selected.notices for f in _notice_features(n)]
    features += [_declaration_feature(d) for d in selected.declarations]
    features += [_measure_feature(m) for m in selected.measures]
    return {"type": "FeatureCollection", "features": features}
