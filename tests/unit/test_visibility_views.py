"""A conflict is viewed once for every reader alike (the filing party's answer, the streams),
and presented once: the view kept is the one view_for makes, per disclosure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from deconflict.api.presenters import present
from deconflict.domain.arrangement import LineDomain
from deconflict.domain.conflicts import view_for
from deconflict.domain.geometry import Footprint
from deconflict.domain.lines import Line
from deconflict.domain.screening import screen_pair
from deconflict.service.memo import ByIdentity
from deconflict.service.visibility import Visibility

from .factories import RULES, at, declaration, notice, volume

DEZ = (40.141, 35.336)
LINE = Line("hotline-air", "mou", LineDomain.AIR, ("coalition", "russia", "turkey"), timedelta(1))


class Situation:
    """The records a reader looks up, by type and id."""

    def __init__(self, *records: Any) -> None:
        self._records = {(type(r), r.id): r for r in records}

    def get(self, cls: Any, id: str) -> Any:
        return self._records.get((cls, id))


def test_alike_readers_share_one_view_and_one_presentation_and_others_get_their_own() -> None:
    strike = notice(volume(Footprint.circle(DEZ, 1_000)), party="russia")
    shown = declaration(Footprint.point(DEZ), id="D-shown", disclosed_to=("russia",))
    hidden = declaration(Footprint.point(DEZ), id="D-hidden")
    world = Situation(strike, shown, hidden, LINE)
    on_shown = screen_pair(strike, shown, RULES, at(1))
    on_hidden = screen_pair(strike, hidden, RULES, at(1))
    assert on_shown is not None and on_hidden is not None

    coalition, russia, turkey = (Visibility(world, p) for p in ("coalition", "russia", "turkey"))
    assert turkey.view(on_shown) is None  # takes no part in it
    # Both parties may see both objects: one view, one presented dict.
    first, second = coalition.view(on_shown), Visibility(world, "russia").view(on_shown)
    assert first is second and first == view_for(on_shown, lambda _: True)
    assert present(first) is present(second)  # type: ignore[arg-type]
    # The hidden declaration: the owner sees it in full, Russia redacted — two views.
    full, redacted = coalition.view(on_hidden), russia.view(on_hidden)
    assert full is not None and redacted is not None and full is not redacted
    assert full.disclosed and full.other.id == "D-hidden" and full.distance_m is not None
    assert not redacted.disclosed and redacted.other.id is None and redacted.distance_m is None
    assert present(redacted)["other"]["id"] is None
    # An equal record that is another object (the conflict cleared) is viewed anew.
    cleared = on_shown.cleared(at(2))
    assert coalition.view(cleared) is not first and not coalition.view(cleared).active  # type: ignore[union-attr]


def test_a_view_follows_what_the_reader_may_see_now() -> None:
    """What is kept is keyed by disclosure: once the declaration is shown to Russia, Russia's
    view of the same conflict is the full one."""
    strike = notice(volume(Footprint.circle(DEZ, 1_000)), party="russia")
    hidden = declaration(Footprint.point(DEZ), id="D-1")
    conflict = screen_pair(strike, hidden, RULES, at(1))
    assert conflict is not None
    before = Visibility(Situation(strike, hidden, LINE), "russia").view(conflict)
    shown = replace(hidden, disclosed_to=("russia",))
    after = Visibility(Situation(strike, shown, LINE), "russia").view(conflict)
    assert before is not None and not before.disclosed
    assert after is not None and after.disclosed and after.other.id == "D-1"


def test_what_is_kept_by_identity_is_made_again_for_another_object_or_once_let_go() -> None:
    kept: ByIdentity[str] = ByIdentity(size=2)
    made: list[str] = []

    def make(name: str) -> Callable[[], str]:
        def making() -> str:
            made.append(name)
            return name

        return making

    record, equal_record = ["x"], ["x"]  # equal, two objects
    assert kept.get(record, True, make("a")) == "a"
    assert kept.get(record, True, make("a again")) == "a"  # kept
    kept.get(record, False, make("a, the other variant"))
    kept.get(equal_record, True, make("equal, another object"))  # the oldest ("a") let go
    kept.get(record, False, make("the other variant again"))  # still kept
    kept.get(record, True, make("a once more"))
    assert made == ["a", "a, the other variant", "equal, another object", "a once more"]
