"""Need-to-know: what a party can read never holds the geometry it was not shown."""

from __future__ import annotations

import json
import re
from dataclasses import asdict

from deconflict.adapters.codec import to_dict
from deconflict.adapters.sqlite.store import SqliteStore
from deconflict.domain.declarations import Declaration
from deconflict.service.views import read_for


def _everything_readable(store: SqliteStore, party: str) -> str:
    with store.read() as tx:
        return json.dumps(to_dict(asdict(read_for(tx, party))))


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"-?\d+\.\d+", text))


def _coordinate_texts(decl: Declaration) -> set[str]:
    """Every way a coordinate of the declaration could be written, to 2-6 decimals."""
    texts = set()
    for lon, lat in decl.footprint.coordinates:
        for value in (lon, lat):
            texts |= {f"{value:.{n}f}" for n in range(2, 7)} | {repr(value)}
    return texts


def test_no_coordinate_of_an_undisclosed_declaration_reaches_the_other_party(
    seed_store: SqliteStore,
) -> None:
    with seed_store.read() as tx:
        hidden = tx.get(Declaration, "sdf-ne-deir-ez-zor")
    assert hidden is not None and "russia" not in hidden.disclosed_to
    readable = _everything_readable(seed_store, "russia")
    assert "sdf-ne-deir-ez-zor" not in readable
    leaked = _coordinate_texts(hidden) & _numbers(readable)
    assert not leaked, f"coordinates of an undisclosed declaration leaked: {leaked}"


def test_the_owner_and_the_parties_it_was_shown_to_do_see_it(seed_store: SqliteStore) -> None:
    coalition = json.loads(_everything_readable(seed_store, "coalition"))
    russia = json.loads(_everything_readable(seed_store, "russia"))
    assert "sdf-ne-deir-ez-zor" in {d["id"] for d in coalition["declarations"]}
    assert "sdf-conoco" in {d["id"] for d in russia["declarations"]}  # disclosed to russia
    assert "saa-airport" in {d["id"] for d in coalition["declarations"]}


def test_the_other_party_sees_the_conflict_as_kind_owner_band_and_time_only(
    seed_store: SqliteStore,
) -> None:
    russia = json.loads(_everything_readable(seed_store, "russia"))
    on_hidden = [
        c
        for c in russia["conflicts"]
        if c["other"]["type"] == "declaration" and c["other"]["id"] is None
    ]
    assert on_hidden, "russia must be told its strike conflicts with something it cannot see"
    strike = next(c for c in on_hidden if c["subject"]["id"] == "ru-strike-0916")
    assert strike["other"] == {
        "type": "declaration",
        "kind": "force_position",
        "party": "coalition",
        "id": None,
    }
    assert strike["distance_band"] == "under 1 km"
    assert strike["distance_m"] is None and strike["detail"] == "" and not strike["disclosed"]
    assert strike["window"] == {"start": "2017-09-16T10:00:00Z", "end": "2017-09-16T12:00:00Z"}


def test_the_owner_of_the_declaration_sees_the_same_conflict_in_full(
    seed_store: SqliteStore,
) -> None:
    coalition = json.loads(_everything_readable(seed_store, "coalition"))
    full = next(
        c
        for c in coalition["conflicts"]
        if c["subject"]["id"] == "ru-strike-0916" and c["other"]["id"] == "sdf-ne-deir-ez-zor"
    )
    assert full["disclosed"] and full["distance_m"] == 0.0
