"""Group commit on a real SQLite file: the background checkpoint, savepoints inside a
transaction, and the API's writer batching requests on a real event loop."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import time
from collections.abc import Sequence
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from deconflict.adapters.sqlite.store import SqliteStore
from deconflict.adapters.volume_index import TimeSlicedIndex
from deconflict.api.streams import Notifier
from deconflict.api.writer import Writer
from deconflict.domain.arrangement import Arrangement, LineDomain
from deconflict.domain.chain import verify_chain
from deconflict.domain.errors import InvalidInput
from deconflict.domain.lines import MessageKind
from deconflict.domain.parties import Party, Role
from deconflict.service import commands as c
from deconflict.service.clock import SimulatedClock
from deconflict.service.handlers import Deconfliction, Done, Request
from deconflict.service.situation import Situation

AT = datetime(2017, 9, 16, tzinfo=UTC)


def _parties_in(db: Path) -> int:
    """Parties in this file on its own (0 while its tables are still only in a -wal)."""
    with closing(sqlite3.connect(db)) as conn:
        try:
            found = conn.execute("SELECT count(*) FROM objects WHERE type = 'party'").fetchone()
        except sqlite3.DatabaseError:
            return 0
        return int(found[0])


def test_the_background_checkpoint_copies_the_wal_into_the_file(tmp_path: Path) -> None:
    path = tmp_path / "deconflict.sqlite"
    store = SqliteStore(path, checkpoint_every_s=0.05)
    try:
        for i in range(300):
            with store.transaction() as tx:
                tx.record("party.created", "system", AT, Party(f"p-{i}", f"Party {i}"))
        assert Path(f"{path}-wal").stat().st_size > 0
        # The main file alone (copied without its -wal) holds every record once checkpointed.
        alone = tmp_path / "alone.sqlite"
        deadline = time.monotonic() + 5
        while True:
            shutil.copyfile(path, alone)
            if _parties_in(alone) == 300 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert _parties_in(alone) == 300
    finally:
        started = time.monotonic()
        store.close()
    assert time.monotonic() - started < 1
    assert store._checkpointer is not None and not store._checkpointer._thread.is_alive()


def test_a_savepoint_rolled_back_restores_the_chain_head(store: SqliteStore) -> None:
    with store.transaction() as tx:
        a = tx.record("party.created", "system", AT, Party("a", "A"))
        with pytest.raises(RuntimeError), tx.savepoint():
            tx.record("party.created", "system", AT, Party("b", "B"))
            raise RuntimeError("undo b")
        assert tx.get(Party, "b") is None
        c_ = tx.record("party.created", "system", AT, Party("c", "C"))
    entries = list(store.entries())
    assert [(e.seq, e.subject_id) for e in entries] == [(1, "a"), (2, "c")]
    assert c_.prev_hash == a.hash
    assert verify_chain(entries) == []
    with store.read() as tx:
        assert [p.id for p in tx.all(Party)] == ["a", "c"]


def _mechanism(store: SqliteStore) -> Deconfliction:
    m = Deconfliction(store, SimulatedClock(AT), Situation(TimeSlicedIndex))
    m.start()
    for party in ("coalition", "russia"):
        m.handle(c.CreateParty(party, party.title()))
        m.handle(c.AddMember(f"{party}-officer", party, Role.OFFICER))
    m.handle(c.CreateArrangement(Arrangement("A-1", ("coalition", "russia"))))
    m.handle(c.OpenLine("L-air", "A-1", LineDomain.AIR))
    return m


def test_the_writer_commits_requests_queued_together_as_one_batch(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    mech = _mechanism(store)
    batches: list[int] = []
    handle_all = mech.handle_all

    def counted(requests: Sequence[Request]) -> list[Done]:
        batches.append(len(requests))
        return handle_all(requests)

    monkeypatch.setattr(mech, "handle_all", counted)
    head = store.head()
    texts = [f"message {i}" for i in range(20)]
    texts[7] = "   "  # no text: refused alone

    async def main() -> tuple[list[Done], bool]:
        notifier = Notifier()
        notifier.bind(asyncio.get_running_loop())
        writer = Writer(mech, notifier)
        ticket = notifier.ticket()
        assert ticket is not None
        done = await asyncio.gather(
            *(
                writer.run(Request(c.Send("L-air", MessageKind.TEXT, text), "russia-officer"))
                for text in texts
            )
        )
        return list(done), ticket.is_set()

    done, pulsed = asyncio.run(main())
    assert batches == [20]
    assert pulsed
    assert isinstance(done[7].error, InvalidInput) and done[7].outcome is None
    good = [d for i, d in enumerate(done) if i != 7]
    assert all(d.error is None and d.outcome is not None for d in good)
    assert [[e.kind for e in d.result().entries] for d in good] == [
        ["line.numbered", "message.text"]
    ] * 19
    numbers = [d.result().entries[1].subject_id for d in good]
    assert numbers == [f"L-air#{n}" for n in range(1, 20)]
    assert store.head() == head + 2 * 19
    assert verify_chain(store.entries()) == []


def test_what_a_transaction_recorded_is_kept_decoded_as_a_cold_read_would_decode_it(
    tmp_path: Path,
) -> None:
    from deconflict.adapters.codec import from_dict
    from deconflict.adapters.scenario import bundled, load_scenario
    from deconflict.cli.replay import run_scenario
    from deconflict.service.ports import RECORD_TYPES

    scenario = load_scenario(bundled("deir-ez-zor-2017.yaml"))
    clock = SimulatedClock(scenario.steps[0].at)
    store = SqliteStore(tmp_path / "seed.sqlite")
    mech = Deconfliction(store, clock, Situation(TimeSlicedIndex))
    mech.start()
    run_scenario(scenario, mech, clock, lambda _: None, False)
    compared = 0
    for (kind, id), found in store.objects().items():
        with store.read() as tx:  # served from what the writer kept
            kept = tx.get(RECORD_TYPES[kind], id)
        assert kept == from_dict(RECORD_TYPES[kind], found["body"]), (kind, id)
        compared += 1
    assert compared > 40
    store.close()
