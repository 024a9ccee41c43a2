"""What the parties agreed: their lines, notice lead times, buffers and separation minima."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from .errors import InvalidInput
from .parties import check_identifier

__all__ = [
    "LineDomain",
    "LineSpec",
    "NoticeKind",
    "DeclarationKind",
    "Rules",
    "Arrangement",
    "AIR_KINDS",
]


class LineDomain(StrEnum):
    AIR = "air"
    GROUND = "ground"
    COMMAND = "command"


class NoticeKind(StrEnum):
    AIR_STRIKE = "air_strike"
    AIR_TRANSIT = "air_transit"
    ISR = "isr"
    GROUND_MOVEMENT = "ground_movement"
    RIVER_CROSSING = "river_crossing"
    INDIRECT_FIRE = "indirect_fire"
    HUMANITARIAN_MOVEMENT = "humanitarian_movement"


#: Notices that occupy airspace and so must keep separation from each other.
AIR_KINDS = frozenset({NoticeKind.AIR_STRIKE, NoticeKind.AIR_TRANSIT, NoticeKind.ISR})
#: Notices that act on the surface, and so are screened against what parties declared there.
SURFACE_KINDS = frozenset(NoticeKind) - {NoticeKind.AIR_TRANSIT, NoticeKind.ISR}
#: Notices that deliver fire, for zones whose rule is "no strike".
FIRE_KINDS = frozenset({NoticeKind.AIR_STRIKE, NoticeKind.INDIRECT_FIRE})


class DeclarationKind(StrEnum):
    FORCE_POSITION = "force_position"
    SITE = "site"
    MOVEMENT = "movement"


@dataclass(frozen=True)
class LineSpec:
    """A line the arrangement provides: its acknowledgement deadline and where overdue escalates."""

    domain: LineDomain
    ack_deadline: timedelta = timedelta(minutes=15)
    escalates_to: LineDomain = LineDomain.COMMAND

    def __post_init__(self) -> None:
        if self.ack_deadline <= timedelta(0):
            raise InvalidInput(
                "the acknowledgement deadline must be positive", field="ack_deadline"
            )


def _default_leads() -> dict[NoticeKind, timedelta]:
    return {kind: timedelta(hours=1) for kind in NoticeKind} | {
        NoticeKind.HUMANITARIAN_MOVEMENT: timedelta(hours=48)
    }


def _default_buffers() -> dict[DeclarationKind, float]:
    return {
        DeclarationKind.FORCE_POSITION: 5_000.0,
        DeclarationKind.SITE: 2_000.0,
        DeclarationKind.MOVEMENT: 3_000.0,
    }


@dataclass(frozen=True)
class Rules:
    """The numbers the parties agreed on (no public value exists; these are the defaults)."""

    min_lead: dict[NoticeKind, timedelta] = field(default_factory=_default_leads)
    buffer_m: dict[DeclarationKind, float] = field(default_factory=_default_buffers)
    lateral_separation_m: float = 32_187.0  # ~20 statute miles, reported as treated as safe
    vertical_separation_m: float = 300.0  # ~1,000 ft

    def __post_init__(self) -> None:
        for name in ("lateral_separation_m", "vertical_separation_m"):
            if not 0 <= getattr(self, name) < 1e7:  # also refuses NaN
                raise InvalidInput("a separation minimum is between 0 and 10,000 km", field=name)
        for kind, metres in self.buffer_m.items():
            if not 0 <= metres < 1e7:
                raise InvalidInput(
                    f"buffer {metres} m cannot be negative", field=f"buffer_m.{kind}"
                )

    def lead_for(self, kind: NoticeKind) -> timedelta:
        return self.min_lead.get(kind, timedelta(0))

    def buffer_for(self, kind: DeclarationKind) -> float:
        return self.buffer_m.get(kind, 0.0)

    @property
    def widest_m(self) -> float:
        """The largest distance any rule looks across: how far the index must search."""
        return max([self.lateral_separation_m, *self.buffer_m.values()])


@dataclass(frozen=True)
class Arrangement:
    """An agreement between parties (like the 2015 memorandum on flight safety)."""

    id: str
    parties: tuple[str, ...]
    lines: tuple[LineSpec, ...] = (
        LineSpec(LineDomain.AIR),
        LineSpec(LineDomain.GROUND),
        LineSpec(LineDomain.COMMAND, ack_deadline=timedelta(minutes=30)),
    )
    rules: Rules = field(default_factory=Rules)

    def __post_init__(self) -> None:
        check_identifier(self.id, "id")
        if len(set(self.parties)) < 2:
            raise InvalidInput("an arrangement binds at least two parties", field="parties")

    def spec(self, domain: LineDomain) -> LineSpec:
        for spec in self.lines:
            if spec.domain is domain:
                return spec
        raise InvalidInput(f"arrangement {self.id} provides no {domain} line", field="domain")
