"""Errors of a model call, in provider-neutral terms; the API maps each to an HTTP status."""

from __future__ import annotations

from autoforge.errors import AutoforgeError


class ModelCallError(AutoforgeError):
    """The model could not answer. Base of every gateway error; worth a fallback model."""

    status = 502
    title = "Model call failed"
    retryable = False


class RateLimited(ModelCallError):
    status = 429
    title = "Model rate limit"
    retryable = True

    def __init__(self, detail: str, retry_after_s: float | None = None) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


class ModelTimeout(ModelCallError):
    status = 504
    title = "Model call timed out"
    retryable = True


class ModelBusy(ModelTimeout):
    """No concurrency slot freed up for this model within the call's timeout."""

    title = "Model busy"


class ModelUnavailable(ModelCallError):
    """Connection failures and 5xx answers: transient as far as anyone can tell."""

    status = 503
    title = "Model unavailable"
    retryable = True


class ModelCrashed(ModelUnavailable):
    """The process running the model died during the call (the local model's child).

    Not retried by default: the request itself may be what kills it, and an interactive
    caller is better told at once. A batch job asks for a retry (`crash_retries`), so one
    crash does not cost it a case."""

    title = "Model process crashed"
    retryable = False


class ModelRequestError(ModelCallError):
    """The provider refused the request itself (bad parameters, context too long, auth)."""

    status = 400
    title = "Model rejected the request"


class UnknownModelError(ModelCallError):
    status = 404
    title = "Unknown model"
