"""OpenAPI declarations of the `application/problem+json` responses an endpoint can return."""

from __future__ import annotations

from typing import Any

from autoforge.api.problems import PROBLEM_JSON, Problem

_PROBLEMS: dict[int, tuple[str, dict[str, Any]]] = {
    400: (
        "The model provider refused the request",
        {"title": "Bad request", "detail": "the provider rejected the parameters"},
    ),
    401: (
        "No credentials, or ones that are not accepted (unknown, revoked, expired key; a token "
        "that does not verify)",
        {"title": "Unauthorized", "detail": "the API key sk-afn-…abcd was revoked"},
    ),
    403: (
        "Your role in this project is below what this route needs",
        {"title": "Forbidden", "detail": "POST /api/v1/prompts needs the member role or above"},
    ),
    404: (
        "No such resource for this owner",
        {"title": "Not found", "detail": "prompt 7f1c2f9e-... not found"},
    ),
    409: (
        "Conflicts with the current state; a stale edit also gets `current_version`",
        {
            "title": "Conflict",
            "detail": "prompt 7f1c2f9e-... is at version 4, but the change was based on "
            "version 3: reload it and reapply the change",
            "current_version": 4,
        },
    ),
    413: ("The request body is too large", {"title": "Payload too large", "detail": "..."}),
    415: (
        "The request body has an unsupported media type",
        {"title": "Unsupported media type", "detail": "send application/x-ndjson"},
    ),
    422: (
        "Invalid input; `errors` names each offending field",
        {
            "title": "Validation failed",
            "detail": "title: String should have at least 1 character",
            "errors": [{"field": "title", "message": "String should have at least 1 character"}],
        },
    ),
    429: (
        "Rate limited: this key's or address's request budget (with `Retry-After`), or the "
        "model provider's (retried with back-off first)",
        {"title": "Too Many Requests", "detail": "retry after 3 s"},
    ),
    502: (
        "The model provider failed",
        {"title": "Model call failed", "detail": "the provider answered 500"},
    ),
    504: (
        "The model did not answer within the call's timeout",
        {"title": "Model timeout", "detail": "local/gemma-3-270m: no answer within 60 s"},
    ),
    503: (
        "The database (or the model) could not answer",
        {"title": "Database unavailable", "detail": "the database could not answer"},
    ),
}


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each code documented as a Problem, with an example."""
    declared: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        description, example = _PROBLEMS[code]
        declared[code] = {
            "model": Problem,
            "description": description,
            "content": {
                PROBLEM_JSON: {
                    "schema": {"$ref": "#/components/schemas/Problem"},
                    "example": {"type": "about:blank", "status": code, **example},
                }
            },
        }
    return declared


def guarded() -> dict[int | str, dict[str, Any]]:
    """What every route behind `AccessMiddleware` may answer before its endpoint runs."""
    return problems(401, 403, 413, 429)
