"""The Prometheus metrics every capability reports to, defined in one place.

Capabilities call the small functions below (`cache_event`, `model_call`, `http_request`...)
and never touch prometheus_client themselves, so label names and the bounded label values
(no ids, no raw paths) are decided here once.

Several processes (`serve` processes, Celery workers) share one data dir: `use_directory`
switches this process to prometheus_client's multiprocess mode, where every process writes
its samples to files in one directory and `/metrics` sums them (`observability/router.py`).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Literal

from prometheus_client import REGISTRY, Counter, Gauge, Histogram, values
from prometheus_client.metrics import MetricWrapperBase

CacheOutcome = Literal["hit", "miss", "eviction", "error"]
OTHER = "other"
# Latency buckets: milliseconds to a minute (requests, queries); model calls run longer.
_FAST = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
_SLOW = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600)
_JOB = (0.1, 0.5, 1, 5, 10, 30, 60, 300, 600, 1800, 3600, 7200)

HTTP_DURATION = Histogram(
    "autoforge_http_request_duration_seconds",
    "HTTP request duration by route template (never a raw path), method and status",
    ["method", "route", "status"],
    buckets=_FAST,
)
DB_DURATION = Histogram(
    "autoforge_db_query_duration_seconds",
    "Database statement duration by operation (select, insert...) and table",
    ["operation", "table"],
    buckets=_FAST,
)
DB_QUERIES = Counter(
    "autoforge_db_queries_total", "Database statements by status (ok, error)", ["status"]
)
DB_SLOW_QUERIES = Counter(
    "autoforge_db_slow_queries_total",
    "Statements slower than SLOW_QUERY_MS, by operation and table",
    ["operation", "table"],
)
DB_POOL_OPEN = Gauge(
    "autoforge_db_pool_connections",
    "Database connections open in the pools of every process",
    multiprocess_mode="livesum",
)
DB_POOL_CHECKED_OUT = Gauge(
    "autoforge_db_pool_checked_out",
    "Database connections in use (checked out of the pool) in every process",
    multiprocess_mode="livesum",
)
DB_POOL_CAPACITY = Gauge(
    "autoforge_db_pool_capacity",
    "Connections the pools of every process may open (size plus overflow)",
    multiprocess_mode="livesum",
)
CACHE_EVENTS = Counter(
    "autoforge_cache_events_total",
    "Cache lookups by outcome (hit, miss), evictions and backend errors, by cache",
    ["cache", "outcome"],
)
LLM_CALLS = Counter(
    "autoforge_llm_calls_total",
    "Model calls by model, provider and status (ok, cache_hit, error)",
    ["model", "provider", "status"],
)
LLM_TOKENS = Counter(
    "autoforge_llm_tokens_total",
    "Tokens sent (direction=in) and received (out) by model and provider",
    ["model", "provider", "direction"],
)
LLM_COST = Counter(
    "autoforge_llm_cost_usd_total", "Model spend in US dollars", ["model", "provider"]
)
LLM_UNPRICED = Counter(
    "autoforge_llm_unpriced_calls_total",
    "Answered model calls without a known price (missing from the spend; set LLM_PRICES)",
    ["model", "provider"],
)
LLM_DURATION = Histogram(
    "autoforge_llm_call_duration_seconds",
    "Model call latency (retries and fallbacks included) by model and provider",
    ["model", "provider"],
    buckets=_SLOW,
)
LLM_ERRORS = Counter(
    "autoforge_llm_errors_total",
    "Failed model calls by model, provider and error type",
    ["model", "provider", "error_type"],
)
JOB_DURATION = Histogram(
    "autoforge_job_duration_seconds",
    "Background job run time by kind and outcome (completed, requeued, failed, released)",
    ["kind", "outcome"],
    buckets=_JOB,
)
SLO_STATE = Gauge(
    "autoforge_slo_violated",
    "1 while a prompt SLO objective is violated, else 0, by objective kind",
    ["objective"],
    multiprocess_mode="livemax",
)
SLO_EVALUATIONS = Counter(
    "autoforge_slo_checks_total",
    "Prompt SLO checks by result (ok, violated, no_data)",
    ["result"],
)
SLO_CHECK_SECONDS = Histogram("autoforge_slo_check_seconds", "Time to check every prompt SLO once")
# Computed when scraped, from the database (`observability/collector.py`): the same for
# every process, so they are not summed across processes.
SCRAPED = (
    "autoforge_jobs_queued",
    "autoforge_jobs_running",
    "autoforge_outbox_pending_events",
    "autoforge_outbox_lag_seconds",
    "autoforge_outbox_dead_letters",
)


class BoundedLabel:
    """Label values that come from callers (model names) stay few: the first `limit`
    distinct values are kept, any later one is reported as "other"."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, value: str) -> str:
        if value in self._seen:
            return value
        with self._lock:
            if len(self._seen) >= self._limit:
                return OTHER
            self._seen.add(value)
            return value


