"""The one error hierarchy. The API maps each class to an HTTP status in one place."""

from __future__ import annotations

from typing import Any


class AutoforgeError(Exception):
    """Base of every error the application raises on purpose."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFoundError(AutoforgeError):
    status = 404
    title = "Not found"


class UnauthorizedError(AutoforgeError):
    """No usable credentials; the detail says what to send, never echoing what was sent."""

    status = 401
    title = "Unauthorized"


class ForbiddenError(AutoforgeError):
    """Known, but not allowed: the caller's role is below what the act needs."""

    status = 403
    title = "Forbidden"


class ConflictError(AutoforgeError):
    status = 409
    title = "Conflict"


class ValidationFailed(AutoforgeError):
    """Input that parses but breaks a rule; `errors` names each offending field."""

    status = 422
    title = "Validation failed"

    def __init__(self, detail: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(detail, errors=errors or [])
        self.errors = errors or []


class ReadOnlyTransactionError(AutoforgeError):
    status = 500
    title = "Write in a read-only transaction"


class DatabaseUnavailableError(AutoforgeError):
    status = 503
    title = "Database unavailable"


class DatabaseBusyError(AutoforgeError):
    status = 503
    title = "Database busy"


class BudgetTooSmall(AutoforgeError):
    """An optimization's budget ran out before its starting prompt was even scored."""

    status = 422
    title = "Budget too small"


_ERROR_LIMIT = 4000


def describe_failure(exc: BaseException) -> str:
    """How a failed job's error is stored: the class, then the message, bounded."""
    text = f"{exc.title}: {exc.detail}" if isinstance(exc, AutoforgeError) else str(exc)
    return f"{type(exc).__name__}: {text}"[:_ERROR_LIMIT]


def is_final(exc: BaseException) -> bool:
    """A 4xx is about the request itself (a missing prompt, an unusable assertion, a budget
    too small): running it again gives the same answer. Anything else may be passing."""
    return isinstance(exc, AutoforgeError) and exc.status < 500
