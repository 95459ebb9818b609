"""The shared store for scaled-out deployments: one Redis, so a write's invalidation is seen
by every server process at once.

Keys: `af:epoch` (moved on after an outage that swallowed an invalidation), `af:g:<ns>` (a
namespace's generation, replaced by a fresh value on each invalidation) and
`af:v:<ns>:<epoch>:<generation>:<field>` (entries). A read is one round trip (a script).

Redis going down must cost no request: every failure raises `CacheUnavailable` (the caller
reads the database), sockets time out fast, and a circuit breaker leaves Redis alone for
`retry_s` after a failure instead of paying a timeout per request.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from autoforge.cache.backend import CacheUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")

EPOCH_KEY = "af:epoch"
_READ = """
local token = (redis.call('GET', KEYS[1]) or '0') .. ':' .. (redis.call('GET', KEYS[2]) or '0')
return {token, redis.call('GET', ARGV[1] .. token .. ':' .. ARGV[2])}
"""


class RedisBackend:
    reads_in_memory = False

    def __init__(
        self,
        url: str,
        *,
        timeout_s: float = 0.25,
        retry_s: float = 2.0,
        generation_ttl_s: float = 7200.0,
    ) -> None:
        self.retry_s = retry_s
        # A generation must outlive every entry stored under it: were it to expire first,
        # its namespace would start again at "0", where an old entry might still be.
        self.generation_ttl_ms = int(generation_ttl_s * 1000)
        self._client = redis.Redis.from_url(
            url,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            # One retry re-dials a pooled connection that a Redis restart left dead.
            retry=Retry(NoBackoff(), 1),
            health_check_interval=0,
        )
        self._read = self._client.register_script(_READ)
        self._lock = threading.Lock()
        self._resting_until = 0.0
        self._missed_invalidation = False
        self._repairer: threading.Thread | None = None
        self._closed = threading.Event()

    def _call(self, operation: Callable[[], T]) -> T:
        if self._missed_invalidation:
            raise CacheUnavailable("an invalidation missed redis; waiting to retire entries")
        if time.monotonic() < self._resting_until:
            raise CacheUnavailable("redis failed recently; resting")
        try:
            return operation()
        except (RedisError, OSError) as exc:
            self._trip(exc)
            raise CacheUnavailable(str(exc)) from exc

    def _trip(self, exc: BaseException) -> None:
        with self._lock:
            first = time.monotonic() >= self._resting_until
            self._resting_until = time.monotonic() + self.retry_s
        if first:
            log.warning(
                "cache: redis unavailable, reading the database for %.1f s: %s", self.retry_s, exc
            )

    def read(self, namespace: str, field: str) -> tuple[str, bytes | None]:
        def run() -> tuple[str, bytes | None]:
            token, value = self._read(
                keys=[EPOCH_KEY, f"af:g:{namespace}"], args=[f"af:v:{namespace}:", field]
            )
            return token.decode(), value

        return self._call(run)

    def write(self, namespace: str, token: str, field: str, value: bytes, ttl_s: float) -> None:
        key = f"af:v:{namespace}:{token}:{field}"
        self._call(lambda: self._client.set(key, value, px=max(1, int(ttl_s * 1000))))

    def invalidate(self, namespaces: Sequence[str]) -> None:
        def run() -> list[Any]:
            pipe = self._client.pipeline(transaction=False)
            for namespace in namespaces:
                pipe.set(f"af:g:{namespace}", uuid.uuid4().hex, px=self.generation_ttl_ms)
            return pipe.execute()

        try:
            self._call(run)
        except CacheUnavailable:
            self._missed(namespaces)
            raise

    def _missed(self, namespaces: Sequence[str]) -> None:
        """An invalidation that did not reach Redis: if Redis comes back with its data, its
        entries for these namespaces may be stale. So once it answers again, the epoch is
        moved on, which retires every entry; a thread retries until then."""
        log.warning("cache: invalidation of %d namespace(s) missed redis", len(namespaces))
        with self._lock:
            self._missed_invalidation = True
            if self._repairer is None or not self._repairer.is_alive():
                self._repairer = threading.Thread(
                    target=self._repair, name="cache-epoch", daemon=True
                )
                self._repairer.start()

    def _repair(self) -> None:
        while not self._closed.wait(self.retry_s / 4):
            try:
                self._client.set(EPOCH_KEY, uuid.uuid4().hex)
            except (RedisError, OSError):
                continue
            with self._lock:
                self._missed_invalidation = False
                self._resting_until = 0.0
            log.warning("cache: redis is back; every entry cached before the outage retired")
            return

    def clear(self) -> None:
        self._call(lambda: self._client.set(EPOCH_KEY, uuid.uuid4().hex))

    @property
    def repairing(self) -> bool:
        """Whether a missed invalidation still waits for Redis to come back."""
        return self._missed_invalidation

    def close(self) -> None:
        self._closed.set()
        self._client.close()
