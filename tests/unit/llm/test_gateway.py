"""The gateway's per-call rules, driven through the fake client on a real database."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from autoforge.bootstrap import Container
from autoforge.llm.errors import (
    ModelBusy,
    ModelRequestError,
    ModelTimeout,
    ModelUnavailable,
    RateLimited,
)
from autoforge.llm.fake import FakeModelClient, echo
from autoforge.llm.gateway import Gateway
from autoforge.llm.limits import QueueDepth
from autoforge.llm.types import CachePolicy, CompletionRequest, TraceContext
from tests.support.gateway import SleepRecorder, make_gateway

PRIMARY = "fake/primary"
BACKUP = "fake/backup"


def ask(text: str = "one two three", model: str = PRIMARY, **params: object) -> CompletionRequest:
    return CompletionRequest(model, messages=[{"role": "user", "content": text}], params=params)


@pytest.fixture
def fake() -> FakeModelClient:
    return FakeModelClient(cost_per_token=0.001)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def gateway(
    file_container: Container, fake: FakeModelClient, sleeps: SleepRecorder
) -> Iterator[Gateway]:
    gateway = make_gateway(
        file_container.database,
        fake,
        sleep=sleeps,
        max_retries=2,
        fallbacks={PRIMARY: [BACKUP]},
    )
    yield gateway
    gateway.close()


def test_a_call_returns_the_answer_and_records_tokens_cost_and_latency(
    gateway: Gateway,
) -> None:
    result = gateway.complete(ask("hello big world"))

    assert result.text == "world big hello"
    assert result.record.model == PRIMARY
    assert result.record.tokens_out == 3
    assert result.record.cost_usd == pytest.approx((result.record.tokens_in + 3) * 0.001)
    assert result.record.latency_ms > 0
    assert result.record.attempts == 1
    assert not result.record.cache_hit
    [trace] = gateway.calls.list() if gateway.calls else []
    assert trace.id == result.record.id
    assert trace.output == "world big hello"
    assert trace.input["messages"][0]["content"] == "hello big world"


def test_rate_limits_are_retried_with_growing_back_off(
    gateway: Gateway, fake: FakeModelClient, sleeps: SleepRecorder
) -> None:
    fake.fail(PRIMARY, RateLimited("slow down"), RateLimited("slow down"))

    result = gateway.complete(ask())

    assert result.record.model == PRIMARY
    assert result.record.attempts == 3
    assert fake.calls_to(PRIMARY) == 3
    assert len(sleeps.delays) == 2
    assert sleeps.delays[1] == pytest.approx(2 * sleeps.delays[0])


def test_a_retry_after_hint_is_waited_out(
    gateway: Gateway, fake: FakeModelClient, sleeps: SleepRecorder
) -> None:
    fake.fail(PRIMARY, RateLimited("slow down", retry_after_s=3.0))

    gateway.complete(ask())

    assert sleeps.delays == [3.0]


def test_timeouts_are_retried(gateway: Gateway, fake: FakeModelClient) -> None:
    fake.fail(PRIMARY, ModelTimeout("too slow"))

    result = gateway.complete(ask())

    assert result.record.attempts == 2
    assert fake.calls_to(BACKUP) == 0


def test_back_off_is_capped(gateway: Gateway) -> None:
    delays = [gateway.backoff(retry) for retry in range(12)]

    assert delays == sorted(delays)
    assert max(delays) <= gateway.config.backoff_max_s


def test_after_its_retries_the_fallback_model_answers(
    gateway: Gateway, fake: FakeModelClient
) -> None:
    fake.fail(PRIMARY, *[ModelUnavailable("down")] * 3)

    result = gateway.complete(ask())

    assert result.record.model == BACKUP
    assert result.completion.model == "backup"
    assert result.record.attempts == 4
    assert [c.model for c in fake.calls] == [PRIMARY] * 3 + [BACKUP]


def test_a_rejected_request_is_not_retried_but_falls_back(
    gateway: Gateway, fake: FakeModelClient
) -> None:
    fake.fail(PRIMARY, ModelRequestError("bad parameter"))

    result = gateway.complete(ask())

    assert result.record.model == BACKUP
    assert fake.calls_to(PRIMARY) == 1


def test_when_every_model_fails_the_error_is_raised_and_recorded(
    gateway: Gateway, fake: FakeModelClient
) -> None:
    fake.fail(PRIMARY, *[ModelTimeout("slow")] * 3)
    fake.fail(BACKUP, *[ModelTimeout("slower")] * 3)

    with pytest.raises(ModelTimeout, match="slower"):
        gateway.complete(ask())

    [trace] = gateway.calls.list() if gateway.calls else []
    assert trace.error is not None
    assert "ModelTimeout" in trace.error
    assert trace.attempts == 6
    assert trace.output is None


def test_a_deterministic_repeat_is_answered_from_the_cache(
    gateway: Gateway, fake: FakeModelClient
) -> None:
    first = gateway.complete(ask(temperature=0))
    second = gateway.complete(ask(temperature=0))

    assert fake.calls_to(PRIMARY) == 1
    assert second.text == first.text
    assert second.record.cache_hit
    assert second.record.cost_usd == 0.0
    assert second.record.attempts == 0
    assert second.record.tokens_out == first.record.tokens_out
    assert gateway.cache is not None
    from autoforge.llm.cache import cache_key

    assert gateway.cache.hit_count(cache_key(ask(temperature=0))) == 1


def test_sampled_calls_are_not_cached_unless_forced(
    gateway: Gateway, fake: FakeModelClient
) -> None:
    gateway.complete(ask(temperature=0.7))
    gateway.complete(ask(temperature=0.7))
    assert fake.calls_to(PRIMARY) == 2

    gateway.complete(ask(temperature=0.7), cache=CachePolicy.FORCE)
    forced = gateway.complete(ask(temperature=0.7), cache=CachePolicy.FORCE)
    assert fake.calls_to(PRIMARY) == 3
    assert forced.record.cache_hit


def test_no_temperature_means_the_provider_default_and_is_not_cached(
    gateway: Gateway, fake: FakeModelClient
) -> None:
    gateway.complete(ask())
    gateway.complete(ask())

    assert fake.calls_to(PRIMARY) == 2


def test_bypass_neither_reads_nor_writes_the_cache(gateway: Gateway, fake: FakeModelClient) -> None:
    gateway.complete(ask(temperature=0), cache=CachePolicy.BYPASS)
    gateway.complete(ask(temperature=0))
    bypassed = gateway.complete(ask(temperature=0), cache=CachePolicy.BYPASS)

    assert fake.calls_to(PRIMARY) == 3
    assert not bypassed.record.cache_hit


def test_an_answer_from_a_fallback_is_not_cached_for_the_requested_model(
    gateway: Gateway, fake: FakeModelClient
) -> None:
    fake.fail(PRIMARY, *[ModelUnavailable("down")] * 3)
    gateway.complete(ask(temperature=0))

    again = gateway.complete(ask(temperature=0))

    assert not again.record.cache_hit
    assert again.record.model == PRIMARY


def test_the_concurrency_limit_holds_under_load(file_container: Container) -> None:
    fake = FakeModelClient(delay_s=0.05)
    gateway = make_gateway(file_container.database, fake, concurrency={"fake": 2})
    threads = [
        threading.Thread(target=gateway.complete, args=(ask(f"call {i}"),)) for i in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    gateway.close()

    assert len(fake.calls) == 8
    assert fake.max_active == 2


def held_until(release: threading.Event) -> Callable[[CompletionRequest], str]:
    """Answers like `echo`, but not before `release` is set."""

    def reply(request: CompletionRequest) -> str:
        release.wait(30)
        return echo(request)

    return reply


def test_a_call_waits_its_turn_past_its_own_timeout(file_container: Container) -> None:
    """The queue for a model's slot has its own deadline: the call's timeout bounds the
    model's work, not the wait for a busy model (which used to fail as "Model busy")."""
    release = threading.Event()
    fake = FakeModelClient(reply=held_until(release))
    gateway = make_gateway(file_container.database, fake, concurrency={PRIMARY: 1}, max_retries=0)
    holder = threading.Thread(target=gateway.complete, args=(ask("first"),))
    holder.start()
    while not fake.calls:
        threading.Event().wait(0.005)
    answers: list[str] = []
    second = threading.Thread(
        target=lambda: answers.append(gateway.complete(ask("second"), timeout_s=0.01).text)
    )
    second.start()
    while gateway.queue_depth(PRIMARY).waiting == 0:
        threading.Event().wait(0.005)
    assert gateway.queue_depth(PRIMARY) == QueueDepth(running=1, waiting=1, limit=1)
    threading.Event().wait(0.05)  # five times the second call's timeout: it still waits
    assert second.is_alive()
    release.set()
    holder.join()
    second.join()
    gateway.close()

    assert answers == ["second"]
    assert gateway.queue_depth(PRIMARY) == QueueDepth(running=0, waiting=0, limit=1)


