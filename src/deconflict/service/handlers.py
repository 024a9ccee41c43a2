"""One handler per command: load, decide in the domain, record, screen — in one transaction."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import Any

from ..domain.arrangement import Arrangement, LineDomain
from ..domain.chain import LogEntry
from ..domain.conflicts import Conflict
from ..domain.credentials import Credential, fingerprint, token_digest
from ..domain.declarations import Declaration
from ..domain.errors import (
    BatchRejected,
    Conflicting,
    DeconflictError,
    InvalidInput,
    NotFound,
    NotPermitted,
)
from ..domain.incidents import Incident, LadderStep
from ..domain.lines import Acknowledgement, Answer, Line, LineStatus, Message, MessageKind
from ..domain.measures import ControlMeasure, MeasureKind
from ..domain.notices import Notice, require_to_come
from ..domain.parties import Member, Party, Role
from ..domain.screening import Screenable, screen, screen_pair
from . import commands as c
from .ports import Clock, Record, Store, Transaction
from .situation import Situation, key_of

__all__ = ["Deconfliction", "Outcome", "Request", "Done", "SYSTEM"]

#: How long an authenticated token is trusted without asking the store again (seconds).
CREDENTIALS_KEPT_S = 5.0

_SITUATION_KEYS: dict[Any, str] = {
    Notice: "notice",
    Declaration: "declaration",
    ControlMeasure: "measure",
}

#: The local operator (CLI, scenario set-up): may administer, acts for no party.
SYSTEM = Member("system", "system", Role.ADMIN, "local operator")


@dataclass
class Outcome:
    """What one command recorded: its log entries and the conflicts it found."""

    entries: list[LogEntry] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    result: Any = None


@dataclass(frozen=True)
class Request:
    """A command to run as a member (its id), with two optional steps inside its transaction:
    ``unless`` may answer instead of running it (a retried request's kept reply), and ``then``
    builds the answer from the outcome once the command is recorded and live. A ``dry_run``
    is checked and screened as if it were run, then undone: nothing recorded, nothing live,
    and ``then`` sees what it would have done (a screening preview)."""

    command: c.Command
    actor: str = SYSTEM.id
    unless: Callable[[Transaction], Any] | None = None
    then: Callable[[Outcome, Transaction], Any] | None = None
    dry_run: bool = False


@dataclass(frozen=True)
class Done:
    """What became of a request: its outcome and what ``then`` returned, or the error."""

    outcome: Outcome | None = None
    answer: Any = None
    error: BaseException | None = None

    def result(self) -> Any:
        """``then``'s answer (the outcome without ``then``), or the error raised again."""
        if self.error is not None:
            raise self.error
        return self.answer


class _Undo(Exception):
    """Rolls a dry run back."""


@dataclass
class _Unit:
    tx: Transaction
    actor: Member
    at: datetime
    outcome: Outcome = field(default_factory=Outcome)
    live: list[Callable[[], None]] = field(default_factory=list)

    def record(self, kind: str, subject: Record) -> None:
        self.outcome.entries.append(self.tx.record(kind, self.actor.id, self.at, subject))


class Deconfliction:
    """The mechanism's use cases, over a store, a clock and the live situation."""

    def __init__(self, store: Store, clock: Clock, situation: Situation) -> None:
        self._store = store
        self._clock = clock
        self.situation = situation
        self._arrangements: dict[str, Arrangement] = {}
        self._lines: dict[str, Line] = {}
        self._handlers: dict[type[Any], Callable[[Any, _Unit], None]] = {
            c.CreateParty: self._create_party,
            c.AddMember: self._add_member,
            c.CreateArrangement: self._create_arrangement,
            c.OpenLine: self._open_line,
            c.CreateMeasure: self._create_measure,
            c.Declare: self._declare,
            c.Withdraw: self._withdraw,
            c.Notify: self._notify,
            c.Amend: self._amend,
            c.Cancel: self._cancel,
            c.Acknowledge: self._acknowledge,
            c.Send: self._send,
            c.SetLineStatus: self._set_line_status,
            c.ProcessDeadlines: self._process_deadlines,
            c.IssueCredential: self._issue_credential,
            c.RevokeCredentials: self._revoke_credentials,
            c.ReportIncident: self._report_incident,
            c.ClimbLadder: self._climb_ladder,
        }
        self._lock = threading.Lock()
        self._authenticated: dict[str, tuple[Member, float]] = {}
        #: The last log entry the live state follows: another process's commands after it are
        #: followed before this one writes (several processes on one store).
        self._followed = 0

    def start(self) -> None:
        """Load what screening needs from the store, building the index once."""
        # Read before the snapshot: what commits in between is in both, and following a
        # record twice changes nothing.
        self._followed = self._store.head()
        with self._store.read() as tx:
            self._arrangements = {a.id: a for a in tx.all(Arrangement)}
            self._lines = {line.id: line for line in tx.all(Line)}
            objects: list[Screenable] = [
                *tx.all(Notice),
                *tx.all(Declaration),
                *tx.all(ControlMeasure),
            ]
            self.situation.load(objects, tx.all(Conflict))

    def get(self, cls: Any, id: str) -> Any:
        """A record by type and id from the live situation, or else from the store: the look-up
        need-to-know uses to answer a command without reading what it already holds."""
        found: Any = None
        if cls is Line:
            found = self._lines.get(id)
        elif cls is Arrangement:
            found = self._arrangements.get(id)
        elif cls in _SITUATION_KEYS:
            found = self.situation.get(f"{_SITUATION_KEYS[cls]}:{id}")
        if found is None:
            with self._store.read() as tx:
                found = tx.get(cls, id)
        return found

    def handle(self, command: c.Command, actor: str = SYSTEM.id) -> Outcome:
        """Run one command as ``actor`` (a member id); all of it is recorded, or none of it."""
        outcome: Outcome = self.handle_all([Request(command, actor)])[0].result()
        return outcome

    def handle_all(self, requests: Sequence[Request]) -> list[Done]:
        """Run commands in order in one transaction, each all or nothing on its own: one that
        fails is undone alone and the others stay (group commit: one commit for many).

        Each command sees the ones before it, in the store and in the live situation. If the
        commit itself fails, nothing of the batch is recorded and the live situation is built
        again from the store.
        """
        done: list[Done] = []
        with self._lock:  # one writer at a time: the store's chain and the live situation
            try:
                with self._store.transaction() as tx:
                    self._follow_others(tx.head())
                    done = [self._run(request, tx) for request in requests]
                    self._followed = tx.head()
            except BaseException:
                self.start()
                raise
        return done

    def handle_together(self, requests: Sequence[Request], dry_run: bool = False) -> list[Outcome]:
        """Run commands in order in one transaction, all recorded or none (an import): each
        sees the ones before it; the first that fails undoes the whole batch and raises
        ``BatchRejected`` with its place in the batch.

        A ``dry_run`` checks and screens each command against what is recorded (not against
        the batch's other commands) and records nothing.
        """
        if dry_run:
            requests = [replace(r, dry_run=True) for r in requests]
        with self._lock:
            try:
                with self._store.transaction() as tx:
                    self._follow_others(tx.head())
                    outcomes = [self._together(i, r, tx) for i, r in enumerate(requests)]
                    self._followed = tx.head()
            except BaseException:
                if not dry_run:  # the live steps of the commands before the failure
                    self.start()
                raise
        return outcomes

    def _together(self, index: int, request: Request, tx: Transaction) -> Outcome:
        done = self._run(request, tx)
        if isinstance(done.error, DeconflictError):
            raise BatchRejected(index, done.error) from done.error
        if done.error is not None:
            raise done.error
        return done.outcome if done.outcome is not None else Outcome()

    def _follow_others(self, head: int) -> None:
        """Bring the live state up to what other processes recorded since it last looked
        (called with the store's write lock held, so nothing more can come in meanwhile)."""
        if head <= self._followed:
            return
        for _, record in self._store.records(self._followed, head - self._followed):
            self._follow(record)
        self._followed = head

    def _follow(self, record: Any) -> None:
        """What a record another process wrote changes in the live state (what ``live`` steps
        change for this process's own commands)."""
        if isinstance(record, Notice | Declaration | ControlMeasure):
            self.situation.put(record)
        elif isinstance(record, Conflict):
            if record.active:
                self.situation.add_conflict(record)
            else:
                self.situation.drop_conflict(record)
        elif isinstance(record, Line):
            self._lines[record.id] = record
        elif isinstance(record, Arrangement):
            self._arrangements[record.id] = record
        elif isinstance(record, Credential):
            self._authenticated.clear()

    def _run(self, request: Request, tx: Transaction) -> Done:
        try:
            if request.unless is not None and (kept := request.unless(tx)) is not None:
                return Done(answer=kept)
            with tx.savepoint():
                unit = _Unit(tx, self._member(tx, request.actor), self._clock.now())
                self._handlers[type(request.command)](request.command, unit)
                if request.dry_run:
                    raise _Undo
        except _Undo:
            unit.live.clear()
        except Exception as error:  # this command only; the batch goes on
            return Done(error=error)
        for step in unit.live:
            step()
        try:
            answer = unit.outcome if request.then is None else request.then(unit.outcome, tx)
        except Exception as error:  # the command stands: it is recorded
            return Done(unit.outcome, error=error)
        return Done(unit.outcome, answer)

    # -- look-ups ---------------------------------------------------------------------------

    def _member(self, tx: Transaction, member_id: str) -> Member:
        if member_id == SYSTEM.id:
            return SYSTEM
        member = tx.get(Member, member_id)
        if member is None:
            raise NotFound(f"unknown member {member_id!r}", field="actor")
        return member

    @staticmethod
    def _need(tx: Transaction, cls: type[Any], id: str, field: str) -> Any:
        found = tx.get(cls, id)
        if found is None:
            raise NotFound(f"unknown {cls.__name__.lower()} {id!r}", field=field)
        return found

    @staticmethod
    def _new(tx: Transaction, cls: type[Any], id: str) -> None:
        if tx.get(cls, id) is not None:
            raise Conflicting(f"{cls.__name__.lower()} {id!r} already exists", field="id")

    @staticmethod
    def _administer(unit: _Unit, parties: tuple[str, ...] = ()) -> None:
        """The local operator administers everything; an admin only what binds its own party."""
        if unit.actor is SYSTEM:
            return
        unit.actor.require("administer")
        if parties and unit.actor.party not in parties:
            raise NotPermitted(
                f"an admin of {unit.actor.party} cannot administer for {', '.join(parties)}"
            )

    @staticmethod
    def _seen(unit: _Unit, arrangement: Arrangement) -> None:
        """An arrangement a party is not bound by does not exist for its members."""
        if unit.actor is not SYSTEM and unit.actor.party not in arrangement.parties:
            raise NotFound(f"unknown arrangement {arrangement.id!r}", field="arrangement")

    @staticmethod
    def _check_forces(party: Party, forces: str) -> None:
        if forces and forces not in (party.id, *party.affiliates):
            raise NotPermitted(f"{party.id} does not act for forces {forces!r}", field="forces")

    def _check_parties(self, tx: Transaction, parties: tuple[str, ...], field: str) -> None:
        for party in parties:
            self._need(tx, Party, party, field)

    # -- parties and agreements ---------------------------------------------------------------

    def _create_party(self, cmd: c.CreateParty, unit: _Unit) -> None:
        self._administer(unit)
        self._new(unit.tx, Party, cmd.id)
        unit.record("party.created", Party(cmd.id, cmd.name, cmd.affiliates))

    def _add_member(self, cmd: c.AddMember, unit: _Unit) -> None:
        self._administer(unit, (cmd.party,))
        self._new(unit.tx, Member, cmd.id)
        self._need(unit.tx, Party, cmd.party, "party")
        unit.record("member.added", Member(cmd.id, cmd.party, cmd.role, cmd.name))
        if cmd.token_sha256 is not None:
            self._issue_credential(c.IssueCredential(cmd.id, cmd.token_sha256), unit)

    def _create_arrangement(self, cmd: c.CreateArrangement, unit: _Unit) -> None:
        arrangement = cmd.arrangement
        self._administer(unit, arrangement.parties)
        self._new(unit.tx, Arrangement, arrangement.id)
        self._check_parties(unit.tx, arrangement.parties, "parties")
        unit.record("arrangement.created", arrangement)
        unit.live.append(lambda: self._arrangements.__setitem__(arrangement.id, arrangement))

    def _open_line(self, cmd: c.OpenLine, unit: _Unit) -> None:
        self._administer(unit)
        arrangement: Arrangement = self._need(unit.tx, Arrangement, cmd.arrangement, "arrangement")
        self._seen(unit, arrangement)
        self._new(unit.tx, Line, cmd.id)
        parties = cmd.parties or arrangement.parties
        strangers = set(parties) - set(arrangement.parties)
        if strangers:
            raise InvalidInput(
                f"{sorted(strangers)} are not parties to {arrangement.id}", field="parties"
            )
        spec = arrangement.spec(cmd.domain)
        line = Line(cmd.id, arrangement.id, cmd.domain, parties, spec.ack_deadline)
        unit.record("line.opened", line)
        unit.live.append(lambda: self._lines.__setitem__(line.id, line))

    def _create_measure(self, cmd: c.CreateMeasure, unit: _Unit) -> None:
        measure = cmd.measure
        arrangement: Arrangement = self._need(
            unit.tx, Arrangement, measure.arrangement, "arrangement"
        )
        if unit.actor.role is not Role.ADMIN:
            unit.actor.require("measure")
        self._seen(unit, arrangement)
        self._new(unit.tx, ControlMeasure, measure.id)
        unit.record("measure.created", measure)
        notices = self.situation.near_measure(measure)
        self._record_conflicts(
            unit, [screen_pair(n, measure, self._rules(n), unit.at) for n in notices]
        )
        self._after(unit, measure)

    # -- declarations ---------------------------------------------------------------------------

    def _declare(self, cmd: c.Declare, unit: _Unit) -> None:
        party: Party = self._need(unit.tx, Party, unit.actor.party, "actor")
        unit.actor.require("declare")
        self._new(unit.tx, Declaration, cmd.id)
        self._check_forces(party, cmd.forces)
        self._check_parties(unit.tx, cmd.disclosed_to, "disclosed_to")
        decl = Declaration(
            cmd.id,
            party.id,
            cmd.kind,
            cmd.footprint,
            cmd.window,
            unit.at,
            cmd.disclosed_to,
            cmd.category,
            cmd.forces,
            cmd.label,
        )
        unit.record("declaration.made", decl)
        widest = max(
            (a.rules.buffer_for(decl.kind) for a in self._arrangements.values()), default=0.0
        )
        notices = self.situation.near_declaration(decl, widest)
        self._record_conflicts(
            unit, [screen_pair(n, decl, self._rules(n), unit.at) for n in notices]
        )
        self._after(unit, decl)

    def _withdraw(self, cmd: c.Withdraw, unit: _Unit) -> None:
        unit.actor.require("declare")
        decl: Declaration = self._need(unit.tx, Declaration, cmd.id, "id")
        if not decl.visible_to(unit.actor.party):
            raise NotFound(f"unknown declaration {cmd.id!r}", field="id")
        unit.actor.require("declare", decl.party)
        withdrawn = decl.withdrawn_copy()
        unit.record("declaration.withdrawn", withdrawn)
        self._clear_conflicts(unit, key_of(decl))
        self._after(unit, withdrawn)

    # -- notices ----------------------------------------------------------------------------------

    def _rules(self, notice: Notice) -> Any:
        return self._arrangements[self._lines[notice.line].arrangement].rules

    def _screen_notice(self, unit: _Unit, notice: Notice) -> None:
        arrangement = self._arrangements[self._lines[notice.line].arrangement]
        rules = arrangement.rules
        candidates = self.situation.near_notice(notice, rules)
        self._record_conflicts(unit, screen(notice, candidates, rules, arrangement.id, unit.at))
        self._after(unit, notice)

    def _notify(self, cmd: c.Notify, unit: _Unit) -> None:
        line: Line = self._need(unit.tx, Line, cmd.line, "line")
        unit.actor.require("notify")
        line.check_member(unit.actor)
        self._new(unit.tx, Notice, cmd.id)
        self._check_forces(self._need(unit.tx, Party, unit.actor.party, "actor"), cmd.forces)
        require_to_come(cmd.volumes, unit.at)
        number = self._post(unit, line, MessageKind.NOTICE, text=cmd.remarks, notice=cmd.id)
        notice = Notice(
            cmd.id,
            unit.actor.party,
            line.id,
            cmd.kind,
            cmd.volumes,
            unit.at,
            forces=cmd.forces,
            remarks=cmd.remarks,
            message_number=number,
        )
        unit.record("notice.filed", notice)
        self._screen_notice(unit, notice)
        unit.outcome.result = notice

    def _owned_notice(self, unit: _Unit, notice_id: str) -> Notice:
        unit.actor.require("notify")
        notice: Notice = self._need(unit.tx, Notice, notice_id, "id")
        if (
            notice.party != unit.actor.party
            and unit.actor.party not in self._lines[notice.line].parties
        ):
            raise NotFound(f"unknown notice {notice_id!r}", field="id")
        unit.actor.require("notify", notice.party)
        return notice

    def _revise(self, unit: _Unit, notice: Notice, kind: MessageKind, text: str) -> Notice:
        """Tell the line about a new version, record it, and clear the old version's conflicts."""
        line: Line = self._need(unit.tx, Line, notice.line, "line")
        number = self._post(unit, line, kind, text=text, notice=notice.id)
        notice = replace(notice, message_number=number)
        unit.record(
            f"notice.{'cancelled' if kind is MessageKind.CANCELLATION else 'amended'}", notice
        )
        self._clear_conflicts(unit, key_of(notice))
        unit.outcome.result = notice
        return notice

    def _amend(self, cmd: c.Amend, unit: _Unit) -> None:
        notice = self._owned_notice(unit, cmd.id).amended(cmd.volumes, unit.at, cmd.remarks)
        require_to_come(cmd.volumes, unit.at)
        self._screen_notice(unit, self._revise(unit, notice, MessageKind.AMENDMENT, cmd.remarks))

    def _cancel(self, cmd: c.Cancel, unit: _Unit) -> None:
        notice = self._owned_notice(unit, cmd.id).cancelled(unit.at)
        self._after(unit, self._revise(unit, notice, MessageKind.CANCELLATION, cmd.reason))

    # -- conflicts --------------------------------------------------------------------------------

    def _record_conflicts(self, unit: _Unit, found: Sequence[Conflict | None]) -> None:
        for conflict in found:
            if conflict is None:
                continue
            unit.record("conflict.found", conflict)
            unit.outcome.conflicts.append(conflict)
            unit.live.append(partial(self.situation.add_conflict, conflict))

    def _clear_conflicts(self, unit: _Unit, key: str) -> None:
        for conflict in self.situation.conflicts_of(key):
            cleared = conflict.cleared(unit.at)
            unit.record("conflict.cleared", cleared)
            unit.live.append(partial(self.situation.drop_conflict, conflict))

    def _after(self, unit: _Unit, obj: Screenable) -> None:
        unit.live.append(lambda: self.situation.put(obj))

    # -- lines --------------------------------------------------------------------------------------

    def _post(self, unit: _Unit, line: Line, kind: MessageKind, **fields: Any) -> int:
        line, message = line.post(kind, unit.actor, unit.at, **fields)
        unit.record("line.numbered", line)
        unit.record(f"message.{kind}", message)
        return message.number

    def _acknowledge(self, cmd: c.Acknowledge, unit: _Unit) -> None:
        line: Line = self._need(unit.tx, Line, cmd.line, "line")
        unit.actor.require("acknowledge")
        line.check_member(unit.actor)
        message: Message = self._need(unit.tx, Message, f"{line.id}#{cmd.number}", "number")
        number = line.last_number + 1
        ack = Acknowledgement(
            unit.actor.party, unit.actor.id, unit.at, cmd.answer, number, cmd.reason
        )
        answered = message.acknowledged(ack, line.parties)
        if cmd.answer is Answer.REPLIED:
            raise InvalidInput("answer a query with a reply", field="answer")
        if cmd.answer is Answer.OBJECTION and not cmd.reason.strip():
            raise InvalidInput("an objection needs a reason", field="reason")
        self._post(
            unit,
            line,
            MessageKind.ACKNOWLEDGEMENT,
            refers_to=cmd.number,
            answer=cmd.answer,
            text=cmd.reason,
            notice=message.notice,
        )
        unit.record("message.acknowledged", answered)

    def _send(self, cmd: c.Send, unit: _Unit) -> None:
        line: Line = self._need(unit.tx, Line, cmd.line, "line")
        allowed = {
            MessageKind.QUERY,
            MessageKind.REPLY,
            MessageKind.STOP_REQUEST,
            MessageKind.WARNING,
            MessageKind.TEXT,
        }
        if cmd.kind not in allowed:
            raise InvalidInput(f"send a {cmd.kind} with its own command", field="kind")
        unit.actor.require("command" if cmd.kind is MessageKind.WARNING else "send")
        if cmd.kind is MessageKind.WARNING and line.domain is not LineDomain.COMMAND:
            raise InvalidInput("a formal warning goes on the command line", field="line")
        if not cmd.text.strip():
            raise InvalidInput("the message has no text", field="text")
        referred: Message | None = None
        if cmd.refers_to is not None:
            referred = self._need(unit.tx, Message, f"{line.id}#{cmd.refers_to}", "refers_to")
        elif cmd.kind is MessageKind.REPLY:
            raise InvalidInput("a reply names the message it answers", field="refers_to")
        if cmd.notice is not None:
            self._need(unit.tx, Notice, cmd.notice, "notice")
        if cmd.incident is not None:
            incident: Incident = self._need(unit.tx, Incident, cmd.incident, "incident")
            if unit.actor.party not in (incident.party, *incident.affected, *incident.alleged):
                raise NotFound(f"unknown incident {cmd.incident!r}", field="incident")
        number = self._post(
            unit,
            line,
            cmd.kind,
            text=cmd.text,
            refers_to=cmd.refers_to,
            notice=cmd.notice,
            incident=cmd.incident,
        )
        if cmd.kind is MessageKind.REPLY and referred is not None:
            ack = Acknowledgement(
                unit.actor.party, unit.actor.id, unit.at, Answer.REPLIED, number, cmd.text
            )
            unit.record("message.acknowledged", referred.acknowledged(ack, line.parties))

    def _set_line_status(self, cmd: c.SetLineStatus, unit: _Unit) -> None:
        line: Line = self._need(unit.tx, Line, cmd.line, "line")
        unit.actor.require("command")
        line.check_member(unit.actor)
        status = LineStatus.SUSPENDED if cmd.suspended else LineStatus.ACTIVE
        unit.record("line.suspended" if cmd.suspended else "line.resumed", line.with_status(status))

    # -- incidents ------------------------------------------------------------------------------

    def _report_incident(self, cmd: c.ReportIncident, unit: _Unit) -> None:
        unit.actor.require("send")
        self._new(unit.tx, Incident, cmd.id)
        self._check_parties(unit.tx, (*cmd.affected, *cmd.alleged), "parties")
        incident = Incident(
            cmd.id,
            cmd.kind,
            unit.actor.party,
            cmd.window,
            cmd.place,
            unit.at,
            cmd.affected,
            cmd.alleged,
            cmd.text,
        )
        unit.record("incident.reported", incident)
        unit.outcome.result = incident

    def _climb_ladder(self, cmd: c.ClimbLadder, unit: _Unit) -> None:
        unit.actor.require("command")
        zone: ControlMeasure = self._need(unit.tx, ControlMeasure, cmd.zone, "zone")
        self._seen(unit, self._arrangements[zone.arrangement])
        if zone.kind is not MeasureKind.ZONE or zone.owner != unit.actor.party:
            raise NotPermitted(
                f"only the owner of a zone climbs its ladder; {cmd.zone} is not {unit.actor.party}'s zone"
            )
        if cmd.incident is not None:
            self._need(unit.tx, Incident, cmd.incident, "incident")
        self._new(unit.tx, LadderStep, cmd.id)
        step = LadderStep(
            cmd.id, zone.id, unit.actor.party, cmd.rung, unit.at, cmd.incident, cmd.text
        )
        unit.record("ladder.stepped", step)

    # -- credentials ------------------------------------------------------------------------------

    def _issue_credential(self, cmd: c.IssueCredential, unit: _Unit) -> None:
        member: Member = self._own_member(unit, cmd.member)
        if len(cmd.token_sha256) != 64:
            raise InvalidInput(
                "a credential is filed as the token's SHA-256 (64 hex digits)", field="token_sha256"
            )
        credential = Credential(
            fingerprint(cmd.token_sha256), member.id, member.party, cmd.token_sha256, unit.at
        )
        self._new(unit.tx, Credential, credential.id)
        unit.record("credential.issued", credential)
        unit.outcome.result = credential

    def _revoke_credentials(self, cmd: c.RevokeCredentials, unit: _Unit) -> None:
        self._own_member(unit, cmd.member)
        active = [k for k in unit.tx.all(Credential) if k.member == cmd.member and k.active]
        if not active:
            raise Conflicting(f"member {cmd.member} has no active credential", field="member")
        for credential in active:
            unit.record("credential.revoked", credential.revoked(unit.at))
        unit.live.append(self._authenticated.clear)

    def _own_member(self, unit: _Unit, member_id: str) -> Member:
        """A member the acting admin administers; another party's members do not exist for it."""
        self._administer(unit)
        member: Member | None = unit.tx.get(Member, member_id)
        if member is None or (unit.actor is not SYSTEM and member.party != unit.actor.party):
            raise NotFound(f"unknown member {member_id!r}", field="member")
        return member

    def authenticate(self, token: str) -> Member | None:
        """The member a bearer token belongs to, if it is active.

        Answers are kept for a few seconds (``CREDENTIALS_KEPT_S``); a revocation made through
        this process takes effect at once, one made by another process within that time.
        """
        digest = token_digest(token)
        now = time.monotonic()
        kept = self._authenticated.get(digest)
        if kept is not None and kept[1] > now:
            return kept[0]
        with self._store.read() as tx:
            credential = tx.get(Credential, fingerprint(digest))
            member = (
                tx.get(Member, credential.member)
                if credential and credential.matches(digest)
                else None
            )
        if member is not None:
            self._authenticated[digest] = (member, now + CREDENTIALS_KEPT_S)
        return member

    def _escalation_line(self, line: Line) -> Line | None:
        target = self._arrangements[line.arrangement].spec(line.domain).escalates_to
        if target is line.domain:
            return None
        found = [
            x
            for x in self._lines.values()
            if x.arrangement == line.arrangement and x.domain is target
        ]
        return found[0] if found else None

    def _process_deadlines(self, _: c.ProcessDeadlines, unit: _Unit) -> None:
        self._administer(unit)
        for message in unit.tx.due_messages(unit.at):
            line = self._lines[message.line]
            awaiting = message.awaiting(line.parties)
            if not awaiting:
                continue
            unit.record("message.overdue", replace(message, overdue_at=unit.at))
            target = self._escalation_line(line)
            if target is not None:
                current: Line = self._need(unit.tx, Line, target.id, "line")
                text = f"{message.kind} {message.id} from {message.party} unanswered by {', '.join(awaiting)}"
                escalation = (
                    replace(unit.actor, party=message.party) if unit.actor is SYSTEM else unit.actor
                )
                self._post(
                    replace(unit, actor=escalation), current, MessageKind.ESCALATION, text=text
                )
