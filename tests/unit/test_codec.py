"""Records as the log and the API write them: times in UTC ISO 8601 with a Z, one text per
instant; the hooks written out by hand the same as the generated ones."""

from __future__ import annotations

import json
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import cattrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deconflict.adapters.codec import WRITTEN_OUT, encode, iso, to_dict
from deconflict.domain.chain import canonical
from deconflict.domain.conflicts import (
    Conflict,
    ConflictRule,
    ConflictView,
    ObjectRef,
    OtherView,
    Severity,
)
from deconflict.domain.volume import AltitudeBand, TimeWindow


def test_utc_is_written_with_a_z_and_microseconds_only_when_there_are_some() -> None:
    assert iso(datetime(2026, 1, 1, 6, 0, tzinfo=UTC)) == "2026-01-01T06:00:00Z"
    assert iso(datetime(2026, 1, 1, 6, 0, 0, 1500, tzinfo=UTC)) == "2026-01-01T06:00:00.001500Z"


def test_a_fixed_offset_is_converted_to_utc_and_one_instant_has_one_text() -> None:
    plus_two = timezone(timedelta(hours=2))
    utc = datetime(2026, 1, 1, 6, 0, tzinfo=UTC)
    assert iso(utc) == "2026-01-01T06:00:00Z"  # now known
    assert iso(utc.astimezone(plus_two)) == "2026-01-01T06:00:00Z"
    assert iso(datetime(2026, 1, 1, 6, 0, tzinfo=plus_two)) == "2026-01-01T04:00:00Z"


def test_the_two_instants_of_a_repeated_hour_are_told_apart() -> None:
    # In a zone with daylight saving, 02:30 on the night clocks go back happens twice; the
    # two datetimes compare and hash equal, but are an hour apart.
    berlin = ZoneInfo("Europe/Berlin")
    first = datetime(2025, 10, 26, 2, 30, tzinfo=berlin)
    second = first.replace(fold=1)
    assert first == second
    assert iso(first) == "2025-10-26T00:30:00Z"
    assert iso(second) == "2025-10-26T01:30:00Z"
    assert iso(first) == "2025-10-26T00:30:00Z"


# The hooks written out by hand give what cattrs' generated ones give, keys in the same order.

_times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
_floats = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6)
_text = st.text(max_size=12)


@st.composite
def _windows(draw: st.DrawFn) -> TimeWindow:
    start = draw(_times)
    return TimeWindow(start, start + timedelta(seconds=draw(st.integers(1, 10**7))))


@st.composite
def _bands(draw: st.DrawFn) -> AltitudeBand:
    lower = draw(st.floats(min_value=-500, max_value=20_000))
    return AltitudeBand(lower, lower + draw(st.floats(min_value=1, max_value=20_000)))


_refs = st.builds(ObjectRef, _text, _text, _text, _text, st.integers(1, 99))
#: What a conflict and its view have in common (the view redacts the rest).
_common = {
    "id": _text,
    "rule": st.sampled_from(ConflictRule),
    "severity": st.sampled_from(Severity),
    "subject": _refs,
    "found_at": _times,
    "distance_m": st.none() | _floats,
    "window": st.none() | _windows(),
    "band": st.none() | _bands(),
    "detail": _text,
}
_conflicts = st.builds(Conflict, other=_refs, cleared_at=st.none() | _times, **_common)
_others = st.builds(OtherView, _text, _text, _text, st.none() | _text)
_views = st.builds(
    ConflictView,
    other=_others,
    distance_band=st.none() | _text,
    active=st.booleans(),
    disclosed=st.booleans(),
    **_common,
)


def _generated() -> cattrs.Converter:
    converter = cattrs.Converter(unstruct_collection_overrides={tuple: list})
    converter.register_unstructure_hook(datetime, iso)
    return converter


