"""Every error leaves the API as RFC 9457 `application/problem+json`."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from autoforge.db.unit_of_work import is_transient
from autoforge.errors import AutoforgeError, DatabaseBusyError

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


# What a client is told to wait before retrying a write that met a locked or busy database.
RETRY_AFTER_S = 1


def problem(
    status: int, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _retry_after() -> dict[str, str]:
    return {"Retry-After": str(RETRY_AFTER_S)}


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "request"


def install(app: FastAPI) -> None:
    @app.exception_handler(AutoforgeError)
    async def domain_error(_: Request, exc: AutoforgeError) -> JSONResponse:
        headers = _retry_after() if isinstance(exc, DatabaseBusyError) else None
        return problem(exc.status, exc.title, exc.detail, headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field_name(tuple(e.get("loc", ()))), "message": str(e.get("msg", ""))}
            for e in exc.errors()
        ]
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return problem(422, "Validation failed", summary, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), str(exc.detail))

    @app.exception_handler(IntegrityError)
    async def integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        return problem(409, "Conflict", f"the change conflicts with stored data: {exc.orig}")

    @app.exception_handler(DBAPIError)
    async def database_error(_: Request, exc: DBAPIError) -> JSONResponse:
        # Also where a failed commit lands: the write transaction commits before the response
        # is sent (see api/deps.py), so the client hears of it and nothing was stored.
        log.error("database error: %s", exc.orig)
        if is_transient(exc):
            return problem(
                503,
                "Database busy",
                f"the database was busy and nothing was stored; retry: {exc.orig}",
                _retry_after(),
            )
        return problem(503, "Database unavailable", f"the database could not answer: {exc.orig}")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Starlette would answer text/plain; a client of this API always gets a problem.
        log.exception("unhandled error in %s %s", request.method, request.url.path)
        return problem(
            500, "Internal error", f"the server failed on this request ({type(exc).__name__})"
        )
