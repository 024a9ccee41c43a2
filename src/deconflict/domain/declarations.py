"""Declarations: what a party asks the others not to hit, and who may see where it is."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from .arrangement import DeclarationKind
from .errors import Conflicting, InvalidInput
from .geometry import Footprint, Shape
from .parties import check_identifier
from .volume import TimeWindow

__all__ = ["Declaration"]


@dataclass(frozen=True)
class Declaration:
    """A force position or area, a static site, or a movement (route + window).

    Screening always uses it; ``disclosed_to`` only decides who may *see* its geometry.
    """

    id: str
    party: str
    kind: DeclarationKind
    footprint: Footprint
    window: TimeWindow
    declared_at: datetime
    disclosed_to: tuple[str, ...] = ()
    category: str = ""
    forces: str = ""
    label: str = ""
    withdrawn: bool = False

    def __post_init__(self) -> None:
        check_identifier(self.id, "id")
        if self.kind is DeclarationKind.MOVEMENT and self.footprint.shape not in (
            Shape.CORRIDOR,
            Shape.LINE,
        ):
            raise InvalidInput("a movement is declared as a route (corridor)", field="footprint")

    def visible_to(self, party: str) -> bool:
        return party == self.party or party in self.disclosed_to

    @property
    def active(self) -> bool:
        return not self.withdrawn

    def withdrawn_copy(self) -> Declaration:
        if self.withdrawn:
            raise Conflicting(f"declaration {self.id} is already withdrawn")
        return replace(self, withdrawn=True)