def test_a_full_queue_is_busy_at_once(file_container: Container) -> None:
    release = threading.Event()
    fake = FakeModelClient(reply=held_until(release))
    gateway = make_gateway(
        file_container.database, fake, concurrency={PRIMARY: 1}, max_retries=0, queue_max=1
    )
    threads = [threading.Thread(target=gateway.complete, args=(ask(f"q{i}"),)) for i in range(2)]
    for thread in threads:
        thread.start()
    while gateway.queue_depth(PRIMARY).waiting == 0:
        threading.Event().wait(0.005)

    with pytest.raises(ModelBusy, match=r"queue for fake/primary is full \(1 calls waiting\)"):
        gateway.complete(ask("third"))
    release.set()
    for thread in threads:
        thread.join()
    gateway.close()


def test_a_wait_past_the_queue_deadline_is_busy(file_container: Container) -> None:
    release = threading.Event()
    fake = FakeModelClient(reply=held_until(release))
    gateway = make_gateway(
        file_container.database,
        fake,
        concurrency={PRIMARY: 1},
        max_retries=0,
        queue_timeout_s=0.05,
    )
    holder = threading.Thread(target=gateway.complete, args=(ask("first"),))
    holder.start()
    while not fake.calls:
        threading.Event().wait(0.005)

    with pytest.raises(ModelBusy, match="in the queue for fake/primary without a turn"):
        gateway.complete(ask("second"))
    release.set()
    holder.join()
    gateway.close()


