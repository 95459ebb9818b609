"""Aggregate metrics of an evaluation's scored cases, and the paired comparison of two runs.

Pure functions over plain values: nothing here touches a database, a web framework or a model.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from autoforge.evaluations.assertions import CaseOutcome, Score
from autoforge.style.genome import profile

HALLUCINATION_THRESHOLD = 0.5

# Function words carry no claim: an answer may use them freely without being "unsupported".
_FUNCTION_WORDS = """
a an the and or but if then than so of to in on at by for with from into over under about as
is are was were be been being am do does did done have has had having it its this that these
those there here he she they them his her their we us our you your i me my not no yes very
just also too can could will would should may might must shall what which who whom whose
when where why how all any some each every more most other
"""
_STOPWORDS = frozenset(_FUNCTION_WORDS.split())
_WORD = re.compile(r"\w+")
# A dataset is a classification dataset when every expected output is a label of at most
# this many words and the labels are few (see `label_vocabulary`).
LABEL_MAX_WORDS = 3
MAX_LABELS = 20
# Bootstrap resamples are drawn in blocks of at most this many indices to bound memory.
_BOOTSTRAP_BLOCK = 1_000_000


@dataclass(frozen=True, slots=True)
class ScoredCase:
    """One test case's outcome and the score its assertion set gave it."""

    outcome: CaseOutcome
    score: Score


@dataclass(frozen=True, slots=True)
class LatencyPercentiles:
    p50: float
    p95: float
    p99: float


@dataclass(frozen=True, slots=True)
class EvaluationSummary:
    """The aggregates stored on an evaluation (see each function for its definition)."""

    cases: int
    overall_score: float
    accuracy: float
    hallucination_rate: float
    style_consistency: float
    total_cost_usd: float  # over priced calls
    unpriced_calls: int  # calls whose cost nobody knows: missing from total_cost_usd
    latency_ms: LatencyPercentiles


@dataclass(frozen=True, slots=True)
class Comparison:
    """Candidate minus baseline mean score, its confidence interval, and whether 0 lies outside."""

    delta: float
    ci_low: float
    ci_high: float
    significant: bool


def _require_cases(values: Sequence[Any], what: str) -> None:
    if not values:
        raise ValueError(f"{what} of no cases is undefined")


def pass_rate(passed: Sequence[bool]) -> float:
    """Accuracy: the share of cases that passed."""
    _require_cases(passed, "a pass rate")
    return sum(passed) / len(passed)


def mean_score(values: Sequence[float]) -> float:
    """Overall score: the plain mean of the case scores."""
    _require_cases(values, "a mean score")
    return math.fsum(values) / len(values)


def latency_percentiles(latencies_ms: Sequence[float]) -> LatencyPercentiles:
    """p50/p95/p99 of the case latencies, linearly interpolated between ranks."""
    _require_cases(latencies_ms, "latency percentiles")
    p50, p95, p99 = np.percentile(np.asarray(latencies_ms, dtype=float), [50, 95, 99])
    return LatencyPercentiles(float(p50), float(p95), float(p99))


def total_cost(costs_usd: Iterable[float | None]) -> float:
    """The sum of the known costs; an unpriced call (None) is not $0 but left out, and
    `unpriced_calls` says how many were."""
    return math.fsum(cost for cost in costs_usd if cost is not None)


def unpriced_calls(costs_usd: Iterable[float | None]) -> int:
    return sum(1 for cost in costs_usd if cost is None)


def style_consistency(outputs: Sequence[str]) -> float:
    """How alike the outputs are in style, in 0..1: the consistency of their style genome
    (`autoforge.style.genome.profile`), so the evaluation's figure and the genome's are one
    definition. Fewer than two outputs are trivially consistent (1.0)."""
    _require_cases(outputs, "style consistency")
    return profile(outputs).consistency


def content_tokens(text: str) -> set[str]:
    """Lower-cased word tokens minus English function words; numbers count as content."""
    return {token for token in _WORD.findall(text.lower()) if token not in _STOPWORDS}


def _strings_in(value: Any) -> Iterable[str]:
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings_in(item)
    elif value is not None:
        yield str(value)


