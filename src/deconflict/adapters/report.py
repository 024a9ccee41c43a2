"""Finding reports for people: one self-contained HTML file (the map inside it) and Markdown.

The only place that knows the report's formats. A party's report holds only what that party may
see: the material handed in is already filtered (service.findings.report_material).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from ..domain.geometry import geodesic_distance
from ..service.findings import ReportMaterial
from .formats.timefmt import format_dtg
from .report_map import Layer, render_map

__all__ = ["Report", "write_report"]

_COLOURS = {
    "incident": "#c62828",
    "notice": "#1565c0",
    "declaration": "#2e7d32",
    "measure": "#6a1b9a",
}


@dataclass(frozen=True)
class Report:
    html: str
    markdown: str
    png: bytes


def _layers(material: ReportMaterial) -> list[Layer]:
    layers = [
        Layer(m.footprint, f"measure {m.name}", _COLOURS["measure"], filled=m.kind == "zone")
        for m in material.measures
    ]
    layers += [
        Layer(d.footprint, f"declaration {d.id} ({d.party})", _COLOURS["declaration"])
        for d in material.declarations
    ]
    layers += [
        Layer(v.footprint, f"notice {n.id} ({n.party})", _COLOURS["notice"])
        for n in material.notices
        for v in n.volumes
    ]
    return [
        *layers,
        Layer(
            material.incident.place,
            f"incident {material.incident.id} (uncertainty)",
            _COLOURS["incident"],
        ),
    ]


def _span(material: ReportMaterial) -> float:
    place = material.incident.place
    far = [geodesic_distance(place, v.footprint) for n in material.notices for v in n.volumes]
    far += [geodesic_distance(place, d.footprint) for d in material.declarations]
    return min(max([20_000.0, *(2.4 * (f + 5_000) for f in far)]), 120_000.0)


def _timeline(material: ReportMaterial) -> list[tuple[str, str, str, str]]:
    return [
        (
            format_dtg(m.sent_at),
            f"{m.line} #{m.number}",
            f"{m.kind} from {m.party}",
            m.text
            + ("".join(f" [{a.party}: {a.answer} {format_dtg(a.at)}]" for a in m.acknowledgements)),
        )
        for m in material.messages
    ]


def write_report(material: ReportMaterial, reader: str | None) -> Report:
    """The report as ``reader`` may read it (None: the local operator, who sees everything)."""
    incident = material.incident
    title = f"Finding for incident {incident.id}" + (f", as {reader} may read it" if reader else "")
    png = render_map(_layers(material), incident.place.centre(), _span(material), title)
    head = [
        ("kind", str(incident.kind)),
        ("reported by", incident.party),
        ("reported at", format_dtg(incident.reported_at)),
        ("when", f"{format_dtg(incident.window.start)} to {format_dtg(incident.window.end)}"),
        ("affected", ", ".join(incident.affected) or "-"),
        ("alleged", ", ".join(incident.alleged) or "-"),
        ("account", incident.text or "-"),
    ]
    facts = [(str(f.seq), f.kind, f.summary) for f in material.facts]
    timeline = _timeline(material)
    return Report(
        _html(title, head, facts, timeline, png), _markdown(title, head, facts, timeline), png
    )


def _rows(rows: Sequence[tuple[str, ...]]) -> str:
    return "\n".join(
        "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )


def _html(
    title: str,
    head: list[tuple[str, str]],
    facts: list[tuple[str, str, str]],
    timeline: list[tuple[str, str, str, str]],
    png: bytes,
) -> str:
    image = base64.b64encode(png).decode("ascii")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}}
table{{border-collapse:collapse;width:100%;margin-bottom:1.5em}}td,th{{border:1px solid #bbb;padding:4px 8px;text-align:left;vertical-align:top}}
th{{background:#eee}}img{{max-width:100%;border:1px solid #999}}</style></head>
<body>
<h1>{escape(title)}</h1>
<p>Facts on record, each with the sequence number of the log entry that holds it. No verdict.</p>
<table>{_rows([(k, v) for k, v in head])}</table>
<h2>Map</h2>
<img id="map" alt="map of the incident's place, the notices, declarations and measures on record" src="data:image/png;base64,{image}">
<h2>Facts</h2>
<table><tr><th>log seq</th><th>fact</th><th>what the record says</th></tr>
{_rows(facts)}</table>
<h2>Messages on the lines</h2>
<table><tr><th>time</th><th>line</th><th>message</th><th>text and answers</th></tr>
{_rows(timeline)}</table>
</body></html>
"""


def _markdown(
    title: str,
    head: list[tuple[str, str]],
    facts: list[tuple[str, str, str]],
    timeline: list[tuple[str, str, str, str]],
) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    out = [f"# {title}", "", "Facts on record, each with its log sequence number. No verdict.", ""]
    out += [f"- **{k}**: {cell(v)}" for k, v in head]
    out += [
        "",
        "![map](map.png)",
        "",
        "## Facts",
        "",
        "| log seq | fact | what the record says |",
        "|---:|---|---|",
    ]
    out += [f"| {s} | {k} | {cell(t)} |" for s, k, t in facts]
    out += [
        "",
        "## Messages on the lines",
        "",
        "| time | line | message | text and answers |",
        "|---|---|---|---|",
    ]
    out += [f"| {' | '.join(cell(c) for c in row)} |" for row in timeline]
    return "\n".join(out) + "\n"
