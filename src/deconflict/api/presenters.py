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
from ..service.memo import ByIdentity
from ..service.ports import Record

__all__ = ["present", "present_item"]


#: Conflict views presented lately: the same view goes to the filing party's answer and to
#: the streams (``Visibility.view`` gives alike readers one view). What ``present`` returns is
#: never changed after.
_PRESENTED: ByIdentity[dict[str, Any]] = ByIdentity(10_000)


def present(record: Record | ConflictView) -> dict[str, Any]:
    if type(record) is ConflictView:
        return _PRESENTED.get(record, None, lambda: to_dict(record))
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
