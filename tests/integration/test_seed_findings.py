"""The seed's incidents: the findings list exactly the expected facts, field by field."""

from __future__ import annotations

from deconflict.adapters.sqlite.store import SqliteStore
from deconflict.service.findings import finding


def test_the_16_september_strike_finding(seed_store: SqliteStore) -> None:
    with seed_store.read() as tx:
        incident, facts = finding(tx, "sdf-strike-0916")
    assert (incident.party, incident.alleged, str(incident.kind)) == (
        "coalition",
        ("russia",),
        "strike_on_forces",
    )
    assert [(f.kind, f.subject) for f in facts] == [
        ("notice_covering", "notice:ru-strike-0916"),
        ("declaration_near", "declaration:sdf-ne-deir-ez-zor"),
        ("declaration_near", "declaration:sdf-conoco"),
        ("declaration_near", "declaration:saa-airport"),
        ("line_side", "measure:euphrates-line"),
        ("stop_request", "message:hotline-air#5"),
        ("linked_text", "message:hotline-command#1"),
    ]
    strike, hidden, conoco, _, side, stop, denial = facts
    assert strike.data["lead_min"] == 90 and strike.data["filed_at"] == "2017-09-16T08:30:00+00:00"
    assert strike.data["acknowledgements"] == [
        {
            "party": "coalition",
            "answer": "received",
            "at": "2017-09-16T08:40:00+00:00",
            "reason": "",
        }
    ]
    assert hidden.data["distance_m"] == 0.0 and hidden.data["visible_to_alleged"] == {
        "russia": False
    }
    assert (
        hidden.data["declared_at"] == "2017-09-15T10:00:00+00:00"
        and hidden.data["disclosed_to"] == []
    )
    assert (
        conoco.data["visible_to_alleged"] == {"russia": True}
        and 7_000 < conoco.data["distance_m"] < 8_500
    )
    assert side.data["side_of"] == ["coalition"] and side.data["alleged_beyond"] == ["russia"]
    assert stop.data["sent_at"] == "2017-09-16T10:40:00+00:00"
    assert stop.data["acknowledgements"][0]["at"] == "2017-09-16T10:50:00+00:00"
    assert "notified in advance" in denial.data["text"]
    with seed_store.read() as tx:
        seqs = {e.seq: e for e in seed_store.entries()}
    assert (
        seqs[strike.seq].subject_id == "ru-strike-0916"
        and seqs[hidden.seq].subject_id == "sdf-ne-deir-ez-zor"
    )


def test_russia_reads_the_same_finding_without_the_undisclosed_position(
    seed_store: SqliteStore,
) -> None:
    with seed_store.read() as tx:
        _, facts = finding(tx, "sdf-strike-0916", "russia")
    hidden = facts[1]
    assert hidden.subject == "declaration:(not disclosed)"
    assert "declaration" not in hidden.data and "distance_m" not in hidden.data
    assert hidden.data["distance_band"] == "under 1 km"
    assert "sdf-ne-deir-ez-zor" not in str(facts)


def test_the_19_september_fire_finding_links_the_query_the_reply_and_the_warning(
    seed_store: SqliteStore,
) -> None:
    with seed_store.read() as tx:
        incident, facts = finding(tx, "saa-fire-0919")
    assert incident.party == "russia" and incident.alleged == ("coalition",)
    linked = [(f.kind, f.subject) for f in facts if f.kind.startswith("linked_")]
    assert linked == [
        ("linked_reply", "message:hotline-ground#6"),
        ("linked_query", "message:hotline-ground#5"),
    ]
    covering = [f.data["notice"] for f in facts if f.kind == "notice_covering"]
    assert covering == ["saa-crossing"]
    near = {
        f.data["declaration"]: f.data["distance_m"] for f in facts if f.kind == "declaration_near"
    }
    assert near["sdf-east-bank"] == 0.0 and set(near) == {
        "sdf-ne-deir-ez-zor",
        "sdf-conoco",
        "saa-airport",
        "sdf-east-bank",
    }


def test_the_tension_picture_of_the_seed_per_day(seed_store: SqliteStore) -> None:
    from datetime import date

    from deconflict.service.tension import tension

    with seed_store.read() as tx:
        rows = tension(tx)
        assert tension(tx, "un-desk") == []
    assert [(r.day, r.pair, r.counts) for r in rows] == [
        (
            date(2017, 9, 16),
            ("coalition", "russia"),
            {"incidents": 1, "line_crossings": 1, "zone_entries": 0, "overdue": 0, "warnings": 0},
        ),
        (
            date(2017, 9, 18),
            ("coalition", "russia"),
            {"incidents": 0, "line_crossings": 1, "zone_entries": 0, "overdue": 0, "warnings": 0},
        ),
        (
            date(2017, 9, 19),
            ("coalition", "russia"),
            {"incidents": 1, "line_crossings": 0, "zone_entries": 0, "overdue": 0, "warnings": 0},
        ),
        (
            date(2017, 9, 21),
            ("coalition", "russia"),
            {"incidents": 1, "line_crossings": 0, "zone_entries": 0, "overdue": 2, "warnings": 1},
        ),
    ]


def test_the_21_september_warning_is_linked_to_the_second_fire(seed_store: SqliteStore) -> None:
    with seed_store.read() as tx:
        incident, facts = finding(tx, "saa-fire-0921")
    assert (incident.party, incident.alleged) == ("russia", ("coalition",))
    [warning] = [f for f in facts if f.kind == "linked_warning"]
    assert warning.subject == "message:hotline-command#4"
    assert warning.data["text"] == "A new incident of the same kind will bring a response."
    assert warning.data["acknowledgements"][0]["party"] == "coalition"
