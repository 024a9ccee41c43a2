"""Conflicts found by screening, and how each reader is allowed to see them."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from .volume import AltitudeBand, TimeWindow

__all__ = [
    "ConflictRule",
    "Severity",
    "ObjectRef",
    "Conflict",
    "ConflictView",
    "OtherView",
    "distance_band",
    "view_for",
]


class ConflictRule(StrEnum):
    DECLARATION_BUFFER = "declaration_buffer"
    AIR_SEPARATION = "air_separation"
    LINE_SIDE = "line_side"
    LINE_CROSSING = "line_crossing"
    ZONE_NO_ENTRY = "zone_no_entry"
    ZONE_NOTIFY = "zone_notify_before_entry"
    ZONE_NO_STRIKE = "zone_no_strike"
    SHORT_NOTICE = "short_notice"


class Severity(StrEnum):
    VIOLATION = "violation"
    ADVISORY = "advisory"  # e.g. a crossing the line allows when notified


@dataclass(frozen=True)
class ObjectRef:
    """Names one object of the record: ``notice``, ``declaration``, ``measure``, ``arrangement``."""

    type: str
    id: str
    party: str
    kind: str
    version: int = 1


@functools.lru_cache(maxsize=1024)
def _group(notice: str) -> str:
    """The first part of a conflict's id: made once per notice version, not once per conflict
    (a notice in a crowded place has dozens)."""
    return hashlib.sha256(notice.encode()).hexdigest()[:6]


@dataclass(frozen=True)
class Conflict:
    """What screening found between a notice (the subject) and another object.

    Carries no coordinates: a reader who may see both objects looks them up by reference.
    """

    id: str
    rule: ConflictRule
    severity: Severity
    subject: ObjectRef
    other: ObjectRef
    found_at: datetime
    distance_m: float | None = None
    window: TimeWindow | None = None
    band: AltitudeBand | None = None
    detail: str = ""
    cleared_at: datetime | None = None

    @staticmethod
    def make_id(rule: ConflictRule, subject: ObjectRef, other: ObjectRef) -> str:
        """The same finding between the same versions always gets the same id.

        ``C-<notice>-<finding>``: the first part names the notice version screened, so its
        conflicts sort together — in a list, and in the store's index, where a notice meeting
        eighty others then writes one or two index pages instead of eighty scattered ones
        (as ids that sort by time do for rows written together). 24 bits tell the notice
        versions apart, 32 more its findings.

        >>> ref = ObjectRef("notice", "N-1", "coalition", "air_strike")
        >>> a = Conflict.make_id(ConflictRule.AIR_SEPARATION, ref, ObjectRef("notice", "N-2", "russia", "cas"))
        >>> b = Conflict.make_id(ConflictRule.AIR_SEPARATION, ref, ObjectRef("notice", "N-3", "russia", "cas"))
        >>> a[:9] == b[:9] and a != b and len(a) == 17
        True
        """
        notice = f"{subject.type}:{subject.id}@{subject.version}"
        finding = f"{rule}|{notice}|{other.type}:{other.id}@{other.version}"
        return f"C-{_group(notice)}-{hashlib.sha256(finding.encode()).hexdigest()[:8]}"

    @property
    def active(self) -> bool:
        return self.cleared_at is None

    @property
    def parties(self) -> tuple[str, ...]:
        a, b = self.subject.party, self.other.party
        return (a,) if a == b else (a, b)

    def cleared(self, at: datetime) -> Conflict:
        return replace(self, cleared_at=at)


_BANDS = (
    (1_000.0, "under 1 km"),
    (5_000.0, "1-5 km"),
    (10_000.0, "5-10 km"),
    (25_000.0, "10-25 km"),
)


def distance_band(metres: float | None) -> str | None:
    """A coarse band that tells urgency without telling where.

    >>> distance_band(3_200.0)
    '1-5 km'
    """
    if metres is None:
        return None
    for limit, label in _BANDS:
        if metres < limit:
            return label
    return "25 km or more"


@dataclass(frozen=True)
class OtherView:
    type: str
    kind: str
    party: str
    id: str | None  # None when the reader may not see the object


@dataclass(frozen=True)
class ConflictView:
    """A conflict as one reader may see it."""

    id: str
    rule: ConflictRule
    severity: Severity
    subject: ObjectRef
    other: OtherView
    found_at: datetime
    window: TimeWindow | None
    distance_band: str | None
    distance_m: float | None
    band: AltitudeBand | None
    detail: str
    active: bool
    disclosed: bool


def view_for(conflict: Conflict, may_see: Callable[[ObjectRef], bool]) -> ConflictView:
    """The conflict as a reader sees it: without the other object's identity, exact distance
    or detail when that reader may not see the other object's geometry (need-to-know)."""
    disclosed = may_see(conflict.subject) and may_see(conflict.other)
    other = conflict.other
    return ConflictView(
        id=conflict.id,
        rule=conflict.rule,
        severity=conflict.severity,
        subject=conflict.subject,
        other=OtherView(other.type, other.kind, other.party, other.id if disclosed else None),
        found_at=conflict.found_at,
        window=conflict.window,
        distance_band=distance_band(conflict.distance_m),
        distance_m=conflict.distance_m if disclosed else None,
        band=conflict.band if disclosed else None,
        detail=conflict.detail if disclosed else "",
        active=conflict.active,
        disclosed=disclosed,
    )
