"""The in-process store: TTLs, the LRU bound, tokens, and the stamp file other processes move."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import REGISTRY

from autoforge.cache.memory import InProcessBackend


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def evictions(cache: str) -> float:
    value = REGISTRY.get_sample_value(
        "autoforge_cache_events_total", {"cache": cache, "outcome": "eviction"}
    )
    return value or 0.0


def test_an_entry_is_read_until_its_ttl_passes() -> None:
    clock = Clock()
    store = InProcessBackend(clock=clock)
    token, value = store.read("prompts:p1", "a")
    assert value is None
    store.write("prompts:p1", token, "a", b"body", ttl_s=10)
    assert store.read("prompts:p1", "a") == (token, b"body")
    clock.now += 9.9
    assert store.read("prompts:p1", "a")[1] == b"body"
    clock.now += 0.2
    assert store.read("prompts:p1", "a")[1] is None


def test_the_least_recently_used_entry_is_evicted_and_counted() -> None:
    store = InProcessBackend(max_entries=2)
    before = evictions("lru")
    for field in ("a", "b"):
        token, _ = store.read("lru:p1", field)
        store.write("lru:p1", token, field, field.encode(), ttl_s=60)
    store.read("lru:p1", "a")  # a is now the most recently used
    token, _ = store.read("lru:p1", "c")
    store.write("lru:p1", token, "c", b"c", ttl_s=60)
    assert [store.read("lru:p1", f)[1] for f in ("a", "b", "c")] == [b"a", None, b"c"]
    assert evictions("lru") == before + 1


def test_invalidation_drops_a_namespace_and_refuses_a_load_that_began_before_it() -> None:
    store = InProcessBackend()
    token, _ = store.read("prompts:p1", "a")
    store.write("prompts:p1", token, "a", b"old", ttl_s=60)
    other_token, _ = store.read("prompts:p2", "a")
    store.write("prompts:p2", other_token, "a", b"theirs", ttl_s=60)
    loading_token, _ = store.read("prompts:p1", "b")  # a reader starts loading b...
    store.invalidate(["prompts:p1"])  # ...a write commits...
    store.write("prompts:p1", loading_token, "b", b"stale", ttl_s=60)  # ...the load lands
    assert store.read("prompts:p1", "a")[1] is None
    assert store.read("prompts:p1", "b")[1] is None
    assert store.read("prompts:p2", "a")[1] == b"theirs"


def test_another_process_invalidating_through_the_stamp_file_empties_this_one(
    tmp_path: Path,
) -> None:
    stamp = tmp_path / "cache.stamp"
    server, cli = InProcessBackend(stamp_file=stamp), InProcessBackend(stamp_file=stamp)
    token, _ = server.read("prompts:p1", "a")
    server.write("prompts:p1", token, "a", b"old", ttl_s=60)
    loading_token, _ = server.read("prompts:p1", "b")
    cli.invalidate(["prompts:p1"])
    assert server.read("prompts:p1", "a")[1] is None
    server.write("prompts:p1", loading_token, "b", b"stale", ttl_s=60)
    assert server.read("prompts:p1", "b")[1] is None


def test_clear_retires_every_namespace(tmp_path: Path) -> None:
    store = InProcessBackend(stamp_file=tmp_path / "cache.stamp")
    for namespace in ("prompts:p1", "templates:p2"):
        token, _ = store.read(namespace, "a")
        store.write(namespace, token, "a", b"x", ttl_s=60)
    store.clear()
    assert store.read("prompts:p1", "a")[1] is None
    assert store.read("templates:p2", "a")[1] is None
