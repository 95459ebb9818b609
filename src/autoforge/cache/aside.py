"""Cache-aside with single-flight: a miss loads once per key and process, and concurrent
readers of that key wait for that one load and share its result."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from autoforge.cache.backend import CacheBackend, CacheUnavailable
from autoforge.cache.keys import CacheKey
from autoforge.observability.metrics import cache_event

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Loaded:
    """A freshly loaded response body; `keep=False` serves it without caching it (e.g. a
    prompt another project shares, which this project's invalidations do not cover)."""

    body: bytes
    keep: bool = True


class Cache:
    def __init__(self, backend: CacheBackend) -> None:
        self.backend = backend
        self._lock = threading.Lock()
        self._flights: dict[tuple[str, str, str], Future[bytes]] = {}

    def get_or_load(self, key: CacheKey, load: Callable[[], Loaded]) -> bytes:
        try:
            token, cached = self.backend.read(key.namespace, key.field)
        except CacheUnavailable:
            # Without the store we cannot know of other processes' writes, so no sharing of
            # loads either: each request reads the database itself.
            cache_event(key.cache, "error")
            return load().body
        if cached is not None:
            cache_event(key.cache, "hit")
            return cached
        cache_event(key.cache, "miss")
        # The token is part of the flight: a reader arriving after an invalidation sees a new
        # token, so it never joins a load that began before the write committed.
        flight_key = (key.namespace, token, key.field)
        with self._lock:
            flight = self._flights.get(flight_key)
            leading = flight is None
            if flight is None:
                flight = self._flights[flight_key] = Future()
        if not leading:
            return flight.result()
        try:
            loaded = load()
            if loaded.keep:
                self._store(key, token, loaded.body)
        except BaseException as exc:
            flight.set_exception(exc)
            raise
        else:
            flight.set_result(loaded.body)
        finally:
            # Landed only once stored: a reader arriving now finds the entry, not a miss.
            with self._lock:
                del self._flights[flight_key]
        return loaded.body

    def peek(self, key: CacheKey) -> bytes | None:
        """The entry, if the store holds one and can say so without I/O; else None, and the
        caller goes on to `get_or_load` (which counts the miss)."""
        if not self.backend.reads_in_memory:
            return None
        try:
            _, cached = self.backend.read(key.namespace, key.field)
        except CacheUnavailable:
            return None
        if cached is not None:
            cache_event(key.cache, "hit")
        return cached

    def _store(self, key: CacheKey, token: str, body: bytes) -> None:
        try:
            self.backend.write(key.namespace, token, key.field, body, key.ttl_s)
        except CacheUnavailable:
            cache_event(key.cache, "error")

    def invalidate(self, namespaces: Sequence[str]) -> None:
        """After a commit. Never raises: the commit stands whatever the store says (a Redis
        backend that misses an invalidation retires its entries once Redis is back)."""
        if not namespaces:
            return
        try:
            self.backend.invalidate(sorted(set(namespaces)))
        except CacheUnavailable:
            for namespace in set(namespaces):
                cache_event(CacheKey(namespace, "", 0).cache, "error")

    def clear(self) -> None:
        """Retires every entry (see `CacheBackend.clear`); raises if the store is down."""
        self.backend.clear()

    def close(self) -> None:
        self.backend.close()
