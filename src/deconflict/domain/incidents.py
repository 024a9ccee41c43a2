"""Incidents: what a party reports happened — when, where (with uncertainty), and who."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .errors import InvalidInput
from .geometry import Footprint, Shape
from .parties import check_identifier
from .volume import TimeWindow

__all__ = ["Incident", "IncidentKind", "LadderStep", "Rung"]


class IncidentKind(StrEnum):
    STRIKE_ON_FORCES = "strike_on_forces"
    STRIKE_ON_SITE = "strike_on_declared_site"
    EXCHANGE_OF_FIRE = "exchange_of_fire"
    UNSAFE_INTERCEPT = "unsafe_intercept"
    AIRSPACE_VIOLATION = "airspace_violation"
    COLLISION = "collision"
    OTHER = "other"


@dataclass(frozen=True)
class Incident:
    """A report: its place is a point with an uncertainty radius (a circle) or an area."""

    id: str
    kind: IncidentKind
    party: str  # the reporting party
    window: TimeWindow
    place: Footprint
    reported_at: datetime
    affected: tuple[str, ...] = ()
    alleged: tuple[str, ...] = ()
    text: str = ""

    def __post_init__(self) -> None:
        check_identifier(self.id, "id")
        if self.place.shape not in (Shape.POINT, Shape.CIRCLE, Shape.POLYGON):
            raise InvalidInput(
                "an incident's place is a point (with uncertainty) or an area", field="place"
            )


class Rung(StrEnum):
    """The escalation ladder of a deconfliction zone (At-Tanf's, as reported)."""

    DISSUADE = "dissuade"
    SHOW_OF_FORCE = "show_of_force"
    WARNING_SHOTS = "warning_shots"
    STRIKE = "strike"


@dataclass(frozen=True)
class LadderStep:
    """One step up (or down) a zone's escalation ladder, recorded by the zone's owner."""

    id: str
    zone: str
    party: str
    rung: Rung
    at: datetime
    incident: str | None = None
    text: str = ""

    def __post_init__(self) -> None:
        check_identifier(self.id, "id")
