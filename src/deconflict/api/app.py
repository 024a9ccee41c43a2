"""The application factory: routes under /api/v1, problem+json errors, limits, background
deadline processing. Nothing happens at import."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..service.commands import ProcessDeadlines
from ..service.handlers import Request
from . import console, problems
from .collector import Collector
from .context import Services, known_query
from .routes import aco, admin, basemap, cot, formats, incidents, lines, log, notices, situation
from .schemas import ProblemOut

__all__ = ["create_app"]

LOG = logging.getLogger("deconflict.api")


class BodyLimit:
    """Refuse request bodies over a size, declared or streamed, with 413 problem+json."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problems.problem(
            413, "too_large", f"the request body is over {self.max_bytes} bytes"
        )
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass


async def _process_deadlines(services: Services, every_s: float) -> None:
    """Mark what fell overdue and escalate it; derived from the store on each pass, so a
    restart loses nothing and the injected clock decides. Of several servers on one store,
    only the one that leads runs the passes (docs/operations.md)."""
    leadership = services.deadlines
    while True:
        await asyncio.sleep(every_s)
        if leadership is not None and not await asyncio.to_thread(leadership.leads):
            continue
        done = await services.writer.run(Request(ProcessDeadlines()))
        if done.error is not None:  # keep the loop alive; the next pass retries from the store
            LOG.error("deadline processing failed", exc_info=done.error)


#: The API's parts in the order the interactive docs show them (not the order routes match).
_TAGS = [
    {"name": "parties, members and agreements", "description": "Administration: parties, "
     "members and their tokens, arrangements, lines opened."},
    {"name": "lines", "description": "Numbered messages on each line, acknowledgements, "
     "deadlines, suspension."},
    {"name": "notices", "description": "Notices of operations as 4D volumes, screened when "
     "filed or amended; their versions."},
    {"name": "declarations, measures and conflicts", "description": "Declared positions and "
     "sites, agreed lines and zones, and the conflicts found, as the caller's party may see "
     "them."},
    {"name": "incidents", "description": "Incidents reported and the facts on record about "
     "each, a zone's escalation ladder, and the tension per day between parties."},
    {"name": "log and stream", "description": "The hash-chained log as the caller's party may "
     "see it, and its live stream (Server-Sent Events)."},
    {"name": "base layer", "description": "Borders, rivers and coastlines under the map, "
     "offline."},
    {"name": "formats: import and export", "description": "GeoJSON, KML, ASTM F3548 volumes, "
     "Cursor on Target, and Airspace Control Orders."},
]  # fmt: skip


def create_app(
    services: Services,
    *,
    deadline_every_s: float = 1.0,
    max_body_bytes: int = 1_048_576,
    web_modules: Path | None = None,
    tile_url: str = "",
    collector: Collector | None = None,
) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        services.notifier.bind(asyncio.get_running_loop())
        if services.commits is not None:  # other processes' commits wake the streams too
            services.commits.start(services.notifier.notify)
        task = asyncio.create_task(_process_deadlines(services, deadline_every_s))
        if collector is not None:
            # What was loaded at start is frozen already (bootstrap.build): no full pass here,
            # which would walk all of it again (seconds at 10^5 volumes) before serving.
            collecting = asyncio.create_task(collector.run())
        yield
        task.cancel()
        if collector is not None:
            collecting.cancel()
        if services.commits is not None:
            services.commits.stop()
        if services.deadlines is not None:
            services.deadlines.close()

    app = FastAPI(
        title="deconflict",
        version="1",
        summary="Deconfliction lines, notices screened as 4D volumes, and a verifiable log.",
        description="Every request carries a member's token (`Authorization: Bearer …`). POSTs "
        "accept `Idempotency-Key`. Errors are RFC 9457 problem+json. Geometry is GeoJSON "
        "(RFC 7946); positions may also be typed as MGRS or ACO, times as DTG, altitudes in ft "
        "or flight levels.",
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        openapi_tags=_TAGS,
    )
    app.state.services = services
    problems.install(app)
    # Routes are matched in turn, each router's after the one before: the busiest first
    # (filing a notice matched 19 routes before its own when it came third).
    for module in (notices, lines, log, situation, incidents, admin, formats, cot, aco, basemap):
        app.include_router(
            module.router,
            prefix="/api/v1",
            responses=_PROBLEMS,
            dependencies=[Depends(known_query)],
        )
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    _document_problems(app)
    console.install(app, web_modules, tile_url)  # the browser console at / (docs/console.md)
    return app


def _document_problems(app: FastAPI) -> None:
    """Put the problem+json schema the error responses refer to into the OpenAPI document."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            schema.setdefault("components", {}).setdefault("schemas", {})["ProblemOut"] = (
                ProblemOut.model_json_schema(ref_template="#/components/schemas/{model}")
            )
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


_PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {
        "description": description,
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemOut"}}
        },
    }
    for status, description in (
        (401, "No token, or an unknown or revoked one"),
        (403, "The member's role or party does not allow it"),
        (404, "Unknown, or not visible to the caller's party"),
        (409, "Contradicts the current state"),
        (413, "Request body too large"),
        (422, "Invalid input: the field and the reason"),
    )
}
