"""The one mapping between domain records and JSON-ready dicts (store rows, log bodies)."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, TypeVar

import cattrs
from cattrs.v import transform_error

from ..domain.chain import canonical, quote
from ..domain.conflicts import Conflict, ConflictView, ObjectRef, OtherView
from ..domain.errors import DeconflictError, InvalidInput
from ..domain.volume import AltitudeBand, TimeWindow
from ..service.ports import RECORD_TYPES, Record

__all__ = ["to_dict", "from_dict", "type_name", "iso"]

T = TypeVar("T")

#: Tuples come out as lists, as they read back from JSON (a value presented without a JSON round
#: trip equals one that made it).
_converter = cattrs.Converter(unstruct_collection_overrides={tuple: list})


def _iso(value: datetime) -> str:
    text = value.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


#: The same few times are written again and again (a command's time in each of its entries,
#: a window's ends in each conflict it makes, and again in each party's view of them).
_iso_fixed = functools.lru_cache(maxsize=4096)(_iso)


def iso(value: datetime) -> str:
    """UTC ISO 8601 with a Z, to the microsecond when there is one."""
    # Only a fixed offset is cached: equal values are then one instant, so one text (in a zone
    # with daylight saving, two instants of a repeated hour compare, and hash, equal).
    return _iso_fixed(value) if type(value.tzinfo) is timezone else _iso(value)


def _parse_iso(value: Any, _: type) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


_converter.register_unstructure_hook(datetime, iso)
_converter.register_structure_hook(datetime, _parse_iso)
_converter.register_unstructure_hook(timedelta, lambda d: d.total_seconds())
_converter.register_structure_hook(timedelta, lambda v, _: timedelta(seconds=float(v)))


# Written out by hand for what a notice makes by the dozen (its conflicts, each party's view of
# them, their windows and bands): the same dicts, keys in the same order, as the hooks cattrs
# generates (tests hold them to it, field by field), without the generic per-field calls.
def _window(w: TimeWindow) -> dict[str, Any]:
    return {"start": iso(w.start), "end": iso(w.end)}


def _band(b: AltitudeBand) -> dict[str, Any]:
    return {"lower_m": b.lower_m, "upper_m": b.upper_m}


def _ref(r: ObjectRef) -> dict[str, Any]:
    return {"type": r.type, "id": r.id, "party": r.party, "kind": r.kind, "version": r.version}


def _other_view(o: OtherView) -> dict[str, Any]:
    return {"type": o.type, "kind": o.kind, "party": o.party, "id": o.id}


def _conflict(c: Conflict) -> dict[str, Any]:
    return {
        "id": c.id,
        "rule": c.rule._value_,
        "severity": c.severity._value_,
        "subject": _ref(c.subject),
        "other": _ref(c.other),
        "found_at": iso(c.found_at),
        "distance_m": c.distance_m,
        "window": None if c.window is None else _window(c.window),
        "band": None if c.band is None else _band(c.band),
        "detail": c.detail,
        "cleared_at": None if c.cleared_at is None else iso(c.cleared_at),
    }


def _conflict_view(v: ConflictView) -> dict[str, Any]:
    return {
        "id": v.id,
        "rule": v.rule._value_,
        "severity": v.severity._value_,
        "subject": _ref(v.subject),
        "other": _other_view(v.other),
        "found_at": iso(v.found_at),
        "window": None if v.window is None else _window(v.window),
        "distance_band": v.distance_band,
        "distance_m": v.distance_m,
        "band": None if v.band is None else _band(v.band),
        "detail": v.detail,
        "active": v.active,
        "disclosed": v.disclosed,
    }


#: Type -> its hand-written hook (the tests compare each with cattrs' own).
WRITTEN_OUT: dict[type[Any], Any] = {
    TimeWindow: _window,
    AltitudeBand: _band,
    ObjectRef: _ref,
    OtherView: _other_view,
    Conflict: _conflict,
    ConflictView: _conflict_view,
}
for _cls, _hook in WRITTEN_OUT.items():
    _converter.register_unstructure_hook(_cls, _hook)

#: Each type's hook, found once: cattrs' own look-up costs more than the written-out hooks.
_HOOKS: dict[type[Any], Any] = dict(WRITTEN_OUT)


def _unstructure(value: Any) -> Any:
    cls = type(value)
    hook = _HOOKS.get(cls)
    if hook is None:
        hook = _HOOKS[cls] = _converter.get_unstructure_hook(cls)
    return hook(value)


# A conflict's canonical encoding written out from ``_conflict``'s dict, keys in sorted order,
# as ``canonical`` gives it (a notice in a crowded place records dozens; the general encoder
# sorts every dict of each). A value of a type it does not expect, or a float that is not
# finite, falls back to the general encoder, which writes the one or refuses the other.
class _Unexpected(Exception):
    pass


def _number(value: Any) -> str:
    if type(value) is float:
        if value - value != 0.0:  # NaN or infinity
            raise _Unexpected
        return float.__repr__(value)
    if type(value) is int:
        return int.__repr__(value)
    raise _Unexpected


def _text(value: Any) -> str:
    if type(value) is not str:
        raise _Unexpected
    return quote(value)


def _canonical_ref(r: dict[str, Any]) -> str:
    return (
        f'{{"id":{_text(r["id"])},"kind":{_text(r["kind"])},"party":{_text(r["party"])},'
        f'"type":{_text(r["type"])},"version":{_number(r["version"])}}}'
    )


def _canonical_conflict(c: dict[str, Any]) -> bytes:
    band, window, cleared, distance = c["band"], c["window"], c["cleared_at"], c["distance_m"]
    return (
        "{"
        f'"band":{"null" if band is None else _canonical_band(band)},'
        f'"cleared_at":{"null" if cleared is None else _text(cleared)},'
        f'"detail":{_text(c["detail"])},'
        f'"distance_m":{"null" if distance is None else _number(distance)},'
        f'"found_at":{_text(c["found_at"])},'
        f'"id":{_text(c["id"])},'
        f'"other":{_canonical_ref(c["other"])},'
        f'"rule":{_text(c["rule"])},'
        f'"severity":{_text(c["severity"])},'
        f'"subject":{_canonical_ref(c["subject"])},'
        f'"window":{"null" if window is None else _canonical_window(window)}'
        "}"
    ).encode()


def _canonical_band(b: dict[str, Any]) -> str:
    return f'{{"lower_m":{_number(b["lower_m"])},"upper_m":{_number(b["upper_m"])}}}'


def _canonical_window(w: dict[str, Any]) -> str:
    return f'{{"end":{_text(w["end"])},"start":{_text(w["start"])}}}'


_NAMES = {cls: name for name, cls in RECORD_TYPES.items()}


def type_name(record: Record) -> str:
    return _NAMES[type(record)]


def encode(value: Any) -> tuple[dict[str, Any], bytes]:
    """The value JSON-ready (as it reads back from JSON: lists, not tuples) and its canonical
    encoding, made once."""
    result: dict[str, Any] = _unstructure(value)
    if type(value) is Conflict:
        try:
            return result, _canonical_conflict(result)
        except _Unexpected:
            pass
    return result, canonical(result)


def to_dict(value: Any) -> dict[str, Any]:
    """JSON-ready, exactly as it will read back from JSON (lists, not tuples), without
    encoding it (what the API and the streams present)."""
    result: dict[str, Any] = _unstructure(value)
    return result


def _named_error(exc: Exception) -> DeconflictError:
    """The first failure inside a cattrs error, as a named error with its field path."""
    found: list[BaseException] = []

    def keep(error: BaseException, _: Any) -> str:
        found.append(error)
        return ""

    paths = transform_error(exc, path="", format_exception=keep)
    if not found:
        return InvalidInput(str(exc))
    error, path = found[0], paths[0].rsplit(" @ ", 1)[-1].lstrip(".")
    if isinstance(error, DeconflictError):
        return error.at(path) if path else error
    if isinstance(error, KeyError):
        missing = f"{path}.{error.args[0]}" if path else str(error.args[0])
        return InvalidInput("this field is required", field=missing)
    return InvalidInput(f"invalid value ({error})", field=path or None)


def from_dict(cls: type[T], data: Any) -> T:
    """Rebuild (and so re-validate) a value; bad data raises a named error with its field."""
    try:
        return _converter.structure(data, cls)
    except DeconflictError:
        raise
    except (cattrs.BaseValidationError, KeyError, TypeError, ValueError) as exc:
        raise _named_error(exc) from exc
