"""Notices: pre-notification of an operation as one or more 4D volumes, with versions."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from .arrangement import NoticeKind
from .errors import Conflicting, InvalidInput
from .parties import check_identifier
from .volume import TimeWindow, Volume4D

__all__ = ["Notice", "NoticeStatus", "require_to_come"]


def require_to_come(volumes: tuple[Volume4D, ...], at: datetime) -> None:
    """A notice (or an amendment) tells of an operation to come or under way: one of its
    volumes at least must end after ``at``, when it is filed. A window that ended already is
    most often a mistyped date; what happened is reported as an incident."""
    end = max((v.window.end for v in volumes), default=None)
    if end is not None and end <= at:
        raise InvalidInput(
            f"every volume ended before the notice is filed (the last at {end:%Y-%m-%dT%H:%MZ}, "
            f"filed at {at:%Y-%m-%dT%H:%MZ}): a notice tells of an operation to come; report "
            "what happened as an incident",
            field="volumes",
        )


class NoticeStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Notice:
    """One version of a notice. Each amendment is a new version, screened again."""

    id: str
    party: str
    line: str
    kind: NoticeKind
    volumes: tuple[Volume4D, ...]
    filed_at: datetime
    version: int = 1
    first_filed_at: datetime | None = None
    status: NoticeStatus = NoticeStatus.ACTIVE
    forces: str = ""
    remarks: str = ""
    message_number: int | None = None

    def __post_init__(self) -> None:
        check_identifier(self.id, "id")
        if not self.volumes:
            raise InvalidInput("a notice needs at least one volume", field="volumes")
        if self.first_filed_at is None:
            object.__setattr__(self, "first_filed_at", self.filed_at)

    @property
    def window(self) -> TimeWindow:
        """From the start of the first volume to the end of the last."""
        return TimeWindow(
            min(v.window.start for v in self.volumes), max(v.window.end for v in self.volumes)
        )

    @property
    def lead_time(self) -> timedelta:
        """How long before the operation starts this version was filed."""
        return self.window.start - self.filed_at

    @property
    def active(self) -> bool:
        return self.status is NoticeStatus.ACTIVE

    def amended(self, volumes: tuple[Volume4D, ...], at: datetime, remarks: str) -> Notice:
        self._require_active()
        return replace(
            self, volumes=volumes, filed_at=at, version=self.version + 1, remarks=remarks
        )

    def cancelled(self, at: datetime) -> Notice:
        self._require_active()
        return replace(self, status=NoticeStatus.CANCELLED, filed_at=at, version=self.version + 1)

    def _require_active(self) -> None:
        if not self.active:
            raise Conflicting(f"notice {self.id} is {self.status}")
