"""The port every caller uses: a `Gateway` over one `ModelClient`, applying the per-call rules.

The rules live here, once, whatever the provider: the response cache, a concurrency limit per
model, a timeout per call, retries with exponential back-off on rate limits and timeouts,
fallback models, and a record of every call. This is the only retry loop: the LiteLLM adapter
switches LiteLLM's and the provider SDKs' own retries off, so attempts never multiply.
"""

from __future__ import annotations

import itertools
import logging
import random
import time
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol, TypeVar

from autoforge.db.base import new_id, utcnow
from autoforge.llm.cache import ResponseCache, cache_key
from autoforge.llm.errors import ModelCallError, ModelCrashed
from autoforge.llm.limits import ConcurrencyLimits, QueueDepth, Slot
from autoforge.llm.pricing import Price, Pricing
from autoforge.llm.repository import CallLog
from autoforge.llm.types import (
    CachePolicy,
    CallRecord,
    CallResult,
    Completion,
    CompletionRequest,
    ModelStatus,
    TraceContext,
)
from autoforge.telemetry import emit

log = logging.getLogger(__name__)
T = TypeVar("T")

StreamPart = str | Completion  # text deltas, then one Completion with the totals


class ModelClient(Protocol):
    """One adapter to the models. Raises only `ModelCallError` subclasses."""

    def complete(self, request: CompletionRequest, *, timeout_s: float) -> Completion: ...

    def stream(self, request: CompletionRequest, *, timeout_s: float) -> Iterator[StreamPart]: ...

    def status(self, model: str) -> ModelStatus: ...

    def price(self, model: str) -> Price | None:
        """The model's list price, or None when the client has none."""
        ...


@dataclass(frozen=True)
class GatewayConfig:
    default_model: str
    timeout_s: float = 60.0
    max_retries: int = 2
    backoff_base_s: float = 0.5
    backoff_max_s: float = 8.0
    concurrency: Mapping[str, int] = field(default_factory=dict)
    default_concurrency: int = 8
    fallbacks: Mapping[str, Sequence[str]] = field(default_factory=dict)
    models: Sequence[str] = ()
    # Calls beyond a model's concurrency wait in a queue this long at most, this many deep.
    queue_timeout_s: float = 600.0
    queue_max: int = 1000

    def chain(self, model: str) -> list[str]:
        """The model, then its fallbacks in order, each once."""
        return list(dict.fromkeys([model, *self.fallbacks.get(model, ())]))

    def known_models(self) -> list[str]:
        names = [self.default_model, *self.models]
        for source, targets in self.fallbacks.items():
            names.extend([source, *targets])
        return list(dict.fromkeys(names))


