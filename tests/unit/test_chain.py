"""The hash chain's encoding and sealing: what every party recomputes, byte for byte."""

from __future__ import annotations

import hashlib
import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deconflict.domain.chain import GENESIS, canonical, seal, verify_chain


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_canonical_encoding_sorts_keys_drops_whitespace_and_keeps_non_ascii() -> None:
    value = {"b": [1, 2.5, None, True], "a": {"é": "ü", "z": "x\ny"}}
    assert canonical(value) == '{"a":{"z":"x\\ny","é":"ü"},"b":[1,2.5,null,true]}'.encode()
    assert canonical(value) == canonical(json.loads(canonical(value)))


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_canonical_encoding_refuses_what_json_cannot_carry(bad: float) -> None:
    with pytest.raises(ValueError):
        canonical({"x": bad})


def test_an_entry_hash_is_the_sha256_of_its_header_and_the_body_is_covered_by_its_digest() -> None:
    body = {"id": "N-1", "party": "coalition", "name": "Dayr az-Zawr", "n": 1.5}
    entry = seal(
        1, "2026-01-01T06:00:00Z", "officer", "notice.filed", "notice", "N-1", body, GENESIS
    )
    header = {
        "seq": 1,
        "at": "2026-01-01T06:00:00Z",
        "actor": "officer",
        "kind": "notice.filed",
        "subject_type": "notice",
        "subject_id": "N-1",
        "body_sha256": _sha(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()),
        "prev_hash": GENESIS,
    }
    expected = _sha(json.dumps(header, sort_keys=True, separators=(",", ":")).encode())
    assert entry.header() == header
    assert entry.hash == expected
    assert entry.body is body


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@given(
    seq=st.integers(min_value=1, max_value=2**53),
    at=_TEXT,
    actor=_TEXT,
    kind=_TEXT,
    subject_type=_TEXT,
    subject_id=_TEXT,
    prev=_TEXT,
)
def test_the_sealed_hash_is_that_of_the_header_canonically_encoded_whatever_its_text(
    seq: int, at: str, actor: str, kind: str, subject_type: str, subject_id: str, prev: str
) -> None:
    """Sealing writes the header's encoding out itself: it must be ``canonical``'s, byte for
    byte, with quotes, backslashes, control characters and non-ASCII in any field."""
    entry = seal(seq, at, actor, kind, subject_type, subject_id, {"x": 1}, prev)
    assert entry.hash == _sha(canonical(entry.header()))


def test_sealing_with_the_body_already_encoded_gives_the_same_entry() -> None:
    body = {"id": "C-1", "window": {"start": "2026-01-01T08:00:00Z", "end": "2026-01-01T09:00:00Z"}}
    plain = seal(
        7, "2026-01-01T06:00:00Z", "a", "conflict.found", "conflict", "C-1", body, "f" * 64
    )
    given = seal(
        7,
        "2026-01-01T06:00:00Z",
        "a",
        "conflict.found",
        "conflict",
        "C-1",
        body,
        "f" * 64,
        canonical(body),
    )
    assert given == plain


def test_a_chain_of_sealed_entries_verifies_and_an_edit_breaks_it() -> None:
    entries, prev = [], GENESIS
    for seq in range(1, 4):
        entry = seal(seq, "2026-01-01T06:00:00Z", "a", "k", "t", f"x{seq}", {"v": seq}, prev)
        entries.append(entry)
        prev = entry.hash
    assert verify_chain(entries) == []
    tampered = [
        entries[0],
        entries[1].__class__(**{**entries[1].__dict__, "actor": "b"}),
        entries[2],
    ]
    assert [p.seq for p in verify_chain(tampered)] == [2]
