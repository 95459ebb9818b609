"""Dataset items as optimization cases, and a reproducible stratified train/val/test split."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from autoforge.datasets.sealing import redact
from autoforge.errors import ValidationFailed


@dataclass(frozen=True, slots=True)
class Case:
    """One dataset item: the template variables, the expected output, its metadata, and the
    variables that hold a sensitive value (given to the target model, never shown in a
    candidate or to the optimizer model: both end up stored)."""

    name: str
    inputs: Mapping[str, Any]
    expected: str
    metadata: Mapping[str, Any] = field(default_factory=dict)
    sensitive: frozenset[str] = frozenset()

    @property
    def shown_inputs(self) -> dict[str, Any]:
        """The inputs as the search may show them: sensitive values redacted."""
        return redact(self.inputs, self.sensitive)

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> Case:
        """From the shape datasets use: name, input (variables), expected, metadata."""
        return cls(
            name=str(item["name"]),
            inputs=dict(item["input"]),
            expected=str(item["expected"]),
            metadata=dict(item.get("metadata") or {}),
        )


def cases_from_items(items: Iterable[Mapping[str, Any]]) -> list[Case]:
    cases = [Case.from_item(item) for item in items]
    names = [case.name for case in cases]
    if len(set(names)) != len(names):
        raise ValidationFailed("case names must be unique: memoized scores are keyed by them")
    return cases


def stratum_of(case: Case, labels_are_classes: bool) -> str:
    """What a balanced pick balances: the label for a classification task, else the category."""
    if labels_are_classes:
        return case.expected
    return str(case.metadata.get("category", ""))


def is_classification(cases: Sequence[Case]) -> bool:
    """Few distinct expected outputs, each repeated: labels, not free answers."""
    labels = {case.expected for case in cases}
    return 1 < len(labels) <= max(2, len(cases) // 3)


@dataclass(frozen=True, slots=True)
class Split:
    train: list[Case]
    val: list[Case]
    test: list[Case]


def interleaved(cases: Sequence[Case], rng: random.Random) -> list[Case]:
    """All cases, each stratum shuffled and dealt round-robin: every prefix is balanced."""
    classes = is_classification(cases)
    strata: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        strata[stratum_of(case, classes)].append(case)
    queues = [strata[key] for key in sorted(strata)]
    for queue in queues:
        rng.shuffle(queue)
    dealt: list[Case] = []
    while any(queues):
        for queue in queues:
            if queue:
                dealt.append(queue.pop())
    return dealt


def split_cases(
    cases: Sequence[Case], *, train: int, val: int, test: int = 0, seed: int = 0
) -> Split:
    """Stratified by label (or category) and reproducible: the same seed, the same split."""
    if train + val + test > len(cases):
        wanted = train + val + test
        raise ValidationFailed(f"asked for {wanted} cases, the dataset has {len(cases)}")
    rng = random.Random(seed)
    dealt = interleaved(cases, rng)
    sets = [dealt[:train], dealt[train : train + val], dealt[train + val : train + val + test]]
    # Round-robin puts the same stratum first in every set; shuffle within each set.
    for part in sets:
        rng.shuffle(part)
    return Split(*sets)
