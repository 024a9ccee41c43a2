"""What every route needs: the services, the calling member, and how a command is run."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends
from fastapi import Request as HTTPRequest
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..adapters.codec import iso
from ..adapters.payloads import build_command
from ..domain.chain import canonical
from ..domain.errors import DeconflictError, InvalidInput
from ..domain.parties import Member
from ..service.handlers import Deconfliction, Outcome, Request
from ..service.ports import Clock, CommitSignal, Leadership, Store, Transaction
from ..service.visibility import Visibility
from .encoding import JsonResponse, dumps_text
from .presenters import present
from .streams import Notifier, Pages
from .writer import Writer

__all__ = ["Services", "Caller", "Who", "caller", "recorded", "Unauthorized", "IdempotencyMismatch"]


class Unauthorized(DeconflictError):
    code = "unauthorized"


class IdempotencyMismatch(InvalidInput):
    code = "idempotency_mismatch"


@dataclass
class Services:
    store: Store
    mechanism: Deconfliction
    clock: Clock
    notifier: Notifier
    writer: Writer
    pages: Pages = field(default_factory=Pages)
    #: Hears the commits of the other processes on the store (None: each stream looks at the
    #: store every half second).
    commits: CommitSignal | None = None
    #: Whether this process runs the deadline passes (None: it always does).
    deadlines: Leadership | None = None

    @property
    def stream_poll_s(self) -> float:
        """The longest a waiting stream goes without reading the store."""
        return self.commits.fallback_s if self.commits is not None else 0.5


_bearer = HTTPBearer(auto_error=False, description="A member's token (deconflict member add)")


@dataclass
class Caller:
    member: Member
    services: Services
    idempotency_key: str | None
    method: str
    path: str

    @property
    def party(self) -> str:
        return self.member.party

    def conflicts_seen(self, outcome: Outcome) -> list[dict[str, Any]]:
        """The command's conflicts as the caller's party may see them."""
        seen = Visibility(self.services.mechanism, self.party)
        return [present(v) for c in outcome.conflicts if (v := seen.view(c)) is not None]

    async def run(
        self,
        action: str,
        payload: dict[str, Any],
        respond: Callable[[Outcome], dict[str, Any]],
        status: int = 201,
    ) -> Response:
        """Build, run and answer a command once, even when the request is retried: the reply to
        an Idempotency-Key is kept in the command's own transaction and replayed after."""
        command = build_command(action, payload)
        key = self.idempotency_key
        if key is None:
            done = await self.services.writer.run(
                Request(command, self.member.id, then=lambda outcome, _: respond(outcome))
            )
            return JsonResponse(done.result(), status_code=status)
        member = self.member.id
        request = hashlib.sha256(canonical([self.method, self.path, payload])).hexdigest()

        def answer(outcome: Outcome, tx: Transaction) -> str:
            body = dumps_text(respond(outcome))
            tx.remember(member, key, request, status, body, iso(self.services.clock.now()))
            return body

        def kept(tx: Transaction) -> tuple[str, int, str] | None:
            return tx.recall(member, key)

        done = await self.services.writer.run(Request(command, member, kept, answer))
        result = done.result()
        if done.outcome is not None:
            return _json(result, status)
        digest, kept_status, kept_body = result
        if digest != request:
            raise IdempotencyMismatch(
                "this Idempotency-Key was used for a different request", field="Idempotency-Key"
            )
        return _json(kept_body, kept_status, {"Idempotent-Replay": "true"})

    async def preview(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """What a command would find, as the caller's party may see it, recording nothing: the
        command is checked and screened like ``run`` (same roles, same errors), then undone.
        No Idempotency-Key is kept: a preview is safe to repeat."""
        command = build_command(action, payload)
        done = await self.services.writer.run(
            Request(
                command,
                self.member.id,
                then=lambda outcome, _: {"conflicts": self.conflicts_seen(outcome)},
                dry_run=True,
            )
        )
        answer: dict[str, Any] = done.result()
        return answer


def _json(body: str, status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status_code=status, headers=headers, media_type="application/json")


def recorded_only(outcome: Outcome) -> dict[str, Any]:
    """The answer of a command that finds no conflicts: what it recorded."""
    return {"recorded": recorded(outcome), "conflicts": []}


def recorded(outcome: Outcome) -> list[dict[str, Any]]:
    return [
        {"seq": e.seq, "kind": e.kind, "subject_type": e.subject_type, "subject_id": e.subject_id}
        for e in outcome.entries
    ]


async def caller(
    request: HTTPRequest,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    services: Services = request.app.state.services
    if credentials is None:
        raise Unauthorized("send a member's token: Authorization: Bearer <token>")
    member = services.mechanism.authenticate(credentials.credentials)
    if member is None:
        raise Unauthorized("this token is unknown or revoked")
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (0 < len(key) <= 200):
        raise InvalidInput("an Idempotency-Key has 1 to 200 characters", field="Idempotency-Key")
    return Caller(member, services, key, request.method, request.url.path)


#: The calling member, authenticated: ``def route(who: Who)``.
Who = Annotated[Caller, Depends(caller)]


async def known_query(request: HTTPRequest) -> None:
    """Refuse query parameters a route does not take, as unknown body fields are refused."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = {p.alias for p in dependant.query_params}
    for dep in dependant.dependencies:
        known |= {p.alias for p in dep.query_params}
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise InvalidInput(
            f"unknown query parameter(s) {unknown}; this route takes {sorted(known) or 'none'}",
            field=unknown[0],
        )
