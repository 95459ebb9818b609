"""The Prometheus metrics every capability reports to, defined in one place.

Capabilities call the small functions below (`cache_event`, `slo_state`...) and never
touch prometheus_client themselves, so label names and the bounded label values (no ids,
no raw paths) are decided here once.
"""

from __future__ import annotations

from typing import Literal

from prometheus_client import Counter, Gauge, Histogram

CacheOutcome = Literal["hit", "miss", "eviction", "error"]

CACHE_EVENTS = Counter(
    "autoforge_cache_events_total",
    "Cache lookups by outcome (hit, miss), evictions and backend errors, by cache",
    ["cache", "outcome"],
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
SLO_CHECK_SECONDS = Histogram(
    "autoforge_slo_check_seconds", "Time to check every prompt SLO once"
)


def cache_event(cache: str, outcome: CacheOutcome) -> None:
    """`cache` is the cache's fixed name (e.g. "prompt_detail"), never a key."""
    CACHE_EVENTS.labels(cache=cache, outcome=outcome).inc()
