"""The streams: a commit between reading and waiting is never missed; a party's streams
share each page; frames go out as one chunk."""

from __future__ import annotations

import asyncio
import threading
import time

from deconflict.api.streams import Notifier, Pages, frames, sse


def test_a_commit_between_reading_and_waiting_still_wakes_the_stream() -> None:
    async def scenario() -> bool:
        notifier = Notifier()
        notifier.bind(asyncio.get_running_loop())
        ticket = notifier.ticket()  # taken before reading the log
        notifier.notify()  # a command commits while the page is being read
        await asyncio.sleep(0)  # the pulse runs on the loop
        return await notifier.wait(5.0, ticket)

    assert asyncio.run(scenario()) is True


def test_without_a_commit_the_wait_times_out() -> None:
    async def scenario() -> bool:
        notifier = Notifier()
        notifier.bind(asyncio.get_running_loop())
        return await notifier.wait(0.05, notifier.ticket())

    assert asyncio.run(scenario()) is False


def test_a_page_is_made_once_for_all_the_streams_that_read_it() -> None:
    pages, made, start = Pages(size=2), [], threading.Barrier(8)

    def make() -> list[int]:
        made.append(1)
        time.sleep(0.05)  # the other readers arrive while it is being made
        return [1, 2, 3]

    got: list[object] = []

    def read() -> None:
        start.wait()
        got.append(pages.get(("russia", 0, 3), make))

    readers = [threading.Thread(target=read) for _ in range(8)]
    for r in readers:
        r.start()
    for r in readers:
        r.join()
    assert len(made) == 1 and got == [[1, 2, 3]] * 8
    pages.get(("russia", 3, 4), lambda: [4])
    pages.get(("russia", 4, 5), lambda: [5])  # the oldest page is dropped (size 2)
    assert pages.get(("russia", 0, 3), lambda: ["made again"]) == ["made again"]


def test_frames_are_one_chunk_of_server_sent_events() -> None:
    chunk = frames([(7, "conflict.found", {"id": "C-1"}), (9, "message.notice", {"n": 2})])
    assert chunk == (
        'id: 7\nevent: conflict.found\ndata: {"id":"C-1"}\n\n'
        'id: 9\nevent: message.notice\ndata: {"n":2}\n\n'
    )
    assert frames([]) == ""


def test_a_stream_reads_on_while_behind_and_once_per_wake_at_the_head() -> None:
    """Behind by more than a read, it reads again at once (no wait for a commit); at the head
    it reads nothing more until a commit wakes it, and then reads once."""
    reads: list[int] = []
    answers = [(500, "a", False), (520, "b", True), (530, "c", True)]

    def read(after: int) -> tuple[int, str, bool]:
        reads.append(after)
        return answers[len(reads) - 1]

    async def scenario() -> list[str]:
        notifier = Notifier()
        notifier.bind(asyncio.get_running_loop())
        stream = sse(0, read, notifier, poll_s=60.0)
        got = [await anext(stream)]  # the banner
        got.append(await asyncio.wait_for(anext(stream), 5.0))  # a
        got.append(await asyncio.wait_for(anext(stream), 5.0))  # b: no commit was needed
        waiting = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0.2)
        assert not waiting.done() and reads == [0, 500]  # at the head: waits, reads nothing
        notifier.notify()
        got.append(await asyncio.wait_for(waiting, 5.0))  # c, after the commit
        assert reads == [0, 500, 520]
        await stream.aclose()
        return got

    assert asyncio.run(scenario())[1:] == ["a", "b", "c"]


def test_a_stream_reads_what_is_held_on_the_loop_and_the_rest_in_a_thread() -> None:
    """``read_recent`` is asked first, on the loop's own thread; where it holds nothing
    (None), the page is read in a thread."""
    loop_thread = threading.get_ident()
    asked: list[tuple[str, int, bool]] = []

    def read_recent(after: int) -> tuple[int, str, bool] | None:
        asked.append(("recent", after, threading.get_ident() == loop_thread))
        return (10, "held", True) if after == 0 else None

    def read(after: int) -> tuple[int, str, bool]:
        asked.append(("store", after, threading.get_ident() == loop_thread))
        return 20, "stored", True

    async def scenario() -> list[str]:
        notifier = Notifier()
        notifier.bind(asyncio.get_running_loop())
        stream = sse(0, read, notifier, poll_s=60.0, read_recent=read_recent)
        got = [await anext(stream)]  # the banner
        got.append(await asyncio.wait_for(anext(stream), 5.0))
        waiting = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0)
        notifier.notify()
        got.append(await asyncio.wait_for(waiting, 5.0))
        await stream.aclose()
        return got

    assert asyncio.run(scenario())[1:] == ["held", "stored"]
    assert asked == [("recent", 0, True), ("recent", 10, True), ("store", 10, False)]
