"""The stream's wake-ups: a commit between reading and waiting is never missed."""

from __future__ import annotations

import asyncio

from deconflict.api.streams import Notifier


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
