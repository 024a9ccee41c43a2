"""Request and response schemas of the HTTP API (separate from the domain's objects).

Requests have the same shape as scenario steps (docs/scenario.md): positions as text (decimal
degrees, MGRS, ACO) or ``[lon, lat]``, or footprints as GeoJSON geometries; times as ISO 8601
or DTG; altitudes in metres, feet or flight levels. Pydantic checks the shape; the domain
checks the meaning; both answer with problem+json.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..domain.arrangement import DeclarationKind, LineDomain, NoticeKind
from ..domain.parties import Role

Text = Annotated[str, Field(max_length=2_000)]
Ident = Annotated[str, Field(min_length=1, max_length=64, examples=["hotline-air"])]
Position = Annotated[
    str | Annotated[list[float], Field(min_length=2, max_length=2)],
    Field(
        description="'35.41N 40.19E', MGRS '37SFV 08497 18244', ACO '352436N0401124E', or [lon, lat]"
    ),
]
Time = Annotated[
    str, Field(max_length=40, description="UTC ISO 8601 with Z or offset, or DTG like 161000ZSEP17")
]
Altitude = Annotated[
    float | Annotated[str, Field(max_length=20)],
    Field(description="metres, or '10000 ft', 'FL200', 'SFC'"),
]
MAX_POINTS = 10_000


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GeometryIn(In):
    type: Literal["Point", "LineString", "Polygon"]
    coordinates: list[Any] = Field(max_length=MAX_POINTS)


class FootprintIn(In):
    """A GeoJSON geometry (with radius_m for a circle, width_m for a corridor), or a shape."""

    geometry: GeometryIn | None = None
    shape: Literal["point", "circle", "polygon", "corridor", "line"] | None = None
    at: Position | None = None
    centre: Position | None = None
    radius_m: float | None = None
    points: list[Position] | None = Field(None, max_length=MAX_POINTS)
    path: list[Position] | None = Field(None, max_length=MAX_POINTS)
    river: Literal["euphrates"] | None = None
    width_m: float | None = None


class VolumeIn(In):
    footprint: FootprintIn
    lower: Altitude
    upper: Altitude
    start: Time
    end: Time


class NoticeIn(In):
    id: Ident
    line: Ident
    kind: NoticeKind
    volumes: list[VolumeIn] = Field(min_length=1, max_length=100)
    forces: Text = ""
    remarks: Text = ""


class AmendIn(In):
    volumes: list[VolumeIn] = Field(min_length=1, max_length=100)
    remarks: Text = ""


class CancelIn(In):
    reason: Text = ""


class DeclarationIn(In):
    id: Ident
    kind: DeclarationKind
    footprint: FootprintIn
    start: Time
    end: Time | None = None
    disclosed_to: list[Ident] = Field(default_factory=list, max_length=100)
    category: Text = ""
    forces: Text = ""
    label: Text = ""


class MeasureIn(In):
    id: Ident
    arrangement: Ident
    kind: Literal["deconfliction_line", "zone"]
    name: Text
    footprint: FootprintIn
    start: Time
    end: Time | None = None
    sides: dict[str, Literal["left", "right"]] = Field(default_factory=dict)
    reach_m: float | None = None
    crossing_kinds: list[NoticeKind] = Field(default_factory=list)
    rule: Literal["no_entry", "notify_before_entry", "no_strike"] | None = None
    lower: Altitude | None = None
    upper: Altitude | None = None
    owner: Ident | None = None
    applies_to: list[Ident] = Field(default_factory=list, max_length=100)
    notify_lead_min: float | None = None


class PartyIn(In):
    id: Ident
    name: Text
    affiliates: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list, max_length=100
    )


class MemberIn(In):
    id: Ident
    party: Ident
    role: Role
    name: Text = ""


class LineSpecIn(In):
    domain: LineDomain
    ack_deadline_min: float | None = None
    escalates_to: LineDomain | None = None


class RulesIn(In):
    min_lead_min: dict[NoticeKind, float] = Field(default_factory=dict)
    buffer_m: dict[DeclarationKind, float] = Field(default_factory=dict)
    lateral_separation_m: float | None = None
    vertical_separation_m: float | None = None


class ArrangementIn(In):
    id: Ident
    parties: list[Ident] = Field(min_length=2, max_length=100)
    lines: list[LineSpecIn] | None = None
    rules: RulesIn | None = None


class LineIn(In):
    id: Ident
    arrangement: Ident
    domain: LineDomain
    parties: list[Ident] = Field(default_factory=list, max_length=100)


class MessageIn(In):
    kind: Literal["query", "reply", "stop_request", "warning", "text"]
    text: Annotated[str, Field(min_length=1, max_length=2_000)]
    refers_to: int | None = Field(None, ge=1)
    notice: Ident | None = None
    incident: Ident | None = None


class AcknowledgeIn(In):
    answer: Literal["received", "no_objection", "objection"]
    reason: Text = ""


# -- responses -------------------------------------------------------------------------------


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GeometryOut(Out):
    type: Literal["Point", "LineString", "Polygon"]
    coordinates: list[Any]


class FootprintOut(Out):
    shape: str
    geometry: GeometryOut
    radius_m: float | None = None
    width_m: float | None = None


class BandOut(Out):
    lower_m: float
    upper_m: float


class WindowOut(Out):
    start: str
    end: str


class VolumeOut(Out):
    footprint: FootprintOut
    band: BandOut
    window: WindowOut


class NoticeOut(Out):
    id: str
    party: str
    line: str
    kind: str
    volumes: list[VolumeOut]
    filed_at: str
    version: int
    first_filed_at: str | None
    status: str
    forces: str
    remarks: str
    message_number: int | None


class DeclarationOut(Out):
    id: str
    party: str
    kind: str
    footprint: FootprintOut
    window: WindowOut
    declared_at: str
    disclosed_to: list[str]
    category: str
    forces: str
    label: str
    withdrawn: bool


class MeasureOut(Out):
    id: str
    arrangement: str
    kind: str
    name: str
    footprint: FootprintOut
    window: WindowOut
    sides: dict[str, str]
    reach_m: float
    crossing_kinds: list[str]
    rule: str | None
    band: BandOut | None
    owner: str | None
    applies_to: list[str]
    notify_lead: float
    withdrawn: bool


class AcknowledgementOut(Out):
    party: str
    member: str
    at: str
    answer: str
    number: int
    reason: str


class MessageOut(Out):
    line: str
    number: int
    kind: str
    party: str
    member: str
    sent_at: str
    text: str
    refers_to: int | None
    notice: str | None
    incident: str | None
    answer: str | None
    deadline: str | None
    acknowledgements: list[AcknowledgementOut]
    overdue_at: str | None
    on_suspended_line: bool
    settled: bool


class RefOut(Out):
    type: str
    id: str
    party: str
    kind: str
    version: int


class OtherOut(Out):
    type: str
    kind: str
    party: str
    id: str | None


class ConflictOut(Out):
    """A conflict as the reader may see it: undisclosed objects by kind, owner and band only."""

    id: str
    rule: str
    severity: str
    subject: RefOut
    other: OtherOut
    found_at: str
    window: WindowOut | None
    distance_band: str | None
    distance_m: float | None
    band: BandOut | None
    detail: str
    active: bool
    disclosed: bool


class LineOut(Out):
    id: str
    arrangement: str
    domain: str
    parties: list[str]
    ack_deadline: float
    status: str
    last_number: int


class PartyOut(Out):
    id: str
    name: str
    affiliates: list[str]


class MemberOut(Out):
    id: str
    party: str
    role: str
    name: str


class NewMemberOut(Out):
    member: MemberOut
    token: str = Field(description="Shown once: only its SHA-256 is kept.")


class RecordedOut(Out):
    seq: int
    kind: str
    subject_type: str
    subject_id: str


class CommandOut(Out):
    """What a command recorded, and the conflicts it found as the caller may see them."""

    recorded: list[RecordedOut]
    conflicts: list[ConflictOut]


class NoticeCommandOut(CommandOut):
    notice: NoticeOut


class NoticePreviewOut(Out):
    """The conflicts a notice would make, as the caller may see them; nothing is recorded."""

    conflicts: list[ConflictOut]


class BaseLineStringOut(Out):
    type: Literal["LineString"]
    coordinates: list[Annotated[list[float], Field(min_length=2, max_length=2)]] = Field(
        description="[lon, lat] in degrees (WGS 84)"
    )


class BaseLayerPropertiesOut(Out):
    layer: Literal["border", "river", "coast"]


class BaseFeatureOut(Out):
    type: Literal["Feature"]
    geometry: BaseLineStringOut
    properties: BaseLayerPropertiesOut


class BaseLayerOut(Out):
    """A GeoJSON FeatureCollection of borders, rivers and coastlines clipped to a box."""

    type: Literal["FeatureCollection"]
    features: list[BaseFeatureOut]


class LogItemOut(Out):
    seq: int
    kind: str
    at: str
    subject_type: str
    subject_id: str
    data: dict[str, Any]


class VersionOut(Out):
    seq: int
    kind: str
    at: str
    actor: str
    notice: NoticeOut


class MeOut(Out):
    member: MemberOut


class ProblemOut(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    code: str
    field: str | None = None
    errors: list[dict[str, Any]] | None = None


class IncidentIn(In):
    id: Ident
    kind: Literal[
        "strike_on_forces",
        "strike_on_declared_site",
        "exchange_of_fire",
        "unsafe_intercept",
        "airspace_violation",
        "collision",
        "other",
    ]
    start: Time
    end: Time
    place: FootprintIn
    affected: list[Ident] = Field(default_factory=list, max_length=100)
    alleged: list[Ident] = Field(default_factory=list, max_length=100)
    text: Text = ""


class IncidentOut(Out):
    id: str
    kind: str
    party: str
    window: WindowOut
    place: dict[str, Any]
    reported_at: str
    affected: list[str]
    alleged: list[str]
    text: str


class FactOut(Out):
    kind: str
    seq: int
    subject: str
    summary: str
    data: dict[str, Any]


class FindingOut(Out):
    incident: IncidentOut
    facts: list[FactOut]


class LadderIn(In):
    id: Ident
    rung: Literal["dissuade", "show_of_force", "warning_shots", "strike"]
    incident: Ident | None = None
    text: Text = ""


class TensionOut(Out):
    day: str
    parties: list[str]
    incidents: int
    line_crossings: int
    zone_entries: int
    overdue: int
    warnings: int


class SituationOut(Out):
    """The situation as the party could read it at a past time, replayed from the log."""

    at: str
    seq: int
    notices: list[NoticeOut]
    declarations: list[DeclarationOut]
    measures: list[MeasureOut]
    conflicts: list[ConflictOut]
    messages: list[MessageOut]


class FeatureCollectionIn(BaseModel):
    """A GeoJSON FeatureCollection of notices, declarations and measures; each feature is
    checked against schemas/features-v1.json (docs/formats.md), every bad one reported."""

    model_config = ConfigDict(extra="allow")  # foreign members (name, bbox, …) are let be

    type: Literal["FeatureCollection"]
    features: list[dict[str, Any]] = Field(max_length=10_000)


class ImportedObjectOut(Out):
    type: Literal["notice", "declaration", "measure"]
    id: str


class ImportOut(Out):
    """What an import recorded (or, previewed, would record), and the conflicts it found as
    the caller may see them."""

    objects: list[ImportedObjectOut]
    recorded: list[RecordedOut]
    conflicts: list[ConflictOut]
