"""The LLM gateway's cost over llama.cpp, its cache-hit latency, and the local model's speed.

1. Overhead per call: the same prompt and token budget through `Gateway.complete` (cache
   off) and straight into the same warm `llama_cpp.Llama`, interleaved so machine noise hits
   both alike; the figure is the median of the paired differences. Generation takes ~100 ms
   and varies by more than the overhead on a shared machine, so the overhead is measured a
   second way too: with `create_completion` answering instantly from a canned result, what
   remains is exactly the time spent outside llama.cpp (the LiteLLM adapter, then the
   gateway's rules). Call records are written by a background thread, off the caller's
   path; what that costs per record is measured on its own.
2. Cache hit: a repeated temperature-0 call at the service layer (lookup, record queued).
3. Tokens per second of the local model, generating 128 tokens.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from autoforge.bootstrap import bootstrap
from autoforge.config import Settings
from autoforge.db import migrations
from autoforge.db.base import new_id
from autoforge.llm.gateway import Gateway
from autoforge.llm.litellm_client import LiteLLMClient
from autoforge.llm.local_model import GATEWAY_NAME, default_threads
from autoforge.llm.types import CachePolicy, CompletionRequest

PROMPT = "The history of the printing press begins"
MAX_TOKENS = 8
PAIRS = 40
HITS = 2000
STUBBED = 2000
SPEED_TOKENS = 128


def _ms(seconds: float) -> float:
    return seconds * 1000


def _timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _paired(baseline: Callable[[], Any], contender: Callable[[], Any]) -> tuple[float, float]:
    """Median baseline time and median of (contender - baseline), both in ms."""
    base, deltas = [], []
    for _ in range(PAIRS):
        b = _timed(baseline)
        c = _timed(contender)
        base.append(b)
        deltas.append(c - b)
    return _ms(statistics.median(base)), _ms(statistics.median(deltas))


@contextmanager
def _instant(llama: Any) -> Iterator[None]:
    """llama.cpp answers at once with a real result it produced earlier for this prompt."""
    llama.reset()
    canned = llama.create_completion(PROMPT, max_tokens=MAX_TOKENS, temperature=0)
    real = llama.create_completion
    llama.create_completion = lambda *_args, **_kwargs: canned
    try:
        yield
    finally:
        llama.create_completion = real


def _stubbed(settle: Callable[[], Any], *calls: Callable[[], Any]) -> list[float]:
    """Median ms of each call, interleaved so a noisy moment hits every contender alike.

    `settle` runs untimed after each round: the background writer writes its records there
    instead of competing for the GIL with the next timed call, which it does only in this
    back-to-back loop (a real call leaves it 100 ms of generation to work in).
    """
    times: list[list[float]] = [[] for _ in calls]
    for _ in range(STUBBED):
        for index, call in enumerate(calls):
            times[index].append(_timed(call))
        settle()
    return [_ms(statistics.median(column)) for column in times]


def _writer_cost(gateway: Gateway, request: CompletionRequest) -> float:
    """Background ms per call record: queue many at once, time until all are written."""
    calls = gateway.calls
    assert calls is not None
    result = gateway.complete(request, cache=CachePolicy.BYPASS)
    gateway.flush()
    started = time.perf_counter()
    for _ in range(STUBBED):
        calls.append(replace(result.record, id=new_id()), request, result.text, None)
    calls.flush()
    return _ms((time.perf_counter() - started) / STUBBED)


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="bench-llm-"))
    container = bootstrap(Settings(autoforge_data_dir=data_dir, _env_file=None))  # type: ignore[call-arg]
    migrations.upgrade(container.database.engine)
    gateway = container.gateway
    assert isinstance(gateway.client, LiteLLMClient)
    assert gateway.client.local is not None
    client = gateway.client
    request = CompletionRequest(
        GATEWAY_NAME, prompt=PROMPT, params={"temperature": 0, "max_tokens": MAX_TOKENS}
    )
    warm = gateway.complete(request, cache=CachePolicy.BYPASS)  # imports LiteLLM, loads weights
    assert warm.record.tokens_out == MAX_TOKENS, "the comparison needs full-length answers"
    llama = client.local.llama()

    def direct() -> None:
        llama.reset()  # the gateway starts every call from an empty KV cache too
        llama.create_completion(PROMPT, max_tokens=MAX_TOKENS, temperature=0)

    def adapter() -> None:
        client.complete(request, timeout_s=60)

    def through_gateway() -> None:
        gateway.complete(request, cache=CachePolicy.BYPASS)

    base_ms, paired_ms = _paired(direct, through_gateway)
    with _instant(llama):
        stub_direct, stub_adapter, stub_gateway = _stubbed(
            gateway.flush, direct, adapter, through_gateway
        )
        writer_ms = _writer_cost(gateway, request)

    gateway.complete(request)  # stores the answer
    hits = sorted(_timed(lambda: gateway.complete(request)) for _ in range(HITS))
    gateway.flush()

    speeds = []
    for _ in range(3):
        llama.reset()
        started = time.perf_counter()
        out = llama.create_completion(PROMPT, max_tokens=SPEED_TOKENS, temperature=0)
        speeds.append(out["usage"]["completion_tokens"] / (time.perf_counter() - started))
    container.close()

    rows = [
        (f"llama_cpp direct, {MAX_TOKENS} tokens (median)", base_ms),
        ("gateway overhead, paired with real generation", paired_ms),
        (f"with generation stubbed out ({STUBBED} calls):", None),
        ("  llama_cpp call itself", stub_direct),
        ("  + LiteLLM adapter and local handler", stub_adapter - stub_direct),
        ("  + gateway rules (limits, cache policy, queue)", stub_gateway - stub_adapter),
        ("  = gateway overhead on the caller's path", stub_gateway - stub_direct),
        ("  call record, written in the background (mean)", writer_ms),
        (f"cache hit at the service layer ({HITS} calls)", _ms(hits[len(hits) // 2])),
        ("  p99", _ms(hits[int(len(hits) * 0.99)])),
    ]
    print(f"LLM gateway, local model {GATEWAY_NAME} ({default_threads()} llama.cpp threads)")
    for label, value in rows:
        print(f"  {label:<50}" + ("" if value is None else f"{value:9.3f} ms"))
    speed = statistics.median(speeds)
    print(f"  {'local model speed, ' + str(SPEED_TOKENS) + ' tokens':<50}{speed:9.1f} tokens/s")


if __name__ == "__main__":
    main()
