"""Domain records -> JSON as the API shows them: GeoJSON footprints, conflicts as views."""

from __future__ import annotations

from typing import Any

from ..adapters.codec import to_dict
from ..adapters.formats.geojson import footprint_to_geojson
from ..domain.conflicts import ConflictView
from ..domain.declarations import Declaration
from ..domain.incidents import Incident
from ..domain.measures import ControlMeasure
from ..domain.notices import Notice
from ..service.feed import FeedItem
from ..service.ports import Record

__all__ = ["present", "present_item"]


#: Conflict views presented lately, by the view (held here, so that its identity stays its
#: own): the same view goes to the filing party's answer and to the streams (Visibility.view
#: gives one view object for alike readers). What ``present`` returns is never changed after.
_PRESENTED: dict[int, tuple[ConflictView, dict[str, Any]]] = {}
_PRESENTED_KEPT = 10_000


def _present_view(view: ConflictView) -> dict[str, Any]:
    kept = _PRESENTED.get(id(view))
    if kept is not None and kept[0] is view:
        return kept[1]
    data = to_dict(view)
    if len(_PRESENTED) >= _PRESENTED_KEPT:
        _PRESENTED.clear()
    _PRESENTED[id(view)] = (view, data)
    return data


def present(record: Record | ConflictView) -> dict[str, Any]:
    if type(record) is ConflictView:
        return _present_view(record)
    data = to_dict(record)
    if isinstance(record, Notice):
        for out, volume in zip(data["volumes"], record.volumes, strict=True):
            out["footprint"] = footprint_to_geojson(volume.footprint)
    elif isinstance(record, Declaration | ControlMeasure):
        data["footprint"] = footprint_to_geojson(record.footprint)
    elif isinstance(record, Incident):
        data["place"] = footprint_to_geojson(record.place)
    return data


def present_item(item: FeedItem) -> dict[str, Any]:
    return {
        "seq": item.seq,
        "kind": item.kind,
        "at": item.at,
        "subject_type": item.subject_type,
        "subject_id": item.subject_id,
        "data": present(item.data),
    }
