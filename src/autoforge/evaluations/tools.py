"""The model-backed scoring tools of a run: a judge over the gateway, the shared embedder."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autoforge.evaluations.assertions import (
    AssertionSet,
    Embedder,
    Judgement,
    ScoringTools,
    judge_prompt,
    parse_judgement,
    types_in,
)
from autoforge.llm.gateway import Gateway
from autoforge.llm.types import CachePolicy, CompletionRequest

# Room for the JSON verdict with a one-sentence reason; more only invites rambling.
_JUDGE_MAX_TOKENS = 160


class GatewayJudge:
    """Asks a judge model through the gateway, at temperature 0 so a verdict is cached and
    repeatable. Model errors propagate: the runner records them as a failed case."""

    def __init__(self, gateway: Gateway, model: str) -> None:
        self.gateway = gateway
        self.model = model

    def __call__(
        self, rubric: str, inputs: Mapping[str, Any], output: str, expected: str | None
    ) -> Judgement:
        request = CompletionRequest(
            model=self.model,
            messages=[{"role": "user", "content": judge_prompt(rubric, inputs, output, expected)}],
            params={"temperature": 0.0, "max_tokens": _JUDGE_MAX_TOKENS},
        )
        return parse_judgement(self.gateway.complete(request, cache=CachePolicy.AUTO).text)


def scoring_tools(
    assertions: AssertionSet, gateway: Gateway, embedder: Embedder, judge_model: str
) -> ScoringTools:
    """Only what the assertions use: the embedder takes seconds to load, and a judge that is
    never asked must not be configured."""
    # Nested ones too: a `not`, a `group` or a `per_case` may hold a model-graded assertion.
    types = types_in(assertions.assertions)
    return ScoringTools(
        embedder=embedder if "similarity" in types else None,
        judge=GatewayJudge(gateway, judge_model) if "llm_judge" in types else None,
    )
