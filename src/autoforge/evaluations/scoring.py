"""How a dataset's cases are scored by default, and how a run's request overrides that.

A dataset version carries a `Scoring` (assertions, pass threshold, generation settings),
like promptfoo's `defaultTest`. It is given when the version is created, or else inferred
here from the expected answers alone:

- a small set of labels -> case-insensitive `equals` on the output's first line, with
  `max_tokens` fitted to the longest label and generation stopped at a newline;
- JSON answers -> `json_match` on the JSON in the output;
- free text -> embedding similarity plus length bounds around the expected lengths.

Evaluations and optimizations resolve their scoring the same way (`resolve_scoring`): what
the request sets, over the dataset version's, over the fallback. Nothing here looks at a
dataset's name. Pure: no database, no web framework.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from autoforge.evaluations.assertions import AssertionSet

ScoringSource = Literal["given", "inferred"]
# Labels: at most this many distinct answers, each at most this long, on one line.
MAX_LABELS = 30
MAX_LABEL_CHARS = 40
# Rough characters per token of a sentencepiece/BPE tokenizer on short English words; the
# headroom covers a leading space and a model that starts with a stray token.
CHARS_PER_TOKEN = 3.0
TOKEN_HEADROOM = 4
FALLBACK_MAX_TOKENS = 256


class GenerationDefaults(BaseModel):
    """The generation settings a dataset suggests for every case's call."""

    model_config = ConfigDict(extra="forbid")

    max_tokens: int | None = Field(default=None, ge=1, le=32_768)
    stop: list[str] | None = Field(default=None, max_length=4)
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)

    def as_params(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class Scoring(BaseModel):
    """How the cases of a dataset version are scored unless a run says otherwise."""

    model_config = ConfigDict(extra="forbid")

    assertions: AssertionSet
    generation: GenerationDefaults = Field(default_factory=GenerationDefaults)
    source: ScoringSource = Field(
        default="given", description="`given` with the version, or `inferred` from its answers"
    )
    explanation: str = Field(default="", description="why these defaults, in plain words")


def fitted_tokens(longest_chars: int) -> int:
    return max(TOKEN_HEADROOM + 1, math.ceil(longest_chars / CHARS_PER_TOKEN) + TOKEN_HEADROOM)


def is_label_set(answers: Sequence[str]) -> bool:
    """Few distinct short one-line answers, most repeated: labels, not free answers."""
    if len(answers) < 2:
        return False
    counts = Counter(answers)
    if any("\n" in a or len(a) > MAX_LABEL_CHARS or not a.strip() for a in counts):
        return False
    repeated = sum(n for n in counts.values() if n > 1)
    return len(counts) <= MAX_LABELS and repeated >= len(answers) / 2


def _json_value(text: str) -> Any | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict | list) else None


def infer_scoring(expected: Sequence[str | None]) -> Scoring:
    """Defaults from the expected answers alone."""
    answers = [a.strip() for a in expected if a is not None and a.strip()]
    if not answers:
        return Scoring(
            assertions=AssertionSet.model_validate(
                {"assertions": [{"type": "length", "min_chars": 1}]}
            ),
            generation=GenerationDefaults(max_tokens=FALLBACK_MAX_TOKENS),
            source="inferred",
            explanation="no expected answers: a case passes when the output is not empty",
        )
    if is_label_set(answers):
        labels = sorted(set(answers))
        longest = max(len(label) for label in labels)
        shown = ", ".join(labels[:8]) + (", ..." if len(labels) > 8 else "")
        return Scoring(
            assertions=AssertionSet.model_validate(
                {
                    "assertions": [
                        {"type": "equals", "ignore_case": True, "strip": True, "first_line": True}
                    ]
                }
            ),
            generation=GenerationDefaults(
                max_tokens=fitted_tokens(longest), stop=["\n"], temperature=0.0
            ),
            source="inferred",
            explanation=(
                f"{len(labels)} labels ({shown}): the first line of the output must equal "
                f"the label, ignoring case; answers stop at a newline, at most "
                f"{fitted_tokens(longest)} tokens (the longest label has {longest} characters)"
            ),
        )
    if all(_json_value(a) is not None for a in answers):
        longest = max(len(a) for a in answers)
        one_line = all("\n" not in a for a in answers)
        return Scoring(
            assertions=AssertionSet.model_validate(
                {
                    "assertions": [
                        {"type": "is_json", "extract": True},
                        {"type": "json_match", "mode": "equals", "extract": True, "weight": 2},
                    ]
                }
            ),
            generation=GenerationDefaults(
                max_tokens=fitted_tokens(int(longest * 1.5)),
                stop=["\n"] if one_line else None,
                temperature=0.0,
            ),
            source="inferred",
            explanation=(
                "JSON answers: the output must hold JSON equal to the expected JSON (a share "
                "of matching keys scores part); "
                + ("answers stop at a newline; " if one_line else "")
                + f"at most {fitted_tokens(int(longest * 1.5))} tokens"
            ),
        )
    lengths = sorted(len(a) for a in answers)
    low, high = max(1, lengths[0] // 2), lengths[-1] * 2
    return Scoring(
        assertions=AssertionSet.model_validate(
            {
                "assertions": [
                    {"type": "similarity", "threshold": 0.7, "weight": 3},
                    {"type": "length", "min_chars": low, "max_chars": high},
                ],
                "pass_threshold": 0.75,
            }
        ),
        generation=GenerationDefaults(max_tokens=fitted_tokens(high), temperature=0.0),
        source="inferred",
        explanation=(
            f"free-text answers: the output must mean nearly the same as the expected one "
            f"(embedding similarity >= 0.7) and be {low}-{high} characters long; at most "
            f"{fitted_tokens(high)} tokens"
        ),
    )


class ResolvedScoring(BaseModel):
    """What a run scores with, frozen in its config, and where each part came from."""

    assertions: AssertionSet
    params: dict[str, Any]
    assertions_from: Literal["request", "dataset"]
    dataset_scoring: ScoringSource
    explanation: str


def resolve_scoring(
    dataset: Scoring, assertions: AssertionSet | None, params: Mapping[str, Any]
) -> ResolvedScoring:
    """A run's assertions and generation parameters: what the request sets wins (field by
    field for the parameters), then the dataset version's defaults."""
    merged = dataset.generation.as_params()
    merged.update({k: v for k, v in params.items() if v is not None})
    merged.setdefault("temperature", 0.0)
    return ResolvedScoring(
        assertions=assertions or dataset.assertions,
        params=merged,
        assertions_from="request" if assertions is not None else "dataset",
        dataset_scoring=dataset.source,
        explanation=dataset.explanation,
    )
