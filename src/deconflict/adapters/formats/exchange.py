"""The formats deconflict exchanges with other tools, by name: what each reads into commands,
what each writes from a selection, and its media type. The CLI (``deconflict import`` and
``deconflict export``) and the API (``/api/v1/import/…``, ``/api/v1/export/…``) both look
formats up here, so a new format (Cursor-on-Target, say) is one entry in each table.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ...domain.errors import InvalidInput
from ...service.selection import Kind, Selected, Selection
from .f3548 import NoticeFields, notices_to_f3548, notify_from_f3548
from .features import Imported, commands_from_features, features_from_selection
from .kml import KML_MEDIA_TYPE, selection_to_kml

__all__ = [
    "ImportOptions",
    "ExportOptions",
    "Importer",
    "Exporter",
    "IMPORTERS",
    "EXPORTERS",
    "read_json",
]


@dataclass(frozen=True)
class ImportOptions:
    """What the importing side says beside the document: whose party it imports for and,
    for a bare list of F3548 volumes, the notice they make up."""

    party: str | None = None
    notice: NoticeFields = field(default_factory=NoticeFields)


@dataclass(frozen=True)
class ExportOptions:
    #: Mean sea level above the WGS 84 ellipsoid here, for formats whose heights are W84.
    geoid_undulation_m: float = 0.0


@dataclass(frozen=True)
class Importer:
    media_type: str
    read: Callable[[Any, ImportOptions], Imported]


@dataclass(frozen=True)
class Exporter:
    media_type: str
    suffix: str
    write: Callable[[Selected, ExportOptions], bytes]
    #: Which kinds the format carries (F3548 volumes are operations: notices only).
    kinds: frozenset[Kind] = frozenset(Kind)

    def narrow(self, selection: Selection) -> Selection:
        """The selection, less the kinds this format does not carry."""
        kinds = frozenset(k for k in selection.kinds or Kind if k in self.kinds)
        if not kinds:
            carried = ", ".join(sorted(self.kinds))
            raise InvalidInput(f"this format carries only: {carried}", field="kind")
        return replace(selection, kinds=kinds)


def read_json(body: bytes | str) -> Any:
    """A JSON document, or :class:`InvalidInput` saying where it stops being JSON."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"the document is not JSON: {exc}") from None


def _json(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def _f3548_notice(document: Any, options: ImportOptions) -> Imported:
    command = notify_from_f3548(document, options.notice, options.party)
    return Imported((command,), lambda _, f: f or "volumes")


IMPORTERS: dict[str, Importer] = {
    "geojson": Importer(
        "application/geo+json", lambda doc, o: commands_from_features(doc, o.party)
    ),
    "f3548": Importer("application/json", _f3548_notice),
}

EXPORTERS: dict[str, Exporter] = {
    "geojson": Exporter(
        "application/geo+json", ".geojson", lambda s, _: _json(features_from_selection(s))
    ),
    "kml": Exporter(KML_MEDIA_TYPE, ".kml", lambda s, _: selection_to_kml(s)),
    "f3548": Exporter(
        "application/json",
        ".json",
        lambda s, o: _json(notices_to_f3548(s.notices, o.geoid_undulation_m)),
        frozenset({Kind.NOTICE}),
    ),
}