_models = BoundedLabel(100)
_tables = BoundedLabel(200)


def cache_event(cache: str, outcome: CacheOutcome) -> None:
    """`cache` is the cache's fixed name (e.g. "prompt_detail"), never a key."""
    CACHE_EVENTS.labels(cache=cache, outcome=outcome).inc()


def http_request(method: str, route: str, status: int, seconds: float) -> None:
    """`route` is the matched route's path template, or "unmatched"."""
    HTTP_DURATION.labels(method=method, route=route, status=str(status)).observe(seconds)


def db_statement(operation: str, table: str, seconds: float, *, failed: bool) -> None:
    DB_QUERIES.labels(status="error" if failed else "ok").inc()
    DB_DURATION.labels(operation=operation, table=_tables(table)).observe(seconds)


def slow_statement(operation: str, table: str) -> None:
    DB_SLOW_QUERIES.labels(operation=operation, table=_tables(table)).inc()


def model_call(
    model: str,
    provider: str | None,
    *,
    tokens_in: int,
    tokens_out: int,
    cost_usd: float | None,
    seconds: float,
    cache_hit: bool,
    error_type: str | None,
) -> None:
    """One finished gateway call (answered, from the cache, or failed)."""
    labels = {"model": _models(model), "provider": provider or "none"}
    status = "error" if error_type else "cache_hit" if cache_hit else "ok"
    LLM_CALLS.labels(**labels, status=status).inc()
    LLM_DURATION.labels(**labels).observe(seconds)
    if error_type:
        LLM_ERRORS.labels(**labels, error_type=error_type).inc()
        return
    LLM_TOKENS.labels(**labels, direction="in").inc(tokens_in)
    LLM_TOKENS.labels(**labels, direction="out").inc(tokens_out)
    if cost_usd is None:
        # Unpriced (no price known): counted apart, never as $0 in the spend.
        LLM_UNPRICED.labels(**labels).inc()
    elif cost_usd > 0:
        LLM_COST.labels(**labels).inc(cost_usd)


def job_finished(kind: str, outcome: str, seconds: float) -> None:
    JOB_DURATION.labels(kind=kind, outcome=outcome).observe(seconds)


def multiprocess_directory() -> Path | None:
    """The directory the processes share, when this process is in multiprocess mode."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(directory) if directory else None


def _ours() -> list[Any]:
    """Every metric defined so far under our prefix, wherever it was defined."""
    collectors = list(REGISTRY._collector_to_names.items())
    return [
        collector
        for collector, names in collectors
        if isinstance(collector, MetricWrapperBase)
        and any(n.startswith("autoforge_") for n in names)
    ]


def use_directory(directory: Path) -> None:
    """Switches this process to multiprocess mode, writing under `directory`.

    prometheus_client picks its storage when it is imported and when a sample is made;
    this module was imported (and may have counted a few statements) before the command
    knew its data dir, so the storage is picked again and those early samples are dropped.
    Emptying the directory is the caller's decision (`observability/process.py`).
    """
    directory.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
    for metric in _ours():
        if metric._labelnames:
            with metric._lock:
                metric._metrics.clear()
        else:
            metric._metric_init()
