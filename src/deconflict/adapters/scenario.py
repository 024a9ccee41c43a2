"""Scenario files: YAML, versioned, validated against the published JSON Schema."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from ..domain.errors import DeconflictError, InvalidInput
from ..service.commands import Command
from .formats.timefmt import parse_time
from .payloads import build_command

__all__ = ["Scenario", "Step", "ScenarioError", "load_scenario", "SCHEMA_VERSION", "bundled"]

SCHEMA_VERSION = "deconflict-scenario/1"


class ScenarioError(InvalidInput):
    """A step that cannot run: names the step and the field."""

    code = "invalid_scenario"

    def __init__(self, step: int | None, error: DeconflictError | str) -> None:
        message = error.message if isinstance(error, DeconflictError) else error
        field = error.field if isinstance(error, DeconflictError) else None
        super().__init__(message, field=field)
        self.step = step

    def __str__(self) -> str:
        where = f"step {self.step}" if self.step is not None else "scenario"
        return f"{where}: {super().__str__()}"


@dataclass(frozen=True)
class Step:
    index: int
    at: datetime
    actor: str
    action: str
    payload: dict[str, Any]
    note: str

    def command(self) -> Command:
        try:
            return build_command(self.action, self.payload)
        except DeconflictError as exc:
            raise ScenarioError(self.index, exc) from None


@dataclass(frozen=True)
class Scenario:
    title: str
    steps: list[Step]


def schema() -> dict[str, Any]:
    text = resources.files("deconflict").joinpath("schemas/scenario-v1.json").read_text("utf-8")
    result: dict[str, Any] = json.loads(text)
    return result


def bundled(name: str) -> Path:
    return Path(str(resources.files("deconflict").joinpath(f"scenarios/{name}")))


def _schema_error(error: jsonschema.ValidationError) -> ScenarioError:
    path = list(error.absolute_path)
    step = (
        path[1] + 1 if len(path) > 1 and path[0] == "steps" and isinstance(path[1], int) else None
    )
    field = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path[2:]).replace(
        ".[", "["
    )
    return ScenarioError(step, InvalidInput(error.message, field=field or None))


def _step(index: int, raw: dict[str, Any]) -> Step:
    try:
        at = parse_time(str(raw["at"]))
    except DeconflictError as exc:
        raise ScenarioError(index, exc.at("at")) from None
    payload = {k: v for k, v in raw.items() if k not in ("at", "as", "action", "note")}
    return Step(
        index,
        at,
        str(raw.get("as", "system")),
        str(raw["action"]),
        payload,
        str(raw.get("note", "")),
    )


def load_scenario(path: Path) -> Scenario:
    """Read and validate a scenario file; steps are numbered from 1 as people count them."""
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(None, f"cannot read {path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(None, f"{path} is not valid YAML: {exc}") from None
    if data is None:
        raise ScenarioError(None, f"{path} is empty")
    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        raise _schema_error(errors[0])
    steps = [_step(i, raw) for i, raw in enumerate(data["steps"], start=1)]
    return Scenario(str(data.get("title", path.stem)), steps)
