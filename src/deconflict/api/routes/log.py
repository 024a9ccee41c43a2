"""The party's view of the log, and its live stream (Server-Sent Events)."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import StreamingResponse

from ...domain.errors import InvalidInput
from ...service.feed import QUIET_KINDS
from ...service.feed import present as feed_present
from ...service.visibility import Visibility
from ..context import Caller, Who
from ..presenters import present_item
from ..schemas import LogItemOut
from ..streams import frames, sse

router = APIRouter(tags=["log and stream"])

PAGE = 500
PAGES_PER_READ = 20


def _page(who: Caller, after: int, limit: int = PAGE) -> tuple[int, list[dict[str, Any]]]:
    """(last seq read, the items among them the party may see)."""
    store = who.services.store
    last = min(after + limit, store.head())  # every entry up to the head is committed
    if last <= after:
        return after, []

    def make() -> list[dict[str, Any]]:
        records = store.records(after, last - after, skip=QUIET_KINDS)
        with store.read() as tx:
            seen = Visibility(tx, who.party)
            items = [feed_present(seen, entry, record) for entry, record in records]
        return [present_item(i) for i in items if i is not None]

    return last, who.services.pages.get((who.party, after, last), make)


@router.get(
    "/log",
    response_model=list[LogItemOut],
    summary="The log as the caller's party may see it (conflicts redacted, credentials left out)",
)
def log(
    who: Who, after: int = Query(0, ge=0, le=2**62), limit: int = Query(PAGE, ge=1, le=PAGE)
) -> list[dict[str, Any]]:
    return _page(who, after, limit)[1]


def _frames(items: list[dict[str, Any]]) -> str:
    return frames([(i["seq"], i["kind"], i) for i in items])


def _resume_from(last_event_id: str | None, after: int) -> int:
    if last_event_id is None:
        return after
    if not last_event_id.isdigit():
        raise InvalidInput(
            "Last-Event-ID is the sequence number of the last event received", field="Last-Event-ID"
        )
    return int(last_event_id)


@router.get(
    "/stream",
    summary="Live stream of the party's events (text/event-stream); resumes after Last-Event-ID",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
def stream(
    who: Who,
    after: int = Query(
        0, ge=0, le=2**62, description="start after this sequence number (0: from the start)"
    ),
    last_event_id: str | None = Header(None, max_length=20),
) -> StreamingResponse:
    start = _resume_from(last_event_id, after)

    def read(position: int) -> tuple[int, str, bool]:
        """Up to the head, a few pages at a time: each read waits for a turn of the event loop,
        which may be long while commands are written, so one page per turn falls behind.
        Also whether it reached the head (a page shorter than a full one did)."""
        chunks = []
        for _ in range(PAGES_PER_READ):
            last, items = _page(who, position, PAGE)
            if last > position:
                chunks.append(
                    who.services.pages.get(
                        ("frames", who.party, position, last),
                        partial(_frames, items),
                    )
                )
            reached, position = last < position + PAGE, last
            if reached:
                break
        return position, "".join(chunks), reached

    return StreamingResponse(
        sse(start, read, who.services.notifier, poll_s=who.services.stream_poll_s),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store"},
    )