def _label(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def label_vocabulary(expected: Sequence[str | None]) -> frozenset[str] | None:
    """The labels of a classification dataset, or None when the dataset is not one.

    A dataset is a classification dataset when every case has an expected output, each
    expected output is a label of 1 to `LABEL_MAX_WORDS` words, and there are few distinct
    labels: at most `MAX_LABELS` and at most half the cases (or 2), so labels repeat.
    Labels compare lower-cased, as their words only (`Positive.` is `positive`)."""
    if not expected or any(value is None for value in expected):
        return None
    labels = {_label(value or "") for value in expected}
    if any(not 1 <= len(label.split()) <= LABEL_MAX_WORDS for label in labels):
        return None
    if len(labels) > min(MAX_LABELS, max(2, len(expected) // 2)):
        return None
    return frozenset(labels)


def is_short_answer(output: str, labels: frozenset[str]) -> bool:
    """Whether an output is label-sized: no more content tokens than the longest label has,
    plus one (`Sentiment: negative`, ` 5/5`, `neutral`). Such an answer makes no claim: it is
    right or wrong, which accuracy counts."""
    longest = max(len(content_tokens(label)) for label in labels)
    return len(content_tokens(output)) <= longest + 1


def unsupported_share(outcome: CaseOutcome, labels: frozenset[str] | None = None) -> float:
    """Share of the output's distinct content tokens found in none of the inputs, the
    expected output and (for a classification dataset) its labels."""
    said = content_tokens(outcome.output)
    if not said:
        return 0.0
    sources = [*_strings_in(outcome.inputs), outcome.expected or "", *(labels or ())]
    supported = set().union(*(content_tokens(source) for source in sources))
    return len(said - supported) / len(said)


def is_hallucination(
    case: ScoredCase,
    *,
    threshold: float = HALLUCINATION_THRESHOLD,
    labels: frozenset[str] | None = None,
) -> bool:
    """Whether one case's output is flagged as unsupported (see `hallucination_rate`)."""
    if case.score.unsupported is not None:
        return case.score.unsupported
    if labels is not None and is_short_answer(case.outcome.output, labels):
        return False
    return unsupported_share(case.outcome, labels) > threshold


def hallucination_rate(
    cases: Sequence[ScoredCase],
    *,
    threshold: float = HALLUCINATION_THRESHOLD,
    labels: frozenset[str] | None = None,
) -> float:
    """Share of cases whose output makes claims their sources do not support, in 0..1.

    A hallucination is content the model made up, not a wrong answer. A case is flagged by
    the judge when an assertion (the LLM judge) said whether the output is supported
    (`Score.unsupported` not None). Otherwise the reference check applies: the output's
    distinct content tokens (lower-cased words and numbers, English function words
    removed) are compared with those of the case's input variables, its expected output
    and, on a classification dataset (`label_vocabulary`), every label; the case is
    flagged when the share of output tokens found in none is strictly above `threshold`
    (default 0.5). An output with no content tokens is never flagged, and on a
    classification dataset neither is a label-sized answer (`is_short_answer`): a wrong or
    malformed label (`negative` for `positive`, ` 5/5`) is an error that accuracy counts.
    """
    _require_cases(cases, "a hallucination rate")
    flagged = sum(is_hallucination(case, threshold=threshold, labels=labels) for case in cases)
    return flagged / len(cases)


def summarize(cases: Sequence[ScoredCase]) -> EvaluationSummary:
    """Every aggregate of an evaluation at once."""
    _require_cases(cases, "a summary")
    return EvaluationSummary(
        cases=len(cases),
        overall_score=mean_score([case.score.value for case in cases]),
        accuracy=pass_rate([case.score.passed for case in cases]),
        hallucination_rate=hallucination_rate(
            cases, labels=label_vocabulary([case.outcome.expected for case in cases])
        ),
        style_consistency=style_consistency([case.outcome.output for case in cases]),
        total_cost_usd=total_cost(case.outcome.cost_usd for case in cases),
        unpriced_calls=unpriced_calls(case.outcome.cost_usd for case in cases),
        latency_ms=latency_percentiles([case.outcome.latency_ms for case in cases]),
    )


def paired_bootstrap(
    baseline: Sequence[float],
    candidate: Sequence[float],
    *,
    resamples: int = 10_000,
    confidence: float = 0.95,
    seed: int | None = 0,
) -> Comparison:
    """Paired bootstrap CI for mean(candidate) - mean(baseline) over the same cases.

    `baseline[i]` and `candidate[i]` must score the same case. Cases are resampled with
    replacement `resamples` times; the interval is the percentile interval of the resampled
    mean differences at `confidence`. Significant when the interval excludes 0. The same
    seed gives the same interval.
    """
    a = np.asarray(baseline, dtype=float)
    b = np.asarray(candidate, dtype=float)
    if a.ndim != 1 or a.shape != b.shape or a.size == 0:
        raise ValueError("paired bootstrap needs two equally long, non-empty score lists")
    if resamples < 1 or not 0.0 < confidence < 1.0:
        raise ValueError("resamples must be >= 1 and confidence in (0, 1)")
    diffs = b - a
    rng = np.random.default_rng(seed)
    means = np.empty(resamples)
    block = max(1, _BOOTSTRAP_BLOCK // diffs.size)
    for start in range(0, resamples, block):
        count = min(block, resamples - start)
        means[start : start + count] = diffs[rng.integers(0, diffs.size, (count, diffs.size))].mean(
            axis=1
        )
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return Comparison(
        delta=float(diffs.mean()),
        ci_low=float(low),
        ci_high=float(high),
        significant=bool(low > 0.0 or high < 0.0),
    )
