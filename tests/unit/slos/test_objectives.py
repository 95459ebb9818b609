"""The pure judgement of a window against an SLO's targets, and the state machine that
decides which checks emit an event."""

from __future__ import annotations

import subprocess
import sys

import pytest

from autoforge.slos.objectives import (
    Figures,
    Targets,
    Verdict,
    judge,
    next_state,
    p95,
    percentile_rank,
)


def test_a_window_within_every_target_is_ok() -> None:
    targets = Targets(min_score=0.8, max_p95_latency_ms=500, max_error_rate=0.1)
    figures = Figures(calls=10, errors=1, p95_latency_ms=400, evaluations=1, score=0.9)
    verdict = judge(targets, figures)
    assert verdict == Verdict("ok", ("score", "p95_latency_ms", "error_rate"), ())


def test_each_missed_target_is_named() -> None:
    targets = Targets(
        min_score=0.8, max_p95_latency_ms=500, max_error_rate=0.1, max_cost_per_call=0.01
    )
    figures = Figures(
        calls=4, errors=2, p95_latency_ms=900, total_cost=0.02, evaluations=2, score=0.5
    )
    verdict = judge(targets, figures)
    assert verdict.result == "violated"
    assert verdict.breached == ("score", "p95_latency_ms", "error_rate")
    assert "cost_per_call" in verdict.measured  # 0.005 per call: within its target


def test_a_target_met_exactly_is_met() -> None:
    targets = Targets(max_p95_latency_ms=500, min_score=0.8)
    figures = Figures(calls=1, p95_latency_ms=500, evaluations=1, score=0.8)
    assert judge(targets, figures).result == "ok"


def test_too_few_calls_leave_the_trace_objectives_unmeasured() -> None:
    targets = Targets(max_p95_latency_ms=100, min_calls=5)
    verdict = judge(targets, Figures(calls=4, p95_latency_ms=9000))
    assert verdict == Verdict("no_data", (), ())


def test_the_score_needs_a_finished_evaluation() -> None:
    targets = Targets(min_score=0.9, max_error_rate=0.5)
    verdict = judge(targets, Figures(calls=2, errors=0, evaluations=0, score=None))
    assert verdict.measured == ("error_rate",)
    assert verdict.result == "ok"


@pytest.mark.parametrize(
    ("current", "result", "expected"),
    [
        ("unknown", "violated", ("violated", "violated")),
        ("ok", "violated", ("violated", "violated")),
        ("violated", "violated", ("violated", None)),
        ("violated", "ok", ("ok", "recovered")),
        ("unknown", "ok", ("ok", None)),
        ("ok", "ok", ("ok", None)),
        ("violated", "no_data", ("violated", None)),
        ("unknown", "no_data", ("unknown", None)),
    ],
)
def test_only_entering_or_leaving_violated_emits(
    current: str, result: str, expected: tuple[str, str | None]
) -> None:
    verdict = Verdict(result, (), ())  # type: ignore[arg-type]
    assert next_state(current, verdict) == expected  # type: ignore[arg-type]


def test_p95_is_the_nearest_rank() -> None:
    assert p95([]) is None
    assert p95([7.0]) == 7.0
    assert p95([float(v) for v in range(1, 21)]) == 19.0
    assert p95([float(v) for v in range(100, 0, -1)]) == 95.0
    assert percentile_rank(0) == 0
    assert percentile_rank(1) == 1


def test_objectives_load_no_framework() -> None:
    probe = (
        "import sys, autoforge.slos.objectives\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'fastapi', 'starlette', 'alembic', 'litellm'}))"
    )
    done = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    assert done.stdout.strip() == "[]"
