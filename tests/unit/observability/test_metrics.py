"""Label values stay bounded; model calls are counted once each, in one place."""

from __future__ import annotations

from prometheus_client import REGISTRY
from starlette.routing import Mount

from autoforge.observability import metrics
from autoforge.observability.http import UNMATCHED, route_template


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_caller_given_label_values_are_capped() -> None:
    bounded = metrics.BoundedLabel(2)
    assert [bounded(v) for v in ("a", "b", "c", "a", "d")] == ["a", "b", "other", "a", "other"]


def test_the_route_label_is_the_template_never_the_path() -> None:
    class Route:
        path = "/api/v1/prompts/{prompt_id}"

    assert route_template({"route": Route(), "path": "/api/v1/prompts/123"}) == Route.path
    assert route_template({"path": "/no/such/thing"}) == UNMATCHED
    assert route_template({"route": Mount("/ui", app=lambda *_: None)}) == "/ui/{path:path}"


def test_a_model_call_counts_tokens_cost_latency_and_errors() -> None:
    labels = {"model": "unit/model-x", "provider": "unit"}
    calls = _value("autoforge_llm_calls_total", **labels, status="ok")
    tokens = _value("autoforge_llm_tokens_total", **labels, direction="out")
    cost = _value("autoforge_llm_cost_usd_total", **labels)
    errors = _value("autoforge_llm_errors_total", **labels, error_type="ModelTimeout")

    metrics.model_call(
        "unit/model-x", "unit", tokens_in=10, tokens_out=7, cost_usd=0.25, seconds=0.5,
        cache_hit=False, error_type=None,
    )  # fmt: skip
    metrics.model_call(
        "unit/model-x", "unit", tokens_in=0, tokens_out=0, cost_usd=0.0, seconds=1.0,
        cache_hit=False, error_type="ModelTimeout",
    )  # fmt: skip

    assert _value("autoforge_llm_calls_total", **labels, status="ok") == calls + 1
    assert _value("autoforge_llm_tokens_total", **labels, direction="out") == tokens + 7
    assert _value("autoforge_llm_cost_usd_total", **labels) == cost + 0.25
    assert _value("autoforge_llm_errors_total", **labels, error_type="ModelTimeout") == errors + 1


def test_cache_events_are_counted_by_cache_and_outcome() -> None:
    before = _value("autoforge_cache_events_total", cache="unit_cache", outcome="hit")
    metrics.cache_event("unit_cache", "hit")
    assert _value("autoforge_cache_events_total", cache="unit_cache", outcome="hit") == before + 1
