"""Lines between commands and their numbered, acknowledged messages."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from .arrangement import LineDomain
from .errors import Conflicting, InvalidInput, NotFound, NotPermitted
from .parties import Member, check_identifier

__all__ = ["Line", "LineStatus", "Message", "MessageKind", "Answer", "Acknowledgement"]


class LineStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class MessageKind(StrEnum):
    NOTICE = "notice"
    AMENDMENT = "amendment"
    CANCELLATION = "cancellation"
    ACKNOWLEDGEMENT = "acknowledgement"
    QUERY = "query"
    REPLY = "reply"
    STOP_REQUEST = "stop_request"
    WARNING = "warning"
    TEXT = "text"
    ESCALATION = "escalation"


#: Messages that answer another and so need no answer themselves.
_ANSWERS = frozenset({MessageKind.ACKNOWLEDGEMENT, MessageKind.REPLY})


class Answer(StrEnum):
    RECEIVED = "received"
    NO_OBJECTION = "no_objection"
    OBJECTION = "objection"
    REPLIED = "replied"  # a reply answers the query it refers to


@dataclass(frozen=True)
class Acknowledgement:
    """A receiving party's answer to a message, and when it came."""

    party: str
    member: str
    at: datetime
    answer: Answer
    number: int  # the acknowledgement's own number on the line
    reason: str = ""


@dataclass(frozen=True)
class Message:
    """One numbered message on a line."""

    line: str
    number: int
    kind: MessageKind
    party: str
    member: str
    sent_at: datetime
    text: str = ""
    refers_to: int | None = None
    notice: str | None = None
    incident: str | None = None
    answer: Answer | None = None
    deadline: datetime | None = None
    acknowledgements: tuple[Acknowledgement, ...] = ()
    overdue_at: datetime | None = None
    on_suspended_line: bool = False
    settled: bool = False  # every other party of the line has answered

    @property
    def id(self) -> str:
        return f"{self.line}#{self.number}"

    def awaiting(self, parties: tuple[str, ...]) -> tuple[str, ...]:
        """The parties of the line that still owe this message an answer."""
        if self.deadline is None:
            return ()
        answered = {ack.party for ack in self.acknowledgements}
        return tuple(p for p in parties if p != self.party and p not in answered)

    @property
    def due(self) -> datetime | None:
        """When this message falls overdue, while it is still waiting for an answer."""
        return None if self.settled or self.overdue_at is not None else self.deadline

    def acknowledged(self, ack: Acknowledgement, parties: tuple[str, ...] = ()) -> Message:
        """The message with one more answer; settled once every party in ``parties`` but the
        sender has answered."""
        if ack.party == self.party:
            raise NotPermitted(f"{ack.party} cannot acknowledge its own message {self.id}")
        if self.deadline is None:
            raise Conflicting(f"message {self.id} ({self.kind}) needs no acknowledgement")
        if any(a.party == ack.party for a in self.acknowledgements):
            raise Conflicting(f"{ack.party} has already answered message {self.id}")
        answered = replace(self, acknowledgements=(*self.acknowledgements, ack))
        return replace(answered, settled=bool(parties) and not answered.awaiting(parties))


@dataclass(frozen=True)
class Line:
    """A dedicated channel between parties for one domain (air, ground or command)."""

    id: str
    arrangement: str
    domain: LineDomain
    parties: tuple[str, ...]
    ack_deadline: timedelta
    status: LineStatus = LineStatus.ACTIVE
    last_number: int = 0

    def __post_init__(self) -> None:
        check_identifier(self.id, "id")
        if len(set(self.parties)) < 2:
            raise InvalidInput("a line joins at least two parties", field="parties")

    def check_member(self, member: Member) -> None:
        if member.party not in self.parties:
            # A line a party is not on does not exist for it.
            raise NotFound(f"no line {self.id!r} for party {member.party}", field="line")

    def post(
        self, kind: MessageKind, member: Member, at: datetime, **fields: object
    ) -> tuple[Line, Message]:
        """Number and record a message; on a suspended line it is still recorded, flagged."""
        self.check_member(member)
        number = self.last_number + 1
        deadline = None if kind in _ANSWERS else at + self.ack_deadline
        message = Message(
            line=self.id,
            number=number,
            kind=kind,
            party=member.party,
            member=member.id,
            sent_at=at,
            deadline=deadline,
            on_suspended_line=self.status is LineStatus.SUSPENDED,
            **fields,  # type: ignore[arg-type]
        )
        return replace(self, last_number=number), message

    def with_status(self, status: LineStatus) -> Line:
        if status is self.status:
            raise Conflicting(f"line {self.id} is already {status}")
        return replace(self, status=status)
