"""Assertions on the output's wording: how it starts, which of several texts it holds, how
close it is to a reference by edit distance, how many words it has."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from autoforge.evaluations.assertions.base import (
    NO_REFERENCE,
    AssertionBase,
    CaseOutcome,
    Score,
    ScoringTools,
    preview,
    reference_of,
)
from autoforge.evaluations.assertions.text import check_bounds, within_bounds

Needles = list[str]


class StartsWithAssertion(AssertionBase):
    """The output starts with the reference (`value`, else the case's expected output)."""

    type: Literal["starts_with"] = "starts_with"
    value: str | None = None

    def score(self, case: CaseOutcome, tools: ScoringTools) -> Score:
        prefix = reference_of(self.value, case)
        if prefix is None:
            return NO_REFERENCE
        if case.output.startswith(prefix):
            return Score(1.0, True, f"output starts with {preview(prefix)}")
        return Score(0.0, False, f"output does not start with {preview(prefix)}")


def _found(case: CaseOutcome, values: Needles, ignore_case: bool) -> list[bool]:
    haystack = case.output.casefold() if ignore_case else case.output
    return [(v.casefold() if ignore_case else v) in haystack for v in values]


class ContainsAllAssertion(AssertionBase):
    """The output contains every one of `values`; the value is the share found."""

    type: Literal["contains_all"] = "contains_all"
    values: Needles = Field(min_length=1)
    ignore_case: bool = False

    def score(self, case: CaseOutcome, tools: ScoringTools) -> Score:
        found = _found(case, self.values, self.ignore_case)
        missing = [v for v, hit in zip(self.values, found, strict=True) if not hit]
        share = sum(found) / len(found)
        if not missing:
            return Score(1.0, True, f"output contains all {len(found)} texts")
        shown = ", ".join(preview(v, 30) for v in missing[:5])
        return Score(share, False, f"output lacks {len(missing)}/{len(found)}: {shown}")


class ContainsAnyAssertion(AssertionBase):
    """The output contains at least one of `values`."""

    type: Literal["contains_any"] = "contains_any"
    values: Needles = Field(min_length=1)
    ignore_case: bool = False

    def score(self, case: CaseOutcome, tools: ScoringTools) -> Score:
        found = _found(case, self.values, self.ignore_case)
        hit = next((v for v, ok in zip(self.values, found, strict=True) if ok), None)
        if hit is not None:
            return Score(1.0, True, f"output contains {preview(hit)}")
        return Score(0.0, False, f"output contains none of {len(self.values)} texts")


def edit_distance(a: str, b: str, *, limit: int | None = None) -> int:
    """Levenshtein distance (insertions, deletions, substitutions each cost 1). With `limit`,
    any distance above it may be reported as `limit + 1`: a long wrong answer stops early."""
    if len(a) < len(b):
        a, b = b, a
    if limit is not None and len(a) - len(b) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost))
        if limit is not None and min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


class LevenshteinAssertion(AssertionBase):
    """The output is at most `max_distance` edits away from the reference.

    Beyond the bound the value decays as (max + 1) / (distance + 1), so "closer" shows.
    """

    type: Literal["levenshtein"] = "levenshtein"
    value: str | None = None
    max_distance: int = Field(default=5, ge=0)

    def score(self, case: CaseOutcome, tools: ScoringTools) -> Score:
        reference = reference_of(self.value, case)
        if reference is None:
            return NO_REFERENCE
        distance = edit_distance(case.output, reference, limit=self.max_distance)
        if distance <= self.max_distance:
            return Score(1.0, True, f"edit distance {distance} <= {self.max_distance}")
        value = (self.max_distance + 1) / (distance + 1)
        return Score(value, False, f"edit distance above {self.max_distance}")


class WordCountAssertion(AssertionBase):
    """The output has between `min_words` and `max_words` words (runs of non-whitespace)."""

    type: Literal["word_count"] = "word_count"
    min_words: int | None = Field(default=None, ge=0)
    max_words: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _bounds(self) -> Self:
        check_bounds("word_count", "words", self.min_words, self.max_words)
        return self

    def score(self, case: CaseOutcome, tools: ScoringTools) -> Score:
        return within_bounds(len(case.output.split()), "words", self.min_words, self.max_words)
