"""What a model's tokens cost, or that nobody knows (issue #19).

One rule, used before a run starts (a USD budget needs a price) and after every call:

1. `LLM_PRICES` (USD per million input and output tokens) wins: it prices custom and
   self-hosted models, and overrides a provider's list price.
2. The local model is free: an explicit, known $0.
3. Otherwise the model client's own table (LiteLLM's `model_cost`).
4. Otherwise the price is unknown, and so is the cost: `None`, never a silent $0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from autoforge.llm import local_model


@dataclass(frozen=True, slots=True)
class Price:
    """USD per million tokens."""

    input_per_million: float
    output_per_million: float

    def cost(self, tokens_in: int, tokens_out: int) -> float:
        return (tokens_in * self.input_per_million + tokens_out * self.output_per_million) / 1e6


FREE = Price(0.0, 0.0)
# A client's price list: the model's price, or None when it has none.
PriceTable = Callable[[str], Price | None]


def _no_table(model: str) -> Price | None:
    return None


@dataclass(frozen=True)
class Pricing:
    custom: Mapping[str, Price]
    table: PriceTable = _no_table

    def price_of(self, model: str) -> Price | None:
        if model in self.custom:
            return self.custom[model]
        if model.split("/", 1)[0] == local_model.PROVIDER:
            return FREE
        return self.table(model)

    def cost(
        self, model: str, tokens_in: int, tokens_out: int, reported: float | None
    ) -> float | None:
        """A call's cost: `LLM_PRICES` over what the client reported (None: unknown)."""
        if model in self.custom:
            return self.custom[model].cost(tokens_in, tokens_out)
        return reported


def unpriced_problem(model: str) -> str:
    """What a user reads when a USD budget meets a model without a price."""
    example = '{"' + model + '": {"input": 0.5, "output": 1.5}}'
    return (
        f"The model {model} has no known price, so a USD budget cannot be kept: "
        f"set LLM_PRICES (USD per million input and output tokens), e.g. LLM_PRICES='{example}'"
    )