class Gateway:
    """What every caller uses to call a model; `complete` and `stream` record every call."""

    def __init__(
        self,
        client: ModelClient,
        config: GatewayConfig,
        *,
        cache: ResponseCache | None = None,
        calls: CallLog | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        pricing: Pricing | None = None,
    ) -> None:
        self.client = client
        self.config = config
        # LLM_PRICES over the client's price list (llm/pricing.py).
        self.pricing = pricing or Pricing({}, client.price)
        self.cache = cache
        self.calls = calls
        self._limits = ConcurrencyLimits(
            config.concurrency,
            config.default_concurrency,
            queue_max=config.queue_max,
            queue_timeout_s=config.queue_timeout_s,
        )
        self._sleep = sleep
        self._jitter = jitter
        emit.configure()  # once per process: spans only if OTEL_EXPORTER_OTLP_ENDPOINT is set

    def complete(
        self,
        request: CompletionRequest,
        *,
        cache: CachePolicy = CachePolicy.AUTO,
        trace: TraceContext | None = None,
        timeout_s: float | None = None,
        crash_retries: int = 0,
    ) -> CallResult:
        """One call, answered from the cache when it can be. `crash_retries`: how often to
        call again when the model's process dies during the call (batch jobs ask for it;
        an interactive caller hears of the crash at once)."""
        request = request.for_project(trace.project_id if trace else None)
        call = _Call(
            request, trace, self._cache_key(request, cache, trace), crash_retries=crash_retries
        )
        timeout = timeout_s or self.config.timeout_s
        hit = self._lookup(call)
        if hit is not None:
            return self._finish(call, hit, cache_hit=True)

        def once(req: CompletionRequest) -> Completion:
            with self._limits.slot(req.model):
                return self.client.complete(req, timeout_s=timeout)

        try:
            completion = self._call(call, once)
        except Exception as exc:
            self._fail(call, exc)
            raise
        self._store(call, completion)
        return self._finish(call, completion)

    def stream(
        self,
        request: CompletionRequest,
        *,
        cache: CachePolicy = CachePolicy.AUTO,
        trace: TraceContext | None = None,
        timeout_s: float | None = None,
    ) -> CompletionStream:
        """Opens the stream now (retries and fallbacks happen before the first delta)."""
        request = request.for_project(trace.project_id if trace else None)
        call = _Call(request, trace, self._cache_key(request, cache, trace))
        timeout = timeout_s or self.config.timeout_s
        hit = self._lookup(call)
        if hit is not None:
            return CompletionStream(self._replay(call, hit))

        def open_stream(req: CompletionRequest) -> _OpenStream:
            slot = self._limits.acquire(req.model)
            try:
                parts = self.client.stream(req, timeout_s=timeout)
                return _OpenStream(next(parts), parts, slot)
            except BaseException:
                slot.release()
                raise

        try:
            opened = self._call(call, open_stream)
        except Exception as exc:
            self._fail(call, exc)
            raise
        return CompletionStream(self._relay(call, opened), on_close=opened.slot.release)

    def flush(self) -> None:
        """Waits until every call so far is in the call log."""
        if self.calls is not None:
            self.calls.flush()

    def close(self) -> None:
        if self.calls is not None:
            self.calls.close()

    def concurrency_of(self, model: str) -> int:
        """How many calls to `model` run at once; more only wait in its queue."""
        return self._limits.size(model)

    def queue_depth(self, model: str) -> QueueDepth:
        """Calls running under the model's concurrency limit, and calls waiting for it."""
        return self._limits.depth(model)

    def statuses(self) -> list[ModelStatus]:
        """Every configured model: see `status`."""
        return [self.status(name) for name in self.config.known_models()]

    def status(self, model: str) -> ModelStatus:
        """Whether `model` can be called, judged without calling it, with the calls running
        and queued under its concurrency limit."""
        depth = self._limits.depth(model)
        return replace(
            self.client.status(model),
            is_default=model == self.config.default_model,
            running=depth.running,
            queued=depth.waiting,
        )

    def _cache_key(
        self, request: CompletionRequest, policy: CachePolicy, trace: TraceContext | None
    ) -> str | None:
        # A call carrying sensitive values is not cached: its answer would be stored as is.
        if self.cache is None or policy is CachePolicy.BYPASS or (trace and trace.redact):
            return None
        if policy is CachePolicy.AUTO and not request.deterministic:
            return None
        return cache_key(request)

    def _lookup(self, call: _Call) -> Completion | None:
        if call.cache_key is None or self.cache is None:
            return None
        try:
            return self.cache.get(call.cache_key)
        except Exception:
            # An unreadable cache costs money, not correctness: ask the model instead.
            log.exception("response cache lookup failed; calling the model")
            return None

    def _store(self, call: _Call, completion: Completion) -> None:
        # An answer from a fallback is not what the requested model would have said.
        if call.cache_key is None or self.cache is None or call.model != call.request.model:
            return
        try:
            self.cache.put(call.cache_key, call.model, completion)
        except Exception:
            # The answer is good; failing to keep a copy must not fail the call.
            log.exception("could not store a response in the cache")

    def _call(self, call: _Call, once: Callable[[CompletionRequest], T]) -> T:
        """The model and then its fallbacks, each with its retries; `call.model` answered."""
        failure: ModelCallError | None = None
        for model in self.config.chain(call.request.model):
            call.model = model
            try:
                return self._retrying(call, call.request.for_model(model), once)
            except ModelCallError as exc:
                failure = exc
                log.warning("model %s failed (%s): %s", model, exc.title, exc.detail)
        assert failure is not None
        raise failure

    def _retrying(
        self, call: _Call, request: CompletionRequest, once: Callable[[CompletionRequest], T]
    ) -> T:
        for retry in itertools.count():
            call.attempts += 1
            try:
                return once(request)
            except ModelCallError as exc:
                if isinstance(exc, ModelCrashed) and call.crash_retries > 0:
                    call.crash_retries -= 1
                    log.warning("calling %s again after its process died", request.model)
                    continue
                if not exc.retryable or retry >= self.config.max_retries:
                    raise
                delay = self.backoff(retry, getattr(exc, "retry_after_s", None))
                log.info("retrying %s in %.2fs after: %s", request.model, delay, exc.detail)
                self._sleep(delay)
        raise AssertionError("unreachable")

    def backoff(self, retry: int, retry_after_s: float | None = None) -> float:
        """Exponential, with the upper half jittered so clients that failed together spread."""
        ceiling = min(self.config.backoff_max_s, self.config.backoff_base_s * 2.0**retry)
        delay = ceiling / 2 + self._jitter() * ceiling / 2
        if retry_after_s is not None:
            delay = max(delay, min(retry_after_s, self.config.backoff_max_s))
        return delay

    def _finish(
        self, call: _Call, completion: Completion, *, cache_hit: bool = False
    ) -> CallResult:
        record = CallRecord(
            id=new_id(),
            model=call.model,
            tokens_in=completion.tokens_in,
            tokens_out=completion.tokens_out,
            cost_usd=0.0 if cache_hit else self._cost(call.model, completion),
            latency_ms=call.elapsed_ms(),
            cache_hit=cache_hit,
            attempts=call.attempts,
            created_at=utcnow(),
            finish_reason=completion.finish_reason,
        )
        if self.calls is not None:
            self.calls.append(record, call.request, completion.text, call.trace)
        emit.call_span(call.request, record, call.trace)
        return CallResult(completion, record)

    def price_of(self, model: str) -> Price | None:
        """The model's price, or None when neither LLM_PRICES nor the client knows it."""
        return self.pricing.price_of(model)

    def unpriced(self, model: str) -> str | None:
        """The first model of `model`'s chain (it, then its fallbacks) without a price."""
        return next((m for m in self.config.chain(model) if self.price_of(m) is None), None)

    def _cost(self, model: str, completion: Completion) -> float | None:
        return self.pricing.cost(
            model, completion.tokens_in, completion.tokens_out, completion.cost_usd
        )

    def _fail(self, call: _Call, exc: BaseException) -> None:
        detail = exc.detail if isinstance(exc, ModelCallError) else repr(exc)
        record = CallRecord(
            id=new_id(),
            model=call.model,
            tokens_in=0,
            tokens_out=0,
            cost_usd=0.0,
            latency_ms=call.elapsed_ms(),
            cache_hit=False,
            attempts=call.attempts,
            created_at=utcnow(),
            error=f"{type(exc).__name__}: {detail}",
        )
        if self.calls is not None:
            self.calls.append(record, call.request, None, call.trace)
        emit.call_span(call.request, record, call.trace)

    def _replay(self, call: _Call, hit: Completion) -> Iterator[str | CallResult]:
        yield hit.text
        yield self._finish(call, hit, cache_hit=True)

    def _relay(self, call: _Call, opened: _OpenStream) -> Iterator[str | CallResult]:
        texts: list[str] = []
        final: Completion | None = None
        try:
            for part in opened.parts():
                if isinstance(part, Completion):
                    final = part
                else:
                    texts.append(part)
                    yield part
        except GeneratorExit:
            self._fail(call, StreamAbandoned("the reader stopped before the end"))
            raise
        except Exception as exc:
            self._fail(call, exc)
            raise
        finally:
            # Closing the client's generator now, not at garbage collection, is what lets
            # the local model's lock go as soon as a reader walks away.
            close = getattr(opened.rest, "close", None)
            if close is not None:
                close()
            opened.slot.release()
        text = "".join(texts)
        final = final or Completion(text, call.model, 0, 0, "stop")
        completion = replace(final, text=text)
        self._store(call, completion)
        yield self._finish(call, completion)


