"""Every export of the Deir ez-Zor scenario, as each party may see it: the SDF positions the
coalition never disclosed to Russia are in none of Russia's, in any format, and the
coalition's own exports read back into what it recorded."""

from __future__ import annotations

import json

import pytest

from deconflict.adapters.formats.exchange import EXPORTERS, ExportOptions
from deconflict.adapters.formats.features import commands_from_features
from deconflict.adapters.formats.outline import outline
from deconflict.adapters.sqlite.store import SqliteStore
from deconflict.domain.declarations import Declaration
from deconflict.service import commands as c
from deconflict.service.selection import Selection, select

HIDDEN = "sdf-ne-deir-ez-zor"


def exported(store: SqliteStore, party: str, fmt: str) -> str:
    exporter = EXPORTERS[fmt]
    with store.read() as tx:
        selected = select(tx, party, exporter.narrow(Selection(include_inactive=True)))
    return exporter.write(selected, ExportOptions()).decode("utf-8")


@pytest.mark.parametrize("fmt", sorted(EXPORTERS))
def test_russia_never_gets_the_undisclosed_sdf_positions(seed_store: SqliteStore, fmt: str) -> None:
    with seed_store.read() as tx:
        hidden = tx.get(Declaration, HIDDEN)
    assert hidden is not None and "russia" not in hidden.disclosed_to
    (lon, lat) = hidden.footprint.coordinates[0]
    corners = [f"{x:.7f},{y:.7f}" for x, y in outline(hidden.footprint)[:4]]
    text = exported(seed_store, "russia", fmt)
    # KML draws areas as outlines: the hidden circle's own corners would be there
    places = corners if fmt == "kml" else [f"[{lon},{lat}]", f'"lat":{lat},"lng":{lon}']
    compact = "".join(text.split())  # JSON is indented: positions span lines
    for needle in (HIDDEN, hidden.label, *places):
        assert needle not in text and "".join(needle.split()) not in compact, (fmt, needle)
    if fmt != "kml":  # the needles would find it: it is there for the coalition
        coalition = "".join(exported(seed_store, "coalition", fmt).split())
        assert (f"[{lon},{lat}]" in coalition) == (fmt == "geojson")
    own = exported(seed_store, "coalition", fmt)
    assert (HIDDEN in own) == (fmt != "f3548")  # F3548 carries notices only


def test_the_coalitions_export_reads_back_into_its_objects(seed_store: SqliteStore) -> None:
    document = json.loads(exported(seed_store, "coalition", "geojson"))
    active = {
        "type": "FeatureCollection",
        "features": [
            f
            for f in document["features"]
            if f["properties"]["state"] == "active"
            and f["properties"].get("party", "coalition") == "coalition"
        ],
    }
    commands = commands_from_features(active, party="coalition").commands
    with seed_store.read() as tx:
        by_id = {d.id: d for d in tx.all(Declaration)}
    declared = [cmd for cmd in commands if isinstance(cmd, c.Declare)]
    assert {d.id for d in declared} == {"sdf-ne-deir-ez-zor", "sdf-conoco", "sdf-east-bank"}
    for cmd in declared:
        assert cmd.footprint == by_id[cmd.id].footprint
        assert cmd.window == by_id[cmd.id].window
        assert cmd.disclosed_to == by_id[cmd.id].disclosed_to
