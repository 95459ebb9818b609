"""The optimization strategies: interchangeable siblings behind `Strategy.optimize`."""

from __future__ import annotations

from typing import Any

from autoforge.errors import ValidationFailed
from autoforge.optimizations.protocol import Strategy
from autoforge.optimizations.strategies.bandit import BanditStrategy
from autoforge.optimizations.strategies.genetic import GeneticStrategy
from autoforge.optimizations.strategies.opro import OproStrategy
from autoforge.optimizations.strategies.reflective import ReflectiveStrategy

STRATEGIES: dict[str, type[Strategy]] = {
    "genetic": GeneticStrategy,
    "bandit": BanditStrategy,
    "opro": OproStrategy,
    "reflective": ReflectiveStrategy,
}


def make_strategy(name: str, **options: Any) -> Strategy:
    """A strategy by name; `options` are its dataclass fields (e.g. population=12)."""
    if name not in STRATEGIES:
        known = ", ".join(STRATEGIES)
        raise ValidationFailed(f"no optimization strategy {name!r}; choose from {known}")
    try:
        return STRATEGIES[name](**options)
    except TypeError as exc:
        raise ValidationFailed(f"bad options for {name}: {exc}") from exc


__all__ = [
    "STRATEGIES",
    "BanditStrategy",
    "GeneticStrategy",
    "OproStrategy",
    "ReflectiveStrategy",
    "make_strategy",
]
