"""What a promptfoo suite becomes here: prompts, dataset items and one scoring.

Our scoring is one assertion set for every case of a dataset version, while promptfoo's
tests each carry their own. In order of preference:

1. every test ends up with the same assertions -> they are the scoring;
2. they differ only in one assertion's value (each test checks its own answer) -> that
   value becomes the item's `expected`, and the assertion compares with it;
3. otherwise -> a `per_case` assertion holds each test's own set, selected by the item's
   `__test` input.

Pure: no database, no web framework.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from autoforge.evaluations.assertions import MODEL_SCORED
from autoforge.promptfoo.assertions import Finding, Spec, to_spec
from autoforge.promptfoo.config import PromptText, Suite, TestCase

CASE_VARIABLE = "__test"
# Assertions whose `value`, when left out, is the case's expected answer.
_TAKES_EXPECTED = {"equals", "contains", "icontains", "starts_with", "levenshtein", "similarity"}
ALWAYS = {"type": "length", "min_chars": 0}  # promptfoo passes a test without assertions
_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}|\{%")
_SIMPLE = re.compile(r"^\s*[A-Za-z_][A-Za-z0-9_]*\s*$")


@dataclass(frozen=True, slots=True)
class Item:
    name: str | None
    input: dict[str, Any]
    expected: str | None
    metadata: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ImportPlan:
    prompts: list[PromptText]
    items: list[Item]
    assertions: dict[str, Any]  # an AssertionSet
    explanation: str
    findings: list[Finding]


def plan_import(suite: Suite) -> ImportPlan:
    findings = list(suite.findings)
    for prompt in suite.prompts:
        findings.extend(_template_findings(prompt))
    tests = suite.tests or [TestCase(location="tests", vars={}, asserts=[])]
    sets: list[tuple[list[Spec], float]] = []
    for test in tests:
        specs: list[Spec] = []
        for where, raw in [*suite.default_asserts, *test.asserts]:
            spec, found = to_spec(raw, where, test.vars)
            findings.extend(found)
            if spec is not None:
                specs.append(spec)
        threshold = next(
            (t for t in (test.threshold, suite.default_threshold) if t is not None), 1.0
        )
        sets.append((specs, threshold))
    names = [test.description[:255] if test.description else None for test in tests]
    given = [n for n in names if n is not None]
    if len(set(given)) != len(given):  # item names are unique: only distinct descriptions
        names = [None] * len(tests)
    items = [
        Item(name, dict(test.vars), None, _metadata(test))
        for name, test in zip(names, tests, strict=True)
    ]
    assertions, explanation, expected = _scoring(sets, findings, tests)
    if expected is not None:
        items = [Item(i.name, i.input, e, i.metadata) for i, e in zip(items, expected, strict=True)]
    if assertions["assertions"][-1]["type"] == "per_case":
        items = [
            Item(i.name, {**i.input, CASE_VARIABLE: str(n)}, i.expected, i.metadata)
            for n, i in enumerate(items)
        ]
    return ImportPlan(suite.prompts, items, assertions, explanation, findings)


def _template_findings(prompt: PromptText) -> list[Finding]:
    odd = [
        m.group(0)
        for m in _PLACEHOLDER.finditer(prompt.text)
        if m.group(1) is None or not _SIMPLE.match(m.group(1))
    ]
    if not odd:
        return []
    return [
        Finding(
            prompt.location,
            f"Nunjucks beyond {{{{var}}}} is not supported: {', '.join(sorted(set(odd))[:3])}",
        )
    ]


def _metadata(test: TestCase) -> dict[str, Any]:
    return {**test.metadata, "promptfoo": test.location}


def _scoring(
    sets: list[tuple[list[Spec], float]], findings: list[Finding], tests: list[TestCase]
) -> tuple[dict[str, Any], str, list[str] | None]:
    first_specs, first_threshold = sets[0]
    if all(s == sets[0] for s in sets):
        return (
            {"assertions": first_specs or [ALWAYS], "pass_threshold": first_threshold},
            "every test has the same assertions",
            None,
        )
    slot = _single_varying_value(sets)
    if slot is not None:
        specs = [dict(s) for s in first_specs]
        specs[slot] = {k: v for k, v in specs[slot].items() if k != "value"}
        expected = [str(s[0][slot]["value"]) for s in sets]
        return (
            {"assertions": specs, "pass_threshold": first_threshold},
            f"the tests differ only in the value of {specs[slot]['type']}: "
            "it is each item's expected answer",
            expected,
        )
    shared = _shared_prefix(sets)
    for test, (specs, _) in zip(tests, sets, strict=True):
        if any(s["type"] in MODEL_SCORED for s in specs[len(shared) :]):
            findings.append(
                Finding(
                    test.location,
                    "model-graded assertions that differ per test: the evaluation refuses to "
                    "start until evaluations/tools.py looks into per_case assertions",
                )
            )
    cases = {
        str(n): {"assertions": specs[len(shared) :] or [ALWAYS], "pass_threshold": threshold}
        for n, (specs, threshold) in enumerate(sets)
    }
    per_case = {"type": "per_case", "variable": CASE_VARIABLE, "cases": cases}
    return (
        {"assertions": [*shared, per_case]},
        f"the tests carry different assertions: each item's {CASE_VARIABLE} input selects its "
        "own" + (f"; the {len(shared)} every test shares apply to all" if shared else ""),
        None,
    )


def _shared_prefix(sets: list[tuple[list[Spec], float]]) -> list[Spec]:
    """The leading assertions every test has (defaultTest's): they can apply to all cases
    when every test needs all its assertions to pass (no test threshold)."""
    if any(threshold != 1.0 for _, threshold in sets):
        return []
    shared: list[Spec] = []
    for index, spec in enumerate(sets[0][0]):
        if not all(len(specs) > index and specs[index] == spec for specs, _ in sets):
            break
        shared.append(spec)
    return shared


def _single_varying_value(sets: list[tuple[list[Spec], float]]) -> int | None:
    """The one assertion slot whose text value alone differs between tests, if that is all."""
    first_specs, first_threshold = sets[0]
    if any(len(specs) != len(first_specs) or t != first_threshold for specs, t in sets):
        return None
    varying: set[int] = set()
    for specs, _ in sets:
        for index, (a, b) in enumerate(zip(first_specs, specs, strict=True)):
            if a == b:
                continue
            same_shape = {k: v for k, v in a.items() if k != "value"} == {
                k: v for k, v in b.items() if k != "value"
            }
            if (
                not same_shape
                or a["type"] not in _TAKES_EXPECTED
                or not isinstance(b.get("value"), str)
            ):
                return None
            varying.add(index)
    return varying.pop() if len(varying) == 1 else None
