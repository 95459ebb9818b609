"""The cache scaled out on a real redis-server: two `autoforge serve` processes on one data
dir share it, so a label moved through one is what the other serves on its very next fetch;
Redis stopped under load costs no request, and once it is back the cache is used again.
The Redis backend's outage handling is checked on its own against a paused Redis (which
keeps its data), where a lost invalidation must not leave a stale entry behind."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from autoforge.cache.backend import CacheUnavailable
from autoforge.cache.redis_backend import RedisBackend
from tests.support.fake_model import FakeModel
from tests.support.redis import RedisServer, start_redis
from tests.support.server import served, server_env

API = "/api/v1"
NAME = "support-reply"
_SAMPLE = re.compile(r"^autoforge_cache_events_total\{([^}]*)\} ([0-9.e+]+)$", re.MULTILINE)


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis of the test's own: the tests stop, pause and restart it."""
    directory = tmp_path / "redis"
    directory.mkdir()
    server = start_redis(directory)
    yield server
    if server.process.poll() is None:
        os.kill(server.process.pid, signal.SIGCONT)
    server.stop()


def eventually(check: Callable[[], bool], what: str, deadline_s: float = 60) -> None:
    end = time.monotonic() + deadline_s
    while not check():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def cache_events(base: str, outcome: str) -> float:
    """The servers' summed count of prompt-cache `outcome`s, from `/metrics`."""
    text = httpx.get(f"{base}/metrics", timeout=30).text
    total = 0.0
    for labels, value in _SAMPLE.findall(text):
        if 'cache="prompts"' in labels and f'outcome="{outcome}"' in labels:
            total += float(value)
    return total


def grows(base: str, outcome: str, by: int) -> Callable[[], bool]:
    start = cache_events(base, outcome)
    return lambda: cache_events(base, outcome) >= start + by


def seed(client: httpx.Client) -> str:
    """A prompt with two versions, `production` on version 1."""
    created = client.post(
        f"{API}/prompts", json={"name": NAME, "title": "Reply", "content": "v1 text"}
    )
    assert created.status_code == 201, created.text
    prompt_id: str = created.json()["id"]
    edited = client.patch(
        f"{API}/prompts/{prompt_id}", json={"content": "v2 text", "base_version": 1}
    )
    assert edited.status_code == 200, edited.text
    point(client, prompt_id, 1)
    return prompt_id


def point(client: httpx.Client, prompt_id: str, version: int) -> None:
    moved = client.put(f"{API}/prompts/{prompt_id}/labels/production", json={"version": version})
    assert moved.status_code == 200, moved.text


