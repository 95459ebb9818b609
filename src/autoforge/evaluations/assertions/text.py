"""Assertions on the output as plain text: equality, substrings, patterns, length bounds."""

from __future__ import annotations

import re
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from autoforge.evaluations.assertions.base import (
    NO_REFERENCE,
    AssertionBase,
    CaseOutcome,
    Score,
    ScoringTools,
    preview,
    reference_of,
)


class EqualsAssertion(AssertionBase):
    """The output equals the reference (`value`, else the case's expected output)."""

    type: Literal["equals"] = "equals"
    value: str | None = None
    ignore_case: bool = False
    strip: bool = Field(default=False, description="Ignore leading and trailing whitespace.")
    first_line: bool = Field(
        default=False,
        description="Compare only the output's first non-empty line: a model that answers "
        "and then goes on writing still gave the answer.",
    )

    def score(self, case: CaseOutcome, tools: ScoringTools) -> Score:
        reference = reference_of(self.value, case)
        if reference is None:
            return NO_REFERENCE
        got, want = case.output, reference
        if self.first_line:
            got = next((line for line in got.splitlines() if line.strip()), "")
        if self.strip:
            got, want = got.strip(), want.strip()
        if self.ignore_case:
            # casefold, not lower: "Straße" and "STRASSE" are the same word to a reader.
            got, want = got.casefold(), want.casefold()
        if got == want:
            return Score(1.0, True, f"output equals {preview(reference)}")
        return Score(0.0, False, f"expected {preview(reference)}, got {preview(case.output)}")


def _contains(case: CaseOutcome, value: str | None, *, ignore_case: bool) -> Score:
    needle = reference_of(value, case)
    if needle is None:
        return NO_REFERENCE
    haystack = case.output.casefold() if ignore_case else case.output
    found = (needle.casefold() if ignore_case else needle) in haystack
    if found:
        return Score(1.0, True, f"output contains {preview(needle)}")
    return Score(0.0, False, f"output does not contain {preview(needle)}")


class ContainsAssertion(AssertionBase):
    """The output contains the reference text, case-sensitively."""

    type: Literal["contains"] = "contains"
    value: str | None = None

    def score(self, case: CaseOutcome, tools: ScoringTools) -> Score:
        return _contains(case, self.value, ignore_case=False)


class IContainsAssertion(AssertionBase):
    """The output contains the reference text, ignoring case."""

    type: Literal["icontains"] = "icontains"
    value: str | None = None

    def score(self, case: CaseOutcome, tools: ScoringTools) -> Score:
        return _contains(case, self.value, ignore_case=True)


class RegexAssertion(AssertionBase):
    """The output matches a regular expression: anywhere, or as a whole with `full_match`."""

    type: Literal["regex"] = "regex"
    pattern: str
    ignore_case: bool = False
    full_match: bool = False

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        # A bad pattern is refused when the evaluation is defined, not once per case mid-run.
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from exc
        return pattern

    def score(self, case: CaseOutcome, tools: ScoringTools) -> Score:
        # re keeps its own cache of compiled patterns, so compiling per call costs a dict lookup.
        compiled = re.compile(self.pattern, re.IGNORECASE if self.ignore_case else 0)
        match = compiled.fullmatch(case.output) if self.full_match else compiled.search(case.output)
        if match is not None:
            how = "fully matches" if self.full_match else "matches"
            return Score(1.0, True, f"output {how} /{self.pattern}/")
        how = "does not fully match" if self.full_match else "has no match for"
        return Score(0.0, False, f"output {how} /{self.pattern}/")


class LengthAssertion(AssertionBase):
    """The output's length in characters lies within [min_chars, max_chars].

    Outside the bounds the value decays with the distance (min/len too short, max/len too
    long) so an optimizer can see "closer", while `passed` stays strict.
    """

    type: Literal["length"] = "length"
    min_chars: int | None = Field(default=None, ge=0)
    max_chars: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _bounds(self) -> Self:
        check_bounds("length", "chars", self.min_chars, self.max_chars)
        return self

    def score(self, case: CaseOutcome, tools: ScoringTools) -> Score:
        return within_bounds(len(case.output), "chars", self.min_chars, self.max_chars)


def check_bounds(kind: str, unit: str, low: int | None, high: int | None) -> None:
    """At least one bound, and not an empty range (a validator's check)."""
    if low is None and high is None:
        raise ValueError(f"{kind} needs min_{unit}, max_{unit} or both")
    if low is not None and high is not None and low > high:
        raise ValueError(f"min_{unit} must not exceed max_{unit}")


def within_bounds(n: int, unit: str, low: int | None, high: int | None) -> Score:
    """`n` against [low, high]. Outside, the value decays with the distance (low/n too
    short, high/n too long) so an optimizer can see "closer", while `passed` stays strict."""
    if low is not None and n < low:
        return Score(n / low, False, f"{n} {unit}, below min {low}")
    if high is not None and n > high:
        return Score(high / n, False, f"{n} {unit}, above max {high}")
    shown_high = "inf" if high is None else high
    return Score(1.0, True, f"{n} {unit}, within [{low or 0}, {shown_high}]")
