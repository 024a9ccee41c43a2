"""Commands: what a member (or the local operator, ``system``) asks the mechanism to do.

Values are already in canonical units (metres, aware UTC, WGS 84): parsing what users type is
done by the entry points (scenario, CLI) before a command is built.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.arrangement import Arrangement, DeclarationKind, LineDomain, NoticeKind
from ..domain.geometry import Footprint
from ..domain.incidents import IncidentKind, Rung
from ..domain.lines import Answer, MessageKind
from ..domain.measures import ControlMeasure
from ..domain.parties import Role
from ..domain.volume import TimeWindow, Volume4D

__all__ = [
    "Command",
    "CreateParty",
    "AddMember",
    "CreateArrangement",
    "OpenLine",
    "CreateMeasure",
    "Declare",
    "Withdraw",
    "Notify",
    "Amend",
    "Cancel",
    "Acknowledge",
    "Send",
    "SetLineStatus",
    "ProcessDeadlines",
    "IssueCredential",
    "RevokeCredentials",
    "ReportIncident",
    "ClimbLadder",
]


@dataclass(frozen=True)
class CreateParty:
    id: str
    name: str
    affiliates: tuple[str, ...] = ()


@dataclass(frozen=True)
class AddMember:
    id: str
    party: str
    role: Role
    name: str = ""
    token_sha256: str | None = None  # issue a credential at once (only the digest travels)


@dataclass(frozen=True)
class CreateArrangement:
    arrangement: Arrangement


@dataclass(frozen=True)
class OpenLine:
    id: str
    arrangement: str
    domain: LineDomain
    parties: tuple[str, ...] = ()  # default: every party of the arrangement


@dataclass(frozen=True)
class CreateMeasure:
    measure: ControlMeasure


@dataclass(frozen=True)
class Declare:
    id: str
    kind: DeclarationKind
    footprint: Footprint
    window: TimeWindow
    disclosed_to: tuple[str, ...] = ()
    category: str = ""
    forces: str = ""
    label: str = ""


@dataclass(frozen=True)
class Withdraw:
    id: str


@dataclass(frozen=True)
class Notify:
    id: str
    line: str
    kind: NoticeKind
    volumes: tuple[Volume4D, ...]
    forces: str = ""
    remarks: str = ""


@dataclass(frozen=True)
class Amend:
    id: str
    volumes: tuple[Volume4D, ...]
    remarks: str = ""


@dataclass(frozen=True)
class Cancel:
    id: str
    reason: str = ""


@dataclass(frozen=True)
class Acknowledge:
    line: str
    number: int
    answer: Answer
    reason: str = ""


@dataclass(frozen=True)
class Send:
    """A query, reply, stop request, warning or free text on a line."""

    line: str
    kind: MessageKind
    text: str
    refers_to: int | None = None
    notice: str | None = None
    incident: str | None = None


@dataclass(frozen=True)
class ReportIncident:
    id: str
    kind: IncidentKind
    window: TimeWindow
    place: Footprint
    affected: tuple[str, ...] = ()
    alleged: tuple[str, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class ClimbLadder:
    """Record a step of a zone's escalation ladder (dissuade, show of force, warning shots, strike)."""

    id: str
    zone: str
    rung: Rung
    incident: str | None = None
    text: str = ""


@dataclass(frozen=True)
class SetLineStatus:
    line: str
    suspended: bool


@dataclass(frozen=True)
class IssueCredential:
    """File a new bearer token for a member: only its SHA-256 travels and is kept."""

    member: str
    token_sha256: str


@dataclass(frozen=True)
class RevokeCredentials:
    """Revoke every active credential of a member."""

    member: str


@dataclass(frozen=True)
class ProcessDeadlines:
    """Mark what is overdue at the clock's time and escalate it."""


Command = (
    CreateParty
    | AddMember
    | CreateArrangement
    | OpenLine
    | CreateMeasure
    | Declare
    | Withdraw
    | Notify
    | Amend
    | Cancel
    | Acknowledge
    | Send
    | SetLineStatus
    | ProcessDeadlines
    | IssueCredential
    | RevokeCredentials
    | ReportIncident
    | ClimbLadder
)
