"""JSON as the API writes it: answers, kept idempotent replies and stream frames.

Never what the log hashes (that is ``domain.chain.canonical``, byte for byte the documented
form): these bytes are only read back as JSON, so orjson writes them, several times faster than
the standard library. UTF-8, compact, no NaN (none reaches here: inputs refuse them).
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import JSONResponse

__all__ = ["dumps", "dumps_text", "JsonResponse"]

#: numpy's scalars as numbers (a float64 is a float to the standard library too), and enum keys
#: (a rule's lead time per notice kind) as their values, as the standard library writes them.
_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=_OPTIONS)


def dumps_text(value: Any) -> str:
    return orjson.dumps(value, option=_OPTIONS).decode()


class JsonResponse(JSONResponse):
    """Starlette's JSON response, rendered by orjson."""

    def render(self, content: Any) -> bytes:
        return dumps(content)
