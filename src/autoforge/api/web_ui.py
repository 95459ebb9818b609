"""The web UI: Next.js's static export, served at `/` by the same process as the API."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

# Paths the API owns: a miss there must stay a problem+json 404, never the UI's 404 page.
_API_PREFIXES = ("api/", "v1/", "health/", "docs", "redoc", "openapi.json")

_NOT_BUILT = """<!doctype html><title>AutoForgeNexus</title>
<body style="font-family:system-ui;max-width:40rem;margin:4rem auto">
<h1>The web UI is not built</h1>
<p>Build it with <code>make web</code> (or start everything with <code>make run</code>),
then reload. The API is up: see <a href="/docs">/docs</a>.</p>"""


class _UiFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        if path.startswith(_API_PREFIXES):
            raise HTTPException(404, "Not Found")
        return await super().get_response(path, scope)


def mount(app: FastAPI, web_dir: Path) -> None:
    """Mounted last, so every API route wins over a file of the same name."""
    if (web_dir / "index.html").is_file():
        app.mount("/", _UiFiles(directory=web_dir, html=True), name="web")
        return

    @app.get("/", include_in_schema=False)
    def ui_not_built() -> HTMLResponse:
        return HTMLResponse(_NOT_BUILT, status_code=503)
