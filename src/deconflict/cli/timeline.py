"""How the record reads to a person: one line per fact, in the order it was recorded."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..adapters.codec import from_dict
from ..adapters.formats.altitude import format_altitude
from ..adapters.formats.position import format_mgrs
from ..adapters.formats.timefmt import format_dtg
from ..domain.chain import LogEntry
from ..domain.conflicts import Conflict, ConflictView
from ..domain.findings import Fact
from ..domain.geometry import Footprint, Shape
from ..domain.incidents import Incident
from ..domain.notices import Notice
from ..domain.volume import TimeWindow, Volume4D
from ..service.tension import COUNTS, TensionRow

__all__ = ["describe", "conflict_line", "conflict_table", "conflict_view_table", "window_text"]

_MARGIN = " " * 14


def window_text(window: TimeWindow | None) -> str:
    if window is None:
        return "-"
    end = "UFN" if window.open_ended else format_dtg(window.end)
    return f"{format_dtg(window.start)}-{end}"


def position_text(lon: float, lat: float) -> str:
    """Decimal degrees (latitude first, as officers write it) and MGRS."""
    ns, ew = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")
    return f"{abs(lat):.4f}{ns} {abs(lon):.4f}{ew} (MGRS {format_mgrs(lon, lat)})"


def footprint_text(fp: Footprint) -> str:
    first = position_text(*fp.coordinates[0])
    if fp.shape is Shape.CIRCLE:
        return f"circle of {fp.radius_m:,.0f} m around {first}"
    if fp.shape is Shape.POINT:
        return f"point at {first}"
    last = position_text(*fp.coordinates[-1])
    if fp.shape is Shape.CORRIDOR:
        return f"corridor {fp.width_m:,.0f} m wide from {first} to {last} ({len(fp.coordinates)} points)"
    return f"{fp.shape} of {len(fp.coordinates)} points from {first}"


def volume_text(volume: Volume4D) -> str:
    band = f"{format_altitude(volume.band.lower_m)} to {format_altitude(volume.band.upper_m)}"
    return f"{footprint_text(volume.footprint)}, {band}, {window_text(volume.window)}"


def notice_history_text(history: list[tuple[LogEntry, Notice]]) -> str:
    """Each version of a notice as an investigator reads it."""
    out = []
    for entry, notice in history:
        lead = notice.lead_time.total_seconds() / 60
        out.append(
            f"v{notice.version}  {entry.kind:<16} {format_dtg(notice.filed_at)}  by {entry.actor}  (log seq {entry.seq})"
        )
        forces = f" for {notice.forces}" if notice.forces else ""
        out.append(
            f"    {notice.kind}{forces} on {notice.line}, message #{notice.message_number}, "
            f"status {notice.status}, lead {lead:,.0f} min"
        )
        out += [f"    volume {i}: {volume_text(v)}" for i, v in enumerate(notice.volumes, start=1)]
        if notice.remarks:
            out.append(f'    remarks: "{notice.remarks}"')
    return "\n".join(out)


def _distance(metres: float | None) -> str:
    if metres is None:
        return "-"
    return f"{metres:,.0f} m" if metres < 10_000 else f"{metres / 1000:,.1f} km"


def conflict_line(conflict: Conflict) -> str:
    subject, other = conflict.subject, conflict.other
    return (
        f"{_MARGIN}! {conflict.severity.upper()} {conflict.rule}: notice {subject.id} v{subject.version} "
        f"({subject.party}) x {other.type} {other.id} ({other.party}), {_distance(conflict.distance_m)}, "
        f"{window_text(conflict.window)}{' - ' + conflict.detail if conflict.detail else ''}"
    )


def _message_text(body: dict[str, Any]) -> str:
    parts = [f"#{body['number']} {body['kind']} from {body['party']}"]
    if body.get("answer"):
        parts.append(f"({body['answer']} to #{body['refers_to']})")
    elif body.get("refers_to"):
        parts.append(f"(re #{body['refers_to']})")
    if body.get("notice"):
        parts.append(f"notice {body['notice']}")
    if body.get("text"):
        parts.append(f'"{body["text"]}"')
    if body.get("on_suspended_line"):
        parts.append("[sent on a SUSPENDED line]")
    return " ".join(parts)


def _fact(entry: LogEntry) -> str | None:
    body, kind = entry.body, entry.kind
    if kind == "line.numbered":
        return None  # the message itself says it
    if kind.startswith("message.") and kind not in ("message.acknowledged", "message.overdue"):
        return f"{body['line']} {_message_text(body)}"
    if kind == "message.overdue":
        return f"{body['line']} #{body['number']} OVERDUE (deadline {body['deadline']})"
    if kind == "message.acknowledged":
        return None  # shown as the acknowledgement message
    if kind == "conflict.found":
        return conflict_line(from_dict(Conflict, body)).strip()
    if kind == "conflict.cleared":
        return f"conflict {entry.subject_id} cleared"
    if kind.startswith("notice."):
        vols = len(body["volumes"])
        return f"notice {body['id']} v{body['version']} {kind.split('.')[1]}: {body['kind']} on {body['line']}, {vols} volume(s)"
    return f"{kind} {entry.subject_id}"


def describe(entries: Iterable[LogEntry]) -> list[str]:
    """The readable timeline of some log entries."""
    lines = []
    for entry in entries:
        fact = _fact(entry)
        if fact is not None:
            lines.append(f"{entry.at[:19]}Z  {entry.actor:<18} {fact}")
    return lines


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    out = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


_HEADER = ("conflict", "rule", "severity", "notice", "other", "distance", "window", "state")


def conflict_table(conflicts: list[Conflict]) -> str:
    """A fixed-width table of conflicts as the local operator sees them (in full)."""
    return _table(
        _HEADER,
        [
            (
                c.id,
                str(c.rule),
                str(c.severity),
                f"{c.subject.id} v{c.subject.version} ({c.subject.party})",
                f"{c.other.type} {c.other.id} ({c.other.party})",
                _distance(c.distance_m),
                window_text(c.window),
                "active" if c.active else "cleared",
            )
            for c in conflicts
        ],
    )


def conflict_view_table(views: list[ConflictView]) -> str:
    """The same table as one party may see it: undisclosed objects by kind, owner and band."""
    return _table(
        _HEADER,
        [
            (
                v.id,
                str(v.rule),
                str(v.severity),
                f"{v.subject.id} v{v.subject.version} ({v.subject.party})",
                f"{v.other.type} {v.other.id} ({v.other.party})"
                if v.other.id
                else f"{v.other.kind} {v.other.type}, not disclosed ({v.other.party})",
                _distance(v.distance_m) if v.disclosed else (v.distance_band or "-"),
                window_text(v.window),
                "active" if v.active else "cleared",
            )
            for v in views
        ],
    )


def finding_text(incident: Incident, facts: list[Fact]) -> str:
    """An incident and the facts on record about it, each with its log sequence number."""
    out = [
        f"incident {incident.id}: {incident.kind} reported by {incident.party} at {format_dtg(incident.reported_at)}",
        f"  when:  {window_text(incident.window)}",
        f"  where: {footprint_text(incident.place)}",
        f"  affected: {', '.join(incident.affected) or '-'}; alleged: {', '.join(incident.alleged) or '-'}",
    ]
    if incident.text:
        out.append(f'  "{incident.text}"')
    out.append(f"facts on record ({len(facts)}):" if facts else "no fact on record yet")
    out += [f"  [seq {f.seq:>5}] {f.kind:<17} {f.summary}" for f in facts]
    return "\n".join(out)


def tension_table(rows: list[TensionRow]) -> str:
    """Per day and pair of parties, the counts that make the picture of tension."""
    header = ("day", "parties", *(c.replace("_", " ") for c in COUNTS))
    body = [
        (r.day.isoformat(), " / ".join(r.pair), *(str(r.counts[c]) for c in COUNTS)) for r in rows
    ]
    return _table(header, body) if body else "nothing on record"
