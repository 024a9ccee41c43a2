"""What the API and the streams present is exactly what the log's encoding reads back as."""

from __future__ import annotations

from deconflict.adapters.codec import encode, to_dict
from deconflict.adapters.sqlite.store import SqliteStore
from deconflict.domain.conflicts import Conflict
from deconflict.service.visibility import Visibility


def test_every_record_and_view_of_the_seed_presents_as_it_reads_back(
    seed_store: SqliteStore,
) -> None:
    presented = 0
    for entry, record in seed_store.records(0, 100_000):
        assert to_dict(record) == encode(record)[0], (entry.seq, entry.kind)
        presented += 1
        if isinstance(record, Conflict):
            for party in ("coalition", "russia"):
                with seed_store.read() as tx:
                    view = Visibility(tx, party).view(record)
                if view is not None:
                    assert to_dict(view) == encode(view)[0], (entry.seq, party)
                    presented += 1
    assert presented > 100
