"""Per-API-key and per-IP request rate limits, in memory or shared by every process via Redis."""

from __future__ import annotations

import logging
import math
import threading
import time
from typing import Any

from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter
from redis.backoff import NoBackoff
from redis.retry import Retry
from starlette.responses import JSONResponse

log = logging.getLogger(__name__)

# Same media type and fields as api/problems.py (not imported: it pulls in the database layer).
PROBLEM_JSON = "application/problem+json"
WARN_EVERY_S = 60.0
# A rate limiter must not make a request wait on a sick Redis: short timeouts, no retries,
# and after a failure Redis is left alone for a few seconds (requests pass meanwhile).
REDIS_TIMEOUT_S = 0.5
REDIS_PAUSE_S = 5.0


class RateLimiter:
    """Sliding-window-counter limits: a request with an API key counts against that key's
    bucket only, one without against its client IP's bucket."""

    def __init__(self, key_limit: str, ip_limit: str, redis_url: str | None = None) -> None:
        self.key_limit: RateLimitItem = parse(key_limit)
        self.ip_limit: RateLimitItem = parse(ip_limit)
        self._strategy = SlidingWindowCounterRateLimiter(_storage(redis_url))
        self._lock = threading.Lock()
        self._paused_until = 0.0
        self._last_warning: float | None = None

    def limit_for(self, *, key_id: str | None) -> RateLimitItem:
        return self.key_limit if key_id is not None else self.ip_limit

    def hit(self, *, key_id: str | None, ip: str) -> float | None:
        """Counts one request: None if allowed, else the whole seconds (>= 1) to wait.

        `key_id` must be an authenticated key's id: an unchecked client-supplied value
        would give every made-up key a fresh bucket and sidestep the per-IP limit."""
        item = self.limit_for(key_id=key_id)
        bucket = ("key", key_id) if key_id is not None else ("ip", ip)
        if time.monotonic() < self._paused_until:
            return None
        try:
            if self._strategy.hit(item, *bucket):
                return None
            reset_at = self._strategy.get_window_stats(item, *bucket).reset_time
        except StorageError as exc:
            self._fail_open(exc)
            return None
        return float(max(1, math.ceil(reset_at - time.time())))

    def _fail_open(self, exc: StorageError) -> None:
        # Losing rate limiting for a while beats failing every request while Redis is down.
        now = time.monotonic()
        with self._lock:
            self._paused_until = now + REDIS_PAUSE_S
            if self._last_warning is not None and now - self._last_warning < WARN_EVERY_S:
                return
            self._last_warning = now
        log.warning("rate limit storage unavailable, letting requests through: %s", exc)


def _storage(redis_url: str | None) -> Storage:
    if redis_url is None:
        return MemoryStorage()
    options: dict[str, Any] = {
        "wrap_exceptions": True,  # every backend error arrives as limits' StorageError
        "socket_connect_timeout": REDIS_TIMEOUT_S,
        "socket_timeout": REDIS_TIMEOUT_S,
        "retry": Retry(NoBackoff(), 0),
    }
    storage = storage_from_string(redis_url, **options)
    if not isinstance(storage, Storage):
        raise ValueError(f"{redis_url!r} names an async storage; use redis://")
    return storage


def too_many_requests(
    limiter: RateLimiter, *, key_id: str | None, retry_after: float
) -> JSONResponse:
    """The 429 problem for a limited request; names the limit, never the key or its secret."""
    seconds = max(1, math.ceil(retry_after))
    which = "per-API-key" if key_id is not None else "per-IP"
    detail = (
        f"the {which} rate limit of {limiter.limit_for(key_id=key_id)} was reached; "
        f"retry after {seconds} s"
    )
    body = {"type": "about:blank", "title": "Too Many Requests", "status": 429, "detail": detail}
    return JSONResponse(
        body, status_code=429, media_type=PROBLEM_JSON, headers={"Retry-After": str(seconds)}
    )
