"""RateLimiter: separate key and IP buckets, Retry-After, Redis sharing and failing open."""

from __future__ import annotations

import json
import logging
import uuid

import pytest

from autoforge.api import rate_limit
from autoforge.api.rate_limit import RateLimiter, too_many_requests
from tests.support.redis import RedisServer
from tests.support.sqld import free_port

IP = "203.0.113.7"


def fresh_key() -> str:
    # Unique per test: the Redis server is shared by the whole session.
    return f"key_{uuid.uuid4().hex}"


def use_up(limiter: RateLimiter, n: int, *, key_id: str | None, ip: str = IP) -> None:
    for _ in range(n):
        assert limiter.hit(key_id=key_id, ip=ip) is None


def assert_limited(wait: float | None) -> None:
    assert wait is not None
    assert wait >= 1
    assert wait == int(wait)


@pytest.fixture
def limiter() -> RateLimiter:
    return RateLimiter("3/minute", "2/minute")


def test_n_requests_pass_then_the_next_waits(limiter: RateLimiter) -> None:
    key = fresh_key()
    use_up(limiter, 3, key_id=key)
    wait = limiter.hit(key_id=key, ip=IP)
    assert_limited(wait)
    assert wait is not None
    assert wait <= 60


def test_a_keyed_request_does_not_use_the_ip_bucket(limiter: RateLimiter) -> None:
    use_up(limiter, 2, key_id=None)
    assert_limited(limiter.hit(key_id=None, ip=IP))
    # Same address, but authenticated: counted against the key, which is untouched.
    use_up(limiter, 3, key_id=fresh_key())


def test_an_exhausted_key_leaves_the_ip_bucket_alone(limiter: RateLimiter) -> None:
    key = fresh_key()
    use_up(limiter, 3, key_id=key)
    assert_limited(limiter.hit(key_id=key, ip=IP))
    use_up(limiter, 2, key_id=None)


def test_another_key_or_ip_is_not_affected(limiter: RateLimiter) -> None:
    key = fresh_key()
    use_up(limiter, 3, key_id=key)
    assert_limited(limiter.hit(key_id=key, ip=IP))
    use_up(limiter, 3, key_id=fresh_key())
    use_up(limiter, 2, key_id=None)
    assert_limited(limiter.hit(key_id=None, ip=IP))
    use_up(limiter, 2, key_id=None, ip="198.51.100.9")


def test_429_problem_names_the_limit_and_not_the_key(limiter: RateLimiter) -> None:
    key = fresh_key()
    response = too_many_requests(limiter, key_id=key, retry_after=12.2)

    assert response.status_code == 429
    assert response.media_type == "application/problem+json"
    assert response.headers["retry-after"] == "13"
    problem = json.loads(bytes(response.body))
    assert problem == {
        "type": "about:blank",
        "title": "Too Many Requests",
        "status": 429,
        "detail": "the per-API-key rate limit of 3 per 1 minute was reached; retry after 13 s",
    }
    assert key not in bytes(response.body).decode()


def test_429_problem_for_an_anonymous_client(limiter: RateLimiter) -> None:
    response = too_many_requests(limiter, key_id=None, retry_after=0.2)
    assert response.headers["retry-after"] == "1"
    assert "per-IP rate limit of 2 per 1 minute" in bytes(response.body).decode()


@pytest.mark.integration
def test_limiters_sharing_redis_share_the_count(redis_server: RedisServer) -> None:
    # Two instances stand for two API processes behind a load balancer.
    first = RateLimiter("3/minute", "2/minute", redis_server.url)
    second = RateLimiter("3/minute", "2/minute", redis_server.url)
    key = fresh_key()
    ip = f"10.{uuid.uuid4().int % 250}.0.1"

    assert first.hit(key_id=key, ip=ip) is None
    assert second.hit(key_id=key, ip=ip) is None
    assert first.hit(key_id=key, ip=ip) is None
    assert_limited(second.hit(key_id=key, ip=ip))
    assert_limited(first.hit(key_id=key, ip=ip))
    assert second.hit(key_id=fresh_key(), ip=ip) is None


def test_unreachable_redis_fails_open_with_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    closed = RateLimiter("1/minute", "1/minute", f"redis://127.0.0.1:{free_port()}/0")
    key = fresh_key()

    with caplog.at_level(logging.WARNING, logger="autoforge.api.rate_limit"):
        for _ in range(5):
            assert closed.hit(key_id=key, ip=IP) is None
            assert closed.hit(key_id=None, ip=IP) is None

    warnings = [r for r in caplog.records if r.name == "autoforge.api.rate_limit"]
    assert len(warnings) == 1
    assert "rate limit storage unavailable" in warnings[0].getMessage()


def test_repeated_redis_failures_still_warn_once(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No pause between attempts, so every hit really goes to the closed port and fails.
    monkeypatch.setattr(rate_limit, "REDIS_PAUSE_S", 0.0)
    closed = RateLimiter("1/minute", "1/minute", f"redis://127.0.0.1:{free_port()}/0")

    with caplog.at_level(logging.WARNING, logger="autoforge.api.rate_limit"):
        for _ in range(5):
            assert closed.hit(key_id=None, ip=IP) is None

    assert len([r for r in caplog.records if r.name == "autoforge.api.rate_limit"]) == 1
