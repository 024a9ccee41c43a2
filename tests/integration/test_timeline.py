"""The situation at a past time, replayed from the seed's log, through need-to-know."""

from __future__ import annotations

from typing import Any

from deconflict.adapters.formats.timefmt import parse_time
from deconflict.adapters.sqlite.store import SqliteStore
from deconflict.service.timeline import situation_at


def _ids(objects: list[Any]) -> set[str]:
    return {o.id for o in objects}


def test_before_the_first_entry_there_is_nothing(seed_store: SqliteStore) -> None:
    past = situation_at(seed_store, "coalition", parse_time("140000ZSEP17"))
    assert past.seq == 0
    assert not (past.view.notices or past.view.declarations or past.view.messages)


def test_a_notice_appears_when_it_was_filed_and_not_before(seed_store: SqliteStore) -> None:
    before = situation_at(seed_store, "coalition", parse_time("160820ZSEP17"))
    after = situation_at(seed_store, "coalition", parse_time("160835ZSEP17"))
    assert _ids(before.view.notices) == {"coalition-isr-0916"}
    assert _ids(after.view.notices) == {"coalition-isr-0916", "ru-strike-0916"}
    assert after.seq > before.seq
    # seq is the last entry recorded by then
    last = [e for e in seed_store.entries() if e.seq == after.seq][0]
    assert parse_time(last.at) <= parse_time("160835ZSEP17")
    assert all(
        parse_time(e.at) > parse_time("160835ZSEP17")
        for e in seed_store.entries()
        if e.seq > after.seq
    )


def test_conflicts_open_then_come_as_each_party_may_see_them(seed_store: SqliteStore) -> None:
    at = parse_time("160900ZSEP17")
    coalition = situation_at(seed_store, "coalition", at).view.conflicts
    russia = situation_at(seed_store, "russia", at).view.conflicts
    hidden = [c for c in coalition if c.other.id == "sdf-ne-deir-ez-zor"]
    assert hidden and hidden[0].subject.id == "ru-strike-0916"
    # Russia was never shown that position: the same conflict, without its identity.
    same = [c for c in russia if c.id == hidden[0].id]
    assert same and same[0].other.id is None and same[0].distance_m is None
    assert not any(c.other.id == "sdf-ne-deir-ez-zor" for c in russia)


def test_objects_and_messages_stand_as_they_stood_then(seed_store: SqliteStore) -> None:
    before = situation_at(seed_store, "russia", parse_time("181100ZSEP17")).view
    after = situation_at(seed_store, "russia", parse_time("181300ZSEP17")).view
    crossing = {n.id: n for n in before.notices}["saa-crossing"]
    amended = {n.id: n for n in after.notices}["saa-crossing"]
    assert amended.version == crossing.version + 1

    asked = situation_at(seed_store, "russia", parse_time("161045ZSEP17")).view
    answered = situation_at(seed_store, "russia", parse_time("161055ZSEP17")).view
    stop = {m.id: m for m in asked.messages}["hotline-air#5"]
    assert stop.acknowledgements == ()
    assert {m.id: m for m in answered.messages}["hotline-air#5"].acknowledgements
    # The command line's first message (12:00) was not yet sent at 10:45.
    assert "hotline-command#1" not in {m.id for m in asked.messages}
