"""A fake target model for which prompt structure matters, so an optimizer can find it.

It rewards a behaviour, not a string: it answers a review's true label only when the prompt
ends with an answer cue (a last line such as "Label:" or "Answer:", whatever its word) and
shows a demonstration of every label after that same cue; with a cue alone it always says
the last label (half right, well formed); without a cue it rambles (wrong and malformed).
It is deterministic and instant, and it records every prompt it sees.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from autoforge.evaluations.examples import example_setup
from autoforge.llm.fake import FakeModelClient
from autoforge.llm.gateway import Gateway, GatewayConfig
from autoforge.llm.types import CompletionRequest
from autoforge.optimizations import Case, Evaluator

# The prompt's last line is a cue: a capitalised word or two and a colon, nothing after.
CUE_LINE = re.compile(r"\n([A-Z][A-Za-z ]{0,24}:)[ \t]*$")
TARGET = "fake/target"
START = "Classify the review.\n\n{{text}}\n"
_POSITIVE = ("lovely", "great", "superb", "charming", "delightful", "brilliant", "fun", "neat")
_NEGATIVE = ("awful", "dreary", "broken", "clumsy", "tedious", "dire", "noisy", "flimsy")


def dataset(size: int = 32) -> list[Case]:
    cases = []
    for index in range(size):
        positive = index % 2 == 0
        word = (_POSITIVE if positive else _NEGATIVE)[index // 2 % 8]
        cases.append(
            Case(
                name=f"review-{index:03d}",
                inputs={"text": f"Review number {index:03d} says it was {word}."},
                expected="positive" if positive else "negative",
            )
        )
    return cases


def prompt_of(request: CompletionRequest) -> str:
    if request.messages is not None:
        return str(request.messages[-1]["content"])
    return request.prompt or ""


class SentimentOracle:
    def __init__(self, cases: list[Case]) -> None:
        self.truth = {str(case.inputs["text"]): case.expected for case in cases}
        self.labels = sorted(set(self.truth.values()))

    def query_of(self, prompt: str) -> str:
        """The review being asked about: the dataset text that appears last in the prompt."""
        return max(self.truth, key=prompt.rfind)

    def __call__(self, request: CompletionRequest) -> str:
        prompt = prompt_of(request)
        query = self.query_of(prompt)
        shown = prompt[: prompt.rfind(query)]
        cue = CUE_LINE.search(prompt)
        if cue is None:
            return " I think it is"
        every = all(f"{cue.group(1)} {label}" in shown for label in self.labels)
        return " " + (self.truth[query] if every else self.labels[-1])


def oracle_client(cases: list[Case], *, cost_per_token: float = 0.0) -> FakeModelClient:
    return FakeModelClient(SentimentOracle(cases), cost_per_token=cost_per_token)


def sentiment_evaluator(
    gateway: Gateway, concurrency: int = 4, clock: Callable[[], float] = time.monotonic
) -> Evaluator:
    setup = example_setup("sentiment")
    return Evaluator(
        gateway,
        TARGET,
        setup.assertions,
        setup.generation,
        concurrency=concurrency,
        clock=clock,
    )


def plain_gateway(client: FakeModelClient) -> Gateway:
    """No response cache and no call log: every call reaches the fake."""
    return Gateway(client, GatewayConfig(default_model=TARGET))