def production(client: httpx.Client) -> dict[str, Any]:
    response = client.get(f"{API}/prompts/by-name/{NAME}", params={"label": "production"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@contextmanager
def two_servers(tmp_path: Path, redis_url: str) -> Iterator[tuple[str, str]]:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env = server_env(data_dir, REDIS_URL=redis_url)
    with served(data_dir, env, fake=FakeModel()) as a, served(data_dir, env, fake=FakeModel()) as b:
        yield a, b


def test_a_label_moved_through_one_server_is_served_by_the_other_on_its_next_fetch(
    tmp_path: Path, redis: RedisServer
) -> None:
    with (
        two_servers(tmp_path, redis.url) as (a, b),
        httpx.Client(base_url=a, timeout=30) as via_a,
        httpx.Client(base_url=b, timeout=30) as via_b,
    ):
        prompt_id = seed(via_a)
        for move in range(12):
            old, new = (1, 2) if move % 2 == 0 else (2, 1)
            # B has the old answer cached: its second fetch is a hit.
            assert production(via_b)["version"] == old
            hits = cache_events(b, "hit")
            assert production(via_b)["version"] == old
            assert cache_events(b, "hit") >= hits + 1
            point(via_a, prompt_id, new)
            fetched = production(via_b)
            assert (fetched["version"], fetched["content"]) == (new, f"v{new} text")
            detail = via_b.get(f"{API}/prompts/{prompt_id}").json()
            assert detail["labels"]["production"] == new


class Load:
    """Threads fetching the production prompt from both servers until stopped; every
    answer is kept, and anything but a 200 is a failure."""

    def __init__(self, bases: list[str], threads: int = 4) -> None:
        self.bases = bases
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.answers: list[int] = []
        self.failures: list[str] = []
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(threads)]

    def _run(self, index: int) -> None:
        clients = [httpx.Client(base_url=base, timeout=30) for base in self.bases]
        n = index
        try:
            while not self.stop.is_set():
                n += 1
                try:
                    response = clients[n % len(clients)].get(
                        f"{API}/prompts/by-name/{NAME}", params={"label": "production"}
                    )
                except httpx.HTTPError as exc:
                    self._fail(repr(exc))
                    continue
                if response.status_code != 200:
                    self._fail(f"{response.status_code} {response.text[:200]}")
                    continue
                with self.lock:
                    self.answers.append(response.json()["version"])
        finally:
            for client in clients:
                client.close()

    def _fail(self, what: str) -> None:
        with self.lock:
            self.failures.append(what)

    def count(self) -> int:
        with self.lock:
            return len(self.answers)

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(60)


def test_redis_stopped_under_load_fails_no_request_and_is_used_again_once_back(
    tmp_path: Path, redis: RedisServer
) -> None:
    with (
        two_servers(tmp_path, redis.url) as (a, b),
        httpx.Client(base_url=a, timeout=30) as via_a,
        httpx.Client(base_url=b, timeout=30) as via_b,
    ):
        prompt_id = seed(via_a)
        with Load([a, b]) as load:
            eventually(grows(b, "hit", 50), "cache hits under load")

            redis.stop()
            eventually(grows(b, "error", 5), "reads falling through to the database")
            during = load.count()
            point(via_a, prompt_id, 2)  # the write succeeds; its invalidation cannot
            assert production(via_b)["version"] == 2
            eventually(lambda: load.count() > during + 200, "requests during the outage")

            port = int(redis.url.rsplit(":", 1)[1].split("/")[0])
            redis.process = start_redis(tmp_path / "redis", port=port).process
            eventually(grows(b, "hit", 50), "cache hits once redis is back")
            point(via_a, prompt_id, 1)
            assert production(via_b)["version"] == 1
            assert production(via_a)["version"] == 1
        assert load.failures == []
        assert set(load.answers) == {1, 2}
        assert load.count() > 300


def backends(url: str, **options: float) -> tuple[RedisBackend, RedisBackend]:
    """Two processes' views of one Redis."""
    return RedisBackend(url, **options), RedisBackend(url, **options)


def test_an_invalidation_reaches_every_process_and_voids_loads_already_running(
    redis: RedisServer,
) -> None:
    x, y = backends(redis.url)
    try:
        token, _ = x.read("prompts:p1", "a")
        x.write("prompts:p1", token, "a", b"v1", 60)
        assert y.read("prompts:p1", "a") == (token, b"v1")
        loading, _ = y.read("prompts:p1", "b")
        x.invalidate(["prompts:p1"])
        y.write("prompts:p1", loading, "b", b"stale", 60)
        assert y.read("prompts:p1", "a")[1] is None
        assert x.read("prompts:p1", "b")[1] is None
    finally:
        x.close()
        y.close()


def test_an_invalidation_lost_while_redis_hangs_retires_what_redis_kept(
    redis: RedisServer,
) -> None:
    x, y = backends(redis.url, timeout_s=0.2, retry_s=0.5)
    pid = redis.process.pid
    try:
        token, _ = x.read("prompts:p1", "a")
        x.write("prompts:p1", token, "a", b"before", 60)
        os.kill(pid, signal.SIGSTOP)
        try:
            with pytest.raises(CacheUnavailable):
                x.invalidate(["prompts:p1"])
            assert x.repairing
            with pytest.raises(CacheUnavailable):
                x.read("prompts:p1", "a")  # never served while the repair is pending
        finally:
            os.kill(pid, signal.SIGCONT)
        eventually(lambda: not x.repairing, "the epoch to move on")
        # Redis kept "before" (it was only paused), yet no process reads it any more.
        assert y.read("prompts:p1", "a")[1] is None
        assert x.read("prompts:p1", "a")[1] is None
    finally:
        x.close()
        y.close()


def test_after_a_failure_redis_is_left_alone_for_the_rest_period(redis: RedisServer) -> None:
    x = RedisBackend(redis.url, timeout_s=0.2, retry_s=600)
    pid = redis.process.pid
    try:
        os.kill(pid, signal.SIGSTOP)
        try:
            with pytest.raises(CacheUnavailable):
                x.read("prompts:p1", "a")
        finally:
            os.kill(pid, signal.SIGCONT)
        with pytest.raises(CacheUnavailable, match="resting"):
            x.read("prompts:p1", "a")  # Redis answers again, but is not asked yet
    finally:
        x.close()