def test_a_stream_yields_deltas_then_records_and_caches(
    gateway: Gateway, fake: FakeModelClient
) -> None:
    stream = gateway.stream(ask("a b c", temperature=0))
    pieces = list(stream)

    assert pieces == ["c", " b", " a"]
    assert stream.result is not None
    assert stream.result.text == "c b a"
    assert stream.result.record.tokens_out == 3
    replay = gateway.stream(ask("a b c", temperature=0))
    assert replay.text() == "c b a"
    assert replay.result is not None
    assert replay.result.record.cache_hit
    assert fake.calls_to(PRIMARY) == 1


def test_a_stream_is_retried_before_its_first_delta(
    gateway: Gateway, fake: FakeModelClient
) -> None:
    fake.fail(PRIMARY, RateLimited("slow down"))

    stream = gateway.stream(ask("x y"))

    assert stream.text() == "y x"
    assert stream.result is not None
    assert stream.result.record.attempts == 2


def test_an_abandoned_stream_frees_its_slot_and_is_recorded(file_container: Container) -> None:
    gateway = make_gateway(file_container.database, FakeModelClient(), concurrency={PRIMARY: 1})
    stream = gateway.stream(ask("a b c d"))
    next(iter(stream))
    stream.close()
    unread = gateway.stream(ask("never read"))
    unread.close()

    # Both slots came back: a third stream opens at once instead of timing out.
    assert gateway.stream(ask("e f"), timeout_s=0.1).text() == "f e"
    errors = [t.error for t in gateway.calls.list()] if gateway.calls else []
    gateway.close()
    assert any(e and "StreamAbandoned" in e for e in errors)


def test_traces_carry_their_origin_and_filter_newest_first(gateway: Gateway) -> None:
    trace = TraceContext(prompt_id="p-1", prompt_version=3, variables={"topic": "cats"})
    gateway.complete(ask("first"), trace=trace)
    gateway.complete(ask("second"), trace=trace)
    gateway.complete(ask("third", model=BACKUP))
    assert gateway.calls is not None

    for_prompt = gateway.calls.list(prompt_id="p-1")
    for_backup = gateway.calls.list(model=BACKUP)

    assert [t.output for t in for_prompt] == ["second", "first"]
    assert for_prompt[0].prompt_version == 3
    assert for_prompt[0].variables == {"topic": "cats"}
    assert [t.output for t in for_backup] == ["third"]
    assert len(gateway.calls.list(limit=1)) == 1


def test_statuses_list_every_configured_model_once(file_container: Container) -> None:
    gateway = make_gateway(
        file_container.database,
        FakeModelClient(unavailable=[BACKUP]),
        fallbacks={PRIMARY: [BACKUP]},
        models=[PRIMARY],
    )

    statuses = {s.name: s for s in gateway.statuses()}

    assert set(statuses) == {PRIMARY, BACKUP}
    assert statuses[PRIMARY].available
    assert statuses[PRIMARY].is_default
    assert not statuses[BACKUP].available
