"""Cache-aside: hits, misses, single-flight under concurrency, and a store that is down."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client import REGISTRY

from autoforge.cache.aside import Cache, Loaded
from autoforge.cache.backend import CacheUnavailable
from autoforge.cache.keys import CacheKey
from autoforge.cache.memory import InProcessBackend


def events(cache: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "autoforge_cache_events_total", {"cache": cache, "outcome": outcome}
    )
    return value or 0.0


class Loader:
    """Counts its calls; optionally blocks until released, to hold a load in flight."""

    def __init__(self, body: bytes = b"loaded", *, keep: bool = True) -> None:
        self.body, self.keep = body, keep
        self.calls = 0
        self.started = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def __call__(self) -> Loaded:
        self.calls += 1
        self.started.set()
        assert self.release.wait(30)
        return Loaded(self.body, keep=self.keep)


class DownBackend:
    """A store that cannot be reached, as the Redis backend reports it."""

    def read(self, namespace: str, field: str) -> tuple[str, bytes | None]:
        raise CacheUnavailable("down")

    def write(self, namespace: str, token: str, field: str, value: bytes, ttl_s: float) -> None:
        raise CacheUnavailable("down")

    def invalidate(self, namespaces: Sequence[str]) -> None:
        raise CacheUnavailable("down")

    def clear(self) -> None:
        raise CacheUnavailable("down")

    def close(self) -> None:
        pass


def test_a_miss_loads_and_stores_then_a_hit_serves_without_loading() -> None:
    cache = Cache(InProcessBackend())
    key = CacheKey("aside1:p1", "a", 60)
    load = Loader()
    misses, hits = events("aside1", "miss"), events("aside1", "hit")
    assert cache.get_or_load(key, load) == b"loaded"
    assert cache.get_or_load(key, load) == b"loaded"
    assert load.calls == 1
    assert (events("aside1", "miss"), events("aside1", "hit")) == (misses + 1, hits + 1)


def test_an_invalidation_makes_the_next_read_load_again() -> None:
    cache = Cache(InProcessBackend())
    key = CacheKey("aside2:p1", "a", 60)
    cache.get_or_load(key, Loader(b"v1"))
    cache.invalidate(["aside2:p1"])
    assert cache.get_or_load(key, Loader(b"v2")) == b"v2"


def test_a_value_loaded_before_an_invalidation_is_served_once_but_not_kept() -> None:
    cache = Cache(InProcessBackend())
    key = CacheKey("aside3:p1", "a", 60)
    slow = Loader(b"before the write")
    slow.release.clear()
    with ThreadPoolExecutor(1) as pool:
        reading = pool.submit(cache.get_or_load, key, slow)
        assert slow.started.wait(30)
        cache.invalidate(["aside3:p1"])  # the write commits while the load runs
        slow.release.set()
        assert reading.result(30) == b"before the write"
    assert cache.get_or_load(key, Loader(b"after the write")) == b"after the write"


def test_concurrent_misses_of_one_key_share_a_single_load() -> None:
    cache = Cache(InProcessBackend())
    key = CacheKey("aside4:p1", "a", 60)
    load = Loader(b"shared")
    load.release.clear()
    with ThreadPoolExecutor(16) as pool:
        first = pool.submit(cache.get_or_load, key, load)
        assert load.started.wait(30)
        waiters = [pool.submit(cache.get_or_load, key, load) for _ in range(15)]
        while not all(w.running() for w in waiters):
            threading.Event().wait(0.01)
        load.release.set()
        results = [first.result(30)] + [w.result(30) for w in waiters]
    assert results == [b"shared"] * 16
    assert load.calls == 1


def test_waiters_share_the_loaders_error_and_nothing_is_stored() -> None:
    cache = Cache(InProcessBackend())
    key = CacheKey("aside5:p1", "a", 60)
    started, release = threading.Event(), threading.Event()

    def failing() -> Loaded:
        started.set()
        assert release.wait(30)
        raise LookupError("no such prompt")

    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(cache.get_or_load, key, failing)
        assert started.wait(30)
        waiter = pool.submit(cache.get_or_load, key, failing)
        while not waiter.running():
            threading.Event().wait(0.01)
        release.set()
        for future in (first, waiter):
            with pytest.raises(LookupError):
                future.result(30)
    assert cache.get_or_load(key, Loader(b"found")) == b"found"


def test_a_value_marked_not_to_keep_is_served_and_loaded_again_next_time() -> None:
    cache = Cache(InProcessBackend())
    key = CacheKey("aside6:p1", "a", 60)
    shared = Loader(b"another project's prompt", keep=False)
    assert cache.get_or_load(key, shared) == b"another project's prompt"
    assert cache.get_or_load(key, shared) == b"another project's prompt"
    assert shared.calls == 2


def test_a_store_that_is_down_costs_nothing_but_the_cache() -> None:
    cache = Cache(DownBackend())
    key = CacheKey("aside7:p1", "a", 60)
    errors = events("aside7", "error")
    load = Loader(b"from the database")
    assert cache.get_or_load(key, load) == b"from the database"
    cache.invalidate(["aside7:p1"])  # must not raise: the commit stands
    assert load.calls == 1
    assert events("aside7", "error") == errors + 2
