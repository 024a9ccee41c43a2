"""The hash chain of the log: canonical encoding, sealing and verification.

Canonical encoding (documented in docs/log.md): JSON, UTF-8, keys sorted, no whitespace
(separators ``,`` and ``:``), non-ASCII kept as is, no NaN or infinity, floats in Python's
shortest round-trip form. Each entry's ``hash`` is the SHA-256 of the canonical encoding of its
header: ``{seq, at, actor, kind, subject_type, subject_id, body_sha256, prev_hash}``; the body
is covered through ``body_sha256``, so an export may leave out a body a party may not see and
the chain still verifies.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "GENESIS",
    "LogEntry",
    "ChainProblem",
    "canonical",
    "quote",
    "seal",
    "verify_chain",
    "verify_export",
]

GENESIS = "0" * 64


#: Made once: ``json.dumps`` with these options would make a new encoder on every call.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def canonical(value: Any) -> bytes:
    """The one byte encoding that every party hashes.

    >>> canonical({"b": 1, "a": [1.5, "é"]})
    b'{"a":[1.5,"\\xc3\\xa9"],"b":1}'
    """
    return _CANONICAL.encode(value).encode("utf-8")


#: A JSON string as the canonical encoder writes it (non-ASCII kept, the rest escaped).
quote: Callable[[str], str] = json.encoder.encode_basestring


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class LogEntry:
    seq: int
    at: str  # ISO 8601 UTC, as recorded
    actor: str
    kind: str
    subject_type: str
    subject_id: str
    body: dict[str, Any]
    body_sha256: str
    prev_hash: str
    hash: str

    def header(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "kind": self.kind,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "body_sha256": self.body_sha256,
            "prev_hash": self.prev_hash,
        }


def seal(
    seq: int,
    at: str,
    actor: str,
    kind: str,
    subject_type: str,
    subject_id: str,
    body: dict[str, Any],
    prev_hash: str,
    encoded: bytes | None = None,
) -> LogEntry:
    """Make the next entry of the chain (``encoded``: the body's canonical encoding, when the
    caller already has it). The header's canonical encoding is written out here, key by key
    in sorted order, as ``canonical(entry.header())`` gives it (every entry is sealed, so this
    saves an encoder pass each; verification keeps the general encoder)."""
    body_sha = _sha256(encoded if encoded is not None else canonical(body))
    header = (
        f'{{"actor":{quote(actor)},"at":{quote(at)},"body_sha256":"{body_sha}",'
        f'"kind":{quote(kind)},"prev_hash":{quote(prev_hash)},"seq":{int(seq)},'
        f'"subject_id":{quote(subject_id)},"subject_type":{quote(subject_type)}}}'
    )
    hash_ = _sha256(header.encode("utf-8"))
    return LogEntry(seq, at, actor, kind, subject_type, subject_id, body, body_sha, prev_hash, hash_)


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"seq {self.seq}: {self.problem}"


def _check(entry: LogEntry, expected_seq: int, prev_hash: str) -> list[ChainProblem]:
    problems = []
    if entry.seq != expected_seq:
        problems.append(
            ChainProblem(
                entry.seq, f"expected seq {expected_seq}: an entry was deleted, inserted or moved"
            )
        )
    if entry.prev_hash != prev_hash:
        problems.append(
            ChainProblem(entry.seq, "does not follow the previous entry (prev_hash differs)")
        )
    if _sha256(canonical(entry.body)) != entry.body_sha256:
        problems.append(ChainProblem(entry.seq, "body was edited (body_sha256 differs)"))
    if _sha256(canonical(entry.header())) != entry.hash:
        problems.append(ChainProblem(entry.seq, "entry was edited (hash differs)"))
    return problems


def verify_chain(entries: Iterable[LogEntry]) -> list[ChainProblem]:
    """Every break in the chain, in order; an empty list means the chain is whole."""
    problems: list[ChainProblem] = []
    prev, expected = GENESIS, 1
    for entry in entries:
        problems += _check(entry, expected, prev)
        prev, expected = entry.hash, entry.seq + 1
    return problems


_HEADER = ("seq", "at", "actor", "kind", "subject_type", "subject_id", "body_sha256", "prev_hash")


def verify_export(rows: Iterable[dict[str, Any]]) -> list[ChainProblem]:
    """Verify a party's export on its own: every header's hash and link, and every body that
    was exported against its ``body_sha256`` (bodies the party may not see are left out; the
    chain still holds because it covers their digests)."""
    problems: list[ChainProblem] = []
    prev, expected = GENESIS, 1
    for row in rows:
        seq = row.get("seq", expected)
        try:
            header = {name: row[name] for name in _HEADER}
        except KeyError as missing:
            problems.append(ChainProblem(seq, f"field {missing} is missing"))
            continue
        if seq != expected:
            problems.append(
                ChainProblem(
                    seq, f"expected seq {expected}: an entry was deleted, inserted or moved"
                )
            )
        if header["prev_hash"] != prev:
            problems.append(
                ChainProblem(seq, "does not follow the previous entry (prev_hash differs)")
            )
        if row.get("body") is not None and _sha256(canonical(row["body"])) != header["body_sha256"]:
            problems.append(ChainProblem(seq, "body was edited (body_sha256 differs)"))
        if _sha256(canonical(header)) != row.get("hash"):
            problems.append(ChainProblem(seq, "entry was edited (hash differs)"))
        prev, expected = str(row.get("hash")), seq + 1
    return problems
