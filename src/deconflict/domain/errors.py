"""The one exception tree for every failure a user can cause.

Each error has a stable ``code`` (used by the CLI, the scenario runner and, later, the API's
problem+json mapping) and a message that names the offending field where there is one.
"""

from __future__ import annotations

__all__ = [
    "DeconflictError",
    "InvalidInput",
    "InvalidGeometry",
    "InvalidCoordinate",
    "InvalidTime",
    "InvalidAltitude",
    "InvalidDocument",
    "NotFound",
    "NotPermitted",
    "Conflicting",
    "LogTampered",
    "BatchRejected",
]


class DeconflictError(Exception):
    """Base of every error a user (or a client system) can cause."""

    code = "deconflict_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message

    def at(self, prefix: str) -> DeconflictError:
        """Prefix the field path (``volumes[0].footprint``) as the error travels outwards."""
        if not self.field:
            self.field = prefix
        else:
            self.field = f"{prefix}{'' if self.field.startswith('[') else '.'}{self.field}"
        return self


class InvalidInput(DeconflictError):
    code = "invalid_input"


class InvalidGeometry(InvalidInput):
    code = "invalid_geometry"


class InvalidCoordinate(InvalidInput):
    code = "invalid_coordinate"


class InvalidTime(InvalidInput):
    code = "invalid_time"


class InvalidAltitude(InvalidInput):
    code = "invalid_altitude"


class InvalidDocument(InvalidInput):
    """A document (a GeoJSON FeatureCollection, a list of volumes) with several bad parts: each
    is in ``problems``, its field the path inside the document (``features[3].properties.start``),
    so a client can mend them all at once. The message and field are the first problem's."""

    def __init__(self, problems: list[DeconflictError]) -> None:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(first.message + more, field=first.field)
        self.problems = problems


class NotFound(DeconflictError):
    code = "not_found"


class NotPermitted(DeconflictError):
    code = "not_permitted"


class Conflicting(DeconflictError):
    """The request contradicts the current state (duplicate id, wrong status, closed line)."""

    code = "conflicting_state"


class LogTampered(DeconflictError):
    code = "log_tampered"


class BatchRejected(DeconflictError):
    """One command of a batch that is recorded whole or not at all (an import) failed: nothing
    of the batch was recorded. ``index`` is the failing command's place in the batch; the
    error keeps the failing command's code, so it maps to the same response."""

    def __init__(self, index: int, cause: DeconflictError) -> None:
        super().__init__(cause.message, field=cause.field)
        self.index = index
        self.cause = cause
        self.code = cause.code
