"""Control measures: agreed deconfliction lines and zones, each valid over a window."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from functools import cached_property

import numpy as np
import shapely
from shapely.geometry import Point

from .arrangement import NoticeKind
from .errors import InvalidInput
from .geometry import Footprint, LonLat, Shape
from .parties import check_identifier
from .volume import AltitudeBand, TimeWindow

__all__ = ["ControlMeasure", "MeasureKind", "ZoneRule", "Side"]


class MeasureKind(StrEnum):
    DECONFLICTION_LINE = "deconfliction_line"
    ZONE = "zone"


class ZoneRule(StrEnum):
    NO_ENTRY = "no_entry"
    NOTIFY_BEFORE_ENTRY = "notify_before_entry"
    NO_STRIKE = "no_strike"


class Side(StrEnum):
    """Side of a deconfliction line, looking along it from its first point."""

    LEFT = "left"
    RIGHT = "right"


@dataclass(frozen=True)
class ControlMeasure:
    """A deconfliction line (each party on its side) or a zone with a rule."""

    id: str
    arrangement: str
    kind: MeasureKind
    name: str
    footprint: Footprint
    window: TimeWindow
    # Deconfliction line
    sides: dict[str, Side] = field(default_factory=dict)
    reach_m: float = 50_000.0
    crossing_kinds: tuple[NoticeKind, ...] = ()
    # Zone
    rule: ZoneRule | None = None
    band: AltitudeBand | None = None
    owner: str | None = None
    applies_to: tuple[str, ...] = ()
    notify_lead: timedelta = timedelta(0)
    withdrawn: bool = False

    def __post_init__(self) -> None:
        check_identifier(self.id, "id")
        if self.kind is MeasureKind.DECONFLICTION_LINE:
            self._check_line()
        elif self.rule is None:
            raise InvalidInput("a zone needs a rule", field="rule")
        elif self.footprint.shape in (Shape.POINT, Shape.LINE):
            raise InvalidInput("a zone is a polygon, circle or corridor", field="footprint")

    def _check_line(self) -> None:
        if self.footprint.shape is not Shape.LINE:
            raise InvalidInput("a deconfliction line is a line (path)", field="footprint")
        if not self.sides:
            raise InvalidInput("say which side of the line each party keeps to", field="sides")
        if not (math.isfinite(self.reach_m) and self.reach_m > 0):
            raise InvalidInput(f"reach {self.reach_m} m must be above 0", field="reach_m")

    @property
    def active(self) -> bool:
        return not self.withdrawn

    def applies_to_party(self, party: str) -> bool:
        if party == self.owner:
            return False
        return not self.applies_to or party in self.applies_to

    @cached_property
    def _segments(self) -> np.ndarray:
        coords = np.asarray(self.footprint.coordinates)
        segments: np.ndarray = shapely.linestrings(np.stack([coords[:-1], coords[1:]], axis=1))
        return segments

    def side_of(self, point: LonLat) -> Side:
        """Which side of the line a point lies on, judged by the line's nearest segment."""
        nearest = int(np.argmin(shapely.distance(self._segments, Point(point))))
        (x0, y0), (x1, y1) = self.footprint.coordinates[nearest : nearest + 2]
        k = math.cos(math.radians(point[1]))  # metres per degree of longitude, relative
        cross = (x1 - x0) * k * (point[1] - y0) - (y1 - y0) * (point[0] - x0) * k
        return Side.LEFT if cross > 0 else Side.RIGHT
