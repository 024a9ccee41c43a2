"""The console: the browser interface served at ``/`` (docs/console.md).

* ``/`` is ``console/index.html``; ``/console/…`` our own files (package data);
* ``/vendor/…`` only the third-party files listed in ``VENDOR``, read from ``web/node_modules``
  (installed by ``npm ci`` from ``web/package-lock.json``); nothing else there is reachable;
* ``/console/config.json`` what the page needs before sign-in (optional tile layer, whether the
  libraries are installed); ``/console/session.json`` (a member's token) the log's head and the
  server's clock, so the page streams from the right place and counts deadlines down on the
  server's time.

Every response here carries a Content-Security-Policy that allows only this origin (plus the
tile server's when one is configured; ``data:`` and ``blob:`` images for map symbols).
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.responses import FileResponse, Response

from ..adapters.codec import iso
from ..domain.errors import InvalidInput, NotFound
from .context import Who
from .encoding import JsonResponse

__all__ = ["VENDOR", "CONSOLE_DIR", "install", "content_security_policy", "tile_origin"]

LOG = logging.getLogger("deconflict.console")

#: Our own files: index.html, CSS, ES modules, translations.
CONSOLE_DIR = Path(__file__).resolve().parent.parent / "console"

#: The only files served from node_modules: URL path under /vendor/ -> path in node_modules.
VENDOR: dict[str, str] = {
    "leaflet/leaflet.js": "leaflet/dist/leaflet.js",
    "leaflet/leaflet.js.map": "leaflet/dist/leaflet.js.map",
    "leaflet/leaflet.css": "leaflet/dist/leaflet.css",
    **{
        f"leaflet/images/{name}": f"leaflet/dist/images/{name}"
        for name in (
            "layers.png",
            "layers-2x.png",
            "marker-icon.png",
            "marker-icon-2x.png",
            "marker-shadow.png",
        )
    },
    "geoman/leaflet-geoman.min.js": "@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.min.js",
    "geoman/leaflet-geoman.min.js.map": (
        "@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.min.js.map"
    ),
    "geoman/leaflet-geoman.css": "@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css",
    "milsymbol/milsymbol.js": "milsymbol/dist/milsymbol.js",
    "mgrs/mgrs.esm.js": "mgrs/dist/mgrs.esm.js",
    "mgrs/mgrs.esm.js.map": "mgrs/dist/mgrs.esm.js.map",
}

#: The files the page cannot work without (maps are only for debuggers).
REQUIRED = tuple(k for k in VENDOR if not k.endswith(".map"))

INSTALL_HINT = "run `./dev demo` (or `npm ci --no-audit --no-fund` in the project's web/ folder), or point DECONFLICT_WEB_MODULES at an installed node_modules"

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}


def tile_origin(tile_url: str) -> str:
    """The origin a tile URL template loads from, as a CSP source (``{s}`` -> ``*``)."""
    parts = urlsplit(tile_url)
    host = parts.netloc.replace("{s}", "*")
    if (
        parts.scheme not in ("https", "http")
        or not host
        or any(c in host for c in "{}@ ;,'\"")
        or "{z}" not in tile_url
        or "{x}" not in tile_url
        or "{y}" not in tile_url
    ):
        raise InvalidInput(
            "tile_url is an http(s) URL template with {z}, {x} and {y} "
            "(and optionally {s} in the host)",
            field="tile_url",
        )
    return f"{parts.scheme}://{host}"


def content_security_policy(tile_url: str = "") -> str:
    images = "'self' data: blob:" + (f" {tile_origin(tile_url)}" if tile_url else "")
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {images}",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def missing_vendor_files(web_modules: Path) -> list[str]:
    return [name for name in REQUIRED if not (web_modules / VENDOR[name]).is_file()]


def install(app: FastAPI, web_modules: Path | None, tile_url: str = "") -> None:
    """Mount the console on ``app``; logs once if the third-party files are not installed."""
    policy = content_security_policy(tile_url)  # refuses a malformed tile_url at start-up
    headers = {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }
    missing = missing_vendor_files(web_modules) if web_modules else list(REQUIRED)
    if missing:
        LOG.warning(
            "console: the browser libraries are not installed in %s (missing %s): %s",
            web_modules,
            ", ".join(missing),
            INSTALL_HINT,
        )

    def file(path: Path) -> Response:
        media_type = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
        return FileResponse(path, media_type=media_type, headers=headers)

    def index() -> Response:
        return file(CONSOLE_DIR / "index.html")

    def config() -> Response:
        body: dict[str, Any] = {
            "tile_url": tile_url or None,
            "vendor": {"installed": not missing, "missing": missing, "hint": INSTALL_HINT},
            "languages": ["en", "fr", "ru"],
        }
        return JsonResponse(body, headers=headers)

    def session(who: Who) -> Response:
        services = who.services
        body = {"head": services.store.head(), "now": iso(services.clock.now())}
        return JsonResponse(body, headers=headers | {"Cache-Control": "no-store"})

    def own(path: str) -> Response:
        target = (CONSOLE_DIR / path).resolve()
        if (
            not target.is_relative_to(CONSOLE_DIR)
            or target.suffix not in _TYPES
            or not target.is_file()
        ):
            raise NotFound(f"no console file {path!r}")
        return file(target)

    def vendor(path: str) -> Response:
        if web_modules is None or path not in VENDOR or not (web_modules / VENDOR[path]).is_file():
            raise NotFound(f"no vendor file {path!r}: {INSTALL_HINT}")
        return file(web_modules / VENDOR[path])

    for route, endpoint in (
        ("/", index),
        ("/console/config.json", config),
        ("/console/session.json", session),
        ("/console/{path:path}", own),
        ("/vendor/{path:path}", vendor),
    ):
        app.add_api_route(route, endpoint, methods=["GET", "HEAD"], include_in_schema=False)
