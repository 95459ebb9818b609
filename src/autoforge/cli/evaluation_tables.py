"""How `autoforge eval` prints evaluations, results and comparisons for a person to read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Column, Table

from autoforge.cli.common import console, when

if TYPE_CHECKING:
    from autoforge.evaluations.schemas import (
        ComparisonReport,
        Evaluation,
        Interval,
        TestResult,
    )

_STATUS_STYLE = {"completed": "green", "failed": "red", "running": "yellow", "pending": "dim"}


def fraction(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def millis(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} ms"


def clip(text: str | None, limit: int = 48) -> str:
    if text is None:
        return "-"
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def status_text(status: str) -> str:
    return f"[{_STATUS_STYLE.get(status, 'white')}]{status}[/]"


def print_evaluation(evaluation: Evaluation) -> None:
    progress = evaluation.progress
    console.print(
        f"[bold]{evaluation.id}[/] · {escape(evaluation.model)} · "
        f"{status_text(evaluation.status)} · {progress.done}/{progress.total} cases",
        soft_wrap=True,
    )
    if evaluation.error:
        console.print(f"[red]error:[/] {escape(evaluation.error)}", soft_wrap=True)
    rows = {
        "prompt": f"{evaluation.prompt_id} v{evaluation.prompt_version}",
        "dataset": str(evaluation.config.get("dataset_name", evaluation.dataset_version_id)),
        "score": fraction(progress.running_score),
        "accuracy": f"{fraction(evaluation.accuracy_score)} ({progress.passed} passed)",
        "halluc.": fraction(evaluation.hallucination_rate),
        "style": fraction(evaluation.style_consistency),
        "latency": f"p50 {millis(evaluation.latency_p50_ms)}, "
        f"p95 {millis(evaluation.latency_p95_ms)}",
        "cost": f"${evaluation.total_cost_usd:.6f} · {evaluation.total_tokens} tokens"
        + (
            f" · {evaluation.unpriced_calls} unpriced calls not included"
            if evaluation.unpriced_calls
            else ""
        ),
        "cache": f"{evaluation.cache_hits} model calls saved",
        "created": when(evaluation.created_at),
    }
    for key, value in rows.items():
        console.print(f"[dim]{key:<9}[/]{escape(value)}", soft_wrap=True)


def print_evaluations(evaluations: Sequence[Evaluation]) -> None:
    table = Table(
        Column("id", no_wrap=True),
        "model",
        Column("status", no_wrap=True),
        Column("done", justify="right", no_wrap=True),
        Column("score", justify="right", no_wrap=True),
        Column("saved", justify="right"),
        Column("created", no_wrap=True),
        box=None,
    )
    for e in evaluations:
        table.add_row(
            e.id,
            escape(e.model),
            status_text(e.status),
            f"{e.progress.done}/{e.progress.total}",
            fraction(e.progress.running_score),
            str(e.cache_hits),
            when(e.created_at),
        )
    console.print(table)


def print_results(results: Sequence[TestResult], title: str | None = None) -> None:
    if title:
        console.print(f"[bold]{escape(title)}[/]")
    table = Table(
        Column("case", no_wrap=True),
        Column("score", justify="right"),
        "passed",
        "unsupported",
        "expected",
        "output",
        "reason",
        box=None,
    )
    for r in results:
        table.add_row(
            escape(r.test_case_name),
            f"{r.score:.2f}",
            "[green]yes[/]" if r.passed else "[red]no[/]",
            _flag(r.unsupported),
            escape(clip(r.expected, 24)),
            escape(clip(r.output, 32)),
            escape(clip(r.error or _verdicts(r.reason), 60)),
        )
    console.print(table)


def _flag(unsupported: bool | None) -> str:
    """A flagged case stands out; "-" is a case recorded before flags were stored."""
    if unsupported is None:
        return "-"
    return "[yellow]yes[/]" if unsupported else "no"


def _verdicts(reason: str | None) -> str | None:
    """The per-assertion part of a case's reason; its head ("1/2 assertions passed ...")
    only repeats the score and the passed column."""
    return None if reason is None else reason.split("; ", 1)[-1]


def _interval(interval: Interval) -> str:
    mark = " [bold]*[/]" if interval.significant else ""
    return f"{interval.delta:+.3f} [{interval.ci_low:+.3f}, {interval.ci_high:+.3f}]{mark}"


def _optional(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:+.{digits}f}"


def print_comparison(report: ComparisonReport, limit: int) -> None:
    base = report.evaluations[0]
    console.print(
        f"baseline [bold]{base.id}[/] ({escape(base.model)}, prompt v{base.prompt_version}); "
        f"{report.cases_compared} cases in common. [bold]*[/] = 95 % CI excludes 0",
        soft_wrap=True,
    )
    table = Table(
        Column("evaluation", no_wrap=True),
        "model",
        Column("score Δ [95% CI]", no_wrap=True),
        Column("accuracy Δ [95% CI]", no_wrap=True),
        Column("halluc. Δ", no_wrap=True),
        box=None,
    )
    others = {e.id: e for e in report.evaluations[1:]}
    for delta in report.deltas:
        other = others[delta.evaluation_id]
        table.add_row(
            delta.evaluation_id[:8],  # the full ids are in --json; a table needs the room
            f"{escape(other.model)} v{other.prompt_version}",
            _interval(delta.score),
            _interval(delta.accuracy),
            _optional(delta.hallucination_rate),
        )
    console.print(table)
    _print_case_differences(report, limit)


def _print_case_differences(report: ComparisonReport, limit: int) -> None:
    differing = [c for c in report.cases if len(set(c.scores)) > 1 or len(set(c.passed)) > 1]
    if not differing:
        console.print("every shared case scored the same")
        return
    console.print(f"{len(differing)} case(s) differ; the first {min(limit, len(differing))}:")
    columns = ["case", "expected", *[f"#{k + 1}" for k in range(len(report.evaluations))]]
    table = Table(*columns, box=None)
    for case in differing[:limit]:
        cells = [
            f"{'[green]' if ok else '[red]'}{score:.2f}[/] {escape(clip(output, 20))}"
            for score, ok, output in zip(case.scores, case.passed, case.outputs, strict=True)
        ]
        table.add_row(escape(case.test_case_name), escape(clip(case.expected, 20)), *cells)
    console.print(table)
