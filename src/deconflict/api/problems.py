"""The one table that turns errors into RFC 9457 problem+json responses."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from ..domain.errors import DeconflictError, InvalidDocument
from .encoding import JsonResponse

__all__ = ["STATUS", "problem", "install"]

#: Error code -> HTTP status. Every error a client can cause is here; nothing else is a 5xx.
STATUS: dict[str, int] = {
    "invalid_input": 422,
    "invalid_geometry": 422,
    "invalid_coordinate": 422,
    "invalid_time": 422,
    "invalid_altitude": 422,
    "invalid_scenario": 422,
    "not_found": 404,
    "not_permitted": 403,
    "conflicting_state": 409,
    "log_tampered": 409,
    "unauthorized": 401,
    "too_large": 413,
    "idempotency_mismatch": 422,
}

PROBLEM = "application/problem+json"


def problem(status: int, code: str, detail: str, **extra: Any) -> JsonResponse:
    body = {
        "type": f"urn:deconflict:problem:{code}",
        "title": code.replace("_", " "),
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JsonResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


async def _domain_error(_: Request, exc: Exception) -> JsonResponse:
    assert isinstance(exc, DeconflictError)
    extra: dict[str, Any] = {"field": exc.field} if exc.field else {}
    if isinstance(exc, InvalidDocument):  # every bad part of an imported document, not one
        extra["errors"] = [
            {"field": p.field or "", "code": p.code, "message": p.message} for p in exc.problems
        ]
    return problem(STATUS.get(exc.code, 422), exc.code, exc.message, **extra)


async def _validation_error(_: Request, exc: Exception) -> JsonResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": ".".join(str(p) for p in e["loc"] if p != "body"), "message": e["msg"]}
        for e in exc.errors()
    ]
    first = errors[0] if errors else {"field": "", "message": "invalid request"}
    return problem(422, "invalid_input", f"{first['field']}: {first['message']}", errors=errors)


def _allowed(request: Request) -> str:
    """Every method the path answers to, as the OpenAPI document declares them: a concrete path
    (``/notices/preview``) is matched before its templated counterparts (``/notices/{id}``), as
    OpenAPI has it."""
    paths = request.app.openapi()["paths"]
    if request.url.path in paths:
        return ", ".join(sorted(m.upper() for m in paths[request.url.path]))
    methods: set[str] = set()
    for template, item in paths.items():
        if re.fullmatch(re.sub(r"\{[^/]+\}", "[^/]+", template), request.url.path):
            methods |= {m.upper() for m in item}
    return ", ".join(sorted(methods))


async def _http_error(request: Request, exc: Exception) -> JsonResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400:  # a body that could not be parsed at all (not UTF-8, not JSON)
        return problem(422, "invalid_input", f"the request body could not be read: {exc.detail}")
    code = {401: "unauthorized", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
        exc.status_code, "http_error"
    )
    response = problem(exc.status_code, code, str(exc.detail))
    response.headers.update(exc.headers or {})
    if exc.status_code == 405:
        response.headers["Allow"] = _allowed(request)
    return response


def install(app: Any) -> None:
    app.add_exception_handler(DeconflictError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
