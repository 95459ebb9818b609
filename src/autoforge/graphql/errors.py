"""GraphQL errors as clients see them: the domain errors with their words and a code, the
query's own syntax and validation errors as they are, anything else masked (and logged)."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from autoforge.db.unit_of_work import is_transient
from autoforge.errors import AutoforgeError, ValidationFailed

INTERNAL = "internal error: the server logged it; nothing was stored"
UNAVAILABLE = "the database could not answer; nothing was stored"
BUSY = "the database was busy and nothing was stored; retry"


def code_of(error: AutoforgeError) -> str:
    """`NOT_FOUND`, `CONFLICT`, `VALIDATION_FAILED`, `FORBIDDEN`, `DATABASE_BUSY`, ..."""
    return error.title.upper().replace(" ", "_")


def as_validation_failed(exc: ValidationError) -> ValidationFailed:
    """A mutation's input that the REST body model refuses: the same 422 wording."""
    errors = [
        {"field": ".".join(str(p) for p in e["loc"]) or "input", "message": e["msg"]}
        for e in exc.errors()
    ]
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    return ValidationFailed(summary, errors=errors)


def is_expected(error: GraphQLError) -> bool:
    """What the client caused: its query's syntax or validity, or a domain error."""
    return error.original_error is None or isinstance(
        error.original_error, (AutoforgeError, GraphQLError)
    )


def _shown(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return error
    extensions: dict[str, Any]
    if isinstance(original, AutoforgeError):
        message = original.detail
        extensions = {"code": code_of(original), "status": original.status, **original.extra}
    elif isinstance(original, DBAPIError) and is_transient(original):
        message, extensions = BUSY, {"code": "DATABASE_BUSY", "status": 503}
    elif isinstance(original, DBAPIError):
        message, extensions = UNAVAILABLE, {"code": "DATABASE_UNAVAILABLE", "status": 503}
    else:
        message, extensions = INTERNAL, {"code": "INTERNAL", "status": 500}
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )


def client_errors(errors: list[GraphQLError]) -> list[GraphQLError]:
    """Applied to every result the endpoint answers (`router.py`), so that a failure outside
    execution (a write transaction that could not begin, or commit) is covered too."""
    return [_shown(error) for error in errors]
