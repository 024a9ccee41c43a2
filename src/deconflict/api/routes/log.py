"""The party's view of the log, and its live stream (Server-Sent Events)."""

from __future__ import annotations

from collections.abc import Callable
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
#: Pages a stream presents on the event loop in one turn (``_recent_page``).
PAGES_PER_TURN = 2

Pager = Callable[[int], "tuple[int, list[dict[str, Any]]] | None"]


def _present(seen: Visibility, records: list[tuple[Any, Any]]) -> list[dict[str, Any]]:
    items = [feed_present(seen, entry, record) for entry, record in records]
    return [present_item(i) for i in items if i is not None]


def _page(who: Caller, after: int, limit: int = PAGE) -> tuple[int, list[dict[str, Any]]]:
    """(last seq read, the items among them the party may see)."""
    store = who.services.store
    last = min(after + limit, store.head())  # every entry up to the head is committed
    if last <= after:
        return after, []

    def make() -> list[dict[str, Any]]:
        records = store.records(after, last - after, skip=QUIET_KINDS)
        with store.read() as tx:
            return _present(Visibility(tx, who.party), records)

    return last, who.services.pages.get((who.party, after, last), make)


def _recent_page(who: Caller, after: int) -> tuple[int, list[dict[str, Any]]] | None:
    """``_page`` from what this process committed lately and holds in memory, checked for
    need-to-know against the live situation; None when any entry of the page is not held.
    Made on the event loop: the page just committed reaches the streams without a hand-over
    to a thread (and the wait for the interpreter lock the loop holds while it writes)."""
    services = who.services
    last = min(after + PAGE, services.store.head())
    if last <= after:
        return after, []
    records = services.store.recent_records(after, last - after, skip=QUIET_KINDS)
    if records is None:
        return None
    return last, services.pages.get(
        (who.party, after, last),
        lambda: _present(Visibility(services.mechanism, who.party), records),
    )


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

    def read_pages(position: int, pages: int, page: Pager) -> tuple[int, str, bool] | None:
        """Up to ``pages`` pages, and whether the head was reached (a page shorter than a full
        one was); fewer where ``page`` has none (None if it had not the first)."""
        chunks: list[str] = []
        for _ in range(pages):
            got = page(position)
            if got is None:
                return (position, "".join(chunks), False) if chunks else None
            last, items = got
            if last > position:
                key = ("frames", who.party, position, last)
                chunks.append(who.services.pages.get(key, partial(_frames, items)))
            reached, position = last < position + PAGE, last
            if reached:
                break
        return position, "".join(chunks), reached

    def read(position: int) -> tuple[int, str, bool]:
        """Up to the head, a few pages at a time, in a thread: each read waits for a turn of
        the event loop, which may be long while commands are written, so one page per turn
        falls behind."""
        found = read_pages(position, PAGES_PER_READ, partial(_page, who))
        assert found is not None  # the store has every page: None never comes
        return found

    def read_recent(position: int) -> tuple[int, str, bool] | None:
        """As ``read``, on the event loop, while this process holds the pages
        (``_recent_page``); None when it holds not the first: ``read`` it in a thread."""
        return read_pages(position, PAGES_PER_TURN, partial(_recent_page, who))

    return StreamingResponse(
        sse(
            start,
            read,
            who.services.notifier,
            poll_s=who.services.stream_poll_s,
            read_recent=read_recent,
        ),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store"},
    )