@settings(max_examples=300)
@given(st.one_of(_conflicts, _views, _windows(), _bands(), _refs, _others))
def test_the_written_out_hooks_give_what_cattrs_generates(value: object) -> None:
    ours, theirs = to_dict(value), _generated().unstructure(value)
    assert list(ours.items()) == list(theirs.items())  # the same keys, in the same order
    assert json.dumps(ours) == json.dumps(theirs)  # and nested dicts too


def test_every_type_written_out_is_one_the_generated_hooks_cover_field_by_field() -> None:
    # A field added to one of these types and not to its hook fails here.
    for cls in WRITTEN_OUT:
        assert [f.name for f in fields(cls)] == list(
            _generated().get_unstructure_hook(cls)(_SAMPLES[cls]).keys()
        )
        assert list(to_dict(_SAMPLES[cls]).keys()) == [f.name for f in fields(cls)]


_WINDOW = TimeWindow(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC))
_REF = ObjectRef("notice", "N-1", "coalition", "air_strike", 2)
_SAMPLES: dict[type[Any], Any] = {
    TimeWindow: _WINDOW,
    AltitudeBand: AltitudeBand(0, 3000),
    ObjectRef: _REF,
    OtherView: OtherView("notice", "air_strike", "russia", None),
    Conflict: Conflict(
        "C-1", ConflictRule.AIR_SEPARATION, Severity.VIOLATION, _REF, _REF, _WINDOW.start
    ),
    ConflictView: ConflictView(
        "C-1",
        ConflictRule.AIR_SEPARATION,
        Severity.ADVISORY,
        _REF,
        OtherView("notice", "air_strike", "russia", "N-2"),
        _WINDOW.start,
        _WINDOW,
        "under 1 km",
        12.5,
        AltitudeBand(0, 3000),
        "",
        True,
        True,
    ),
}


# A conflict's canonical encoding, written out, is byte for byte the general encoder's.

#: Any float the encoder writes (exponents both ways included), and whole numbers.
_any_number = st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(10**20), 10**20)
_any_text = st.text(max_size=20)  # quotes, backslashes, control characters, non-ASCII
_any_refs = st.builds(ObjectRef, _any_text, _any_text, _any_text, _any_text, st.integers(1, 10**6))


_altitudes = st.floats(min_value=-500, max_value=1e300) | st.integers(-500, 10**9)
_any_bands = (
    st.tuples(_altitudes, _altitudes).filter(lambda b: b[1] > b[0]).map(lambda b: AltitudeBand(*b))
)


_any_conflicts = st.builds(
    Conflict,
    id=_any_text,
    rule=st.sampled_from(ConflictRule),
    severity=st.sampled_from(Severity),
    subject=_any_refs,
    other=_any_refs,
    found_at=_times,
    distance_m=st.none() | _any_number,
    window=st.none() | _windows(),
    band=st.none() | _any_bands,
    detail=_any_text,
    cleared_at=st.none() | _times,
)


@settings(max_examples=500)
@given(_any_conflicts)
def test_a_conflict_is_encoded_as_the_general_canonical_encoder_encodes_its_dict(
    conflict: Conflict,
) -> None:
    body, encoded = encode(conflict)
    assert body == to_dict(conflict)
    assert encoded == canonical(body)


def test_a_conflict_with_a_value_of_an_unexpected_type_is_still_encoded_canonically() -> None:
    # A bool is an int to Python, and a str subclass a str: the general encoder writes both.
    class Name(str):
        pass

    odd = replace(_SAMPLES[Conflict], distance_m=True, detail=Name("near"))
    body, encoded = encode(odd)
    assert encoded == canonical(body)
    assert b'"distance_m":true' in encoded and b'"detail":"near"' in encoded


@pytest.mark.parametrize("distance", [float("nan"), float("inf"), -float("inf")])
def test_a_conflict_with_a_distance_that_is_not_finite_is_refused(distance: float) -> None:
    bad = replace(_SAMPLES[Conflict], distance_m=distance)
    with pytest.raises(ValueError, match="not JSON compliant"):
        encode(bad)