@dataclass
class _Call:
    """One gateway call in progress: what was asked, from where, who answered, how often."""

    request: CompletionRequest
    trace: TraceContext | None
    cache_key: str | None
    started: float = field(default_factory=time.perf_counter)
    model: str = ""
    attempts: int = 0
    crash_retries: int = 0

    def __post_init__(self) -> None:
        self.model = self.request.model

    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000


class StreamAbandoned(Exception):
    """The consumer stopped reading before the model finished (e.g. the client went away)."""


@dataclass
class _OpenStream:
    first: StreamPart
    rest: Iterator[StreamPart]
    slot: Slot

    def parts(self) -> Iterator[StreamPart]:
        yield self.first
        yield from self.rest


class CompletionStream:
    """Text deltas as they arrive; once they are exhausted, `result` holds the call's result.

    A stream that is dropped unread still gives its concurrency slot back: a generator that
    never started runs no `finally`, so the release is also tied to `close()` and to GC.
    """

    def __init__(
        self, parts: Iterator[str | CallResult], on_close: Callable[[], None] | None = None
    ) -> None:
        self._parts = parts
        self.result: CallResult | None = None
        self._finalizer = weakref.finalize(self, on_close) if on_close is not None else None

    def __iter__(self) -> Iterator[str]:
        for part in self._parts:
            if isinstance(part, CallResult):
                self.result = part
            else:
                yield part

    def close(self) -> None:
        close = getattr(self._parts, "close", None)
        if close is not None:
            close()
        if self._finalizer is not None:
            self._finalizer()

    def text(self) -> str:
        """Reads the whole stream (for callers that want streaming only for its latency)."""
        return "".join(self)
