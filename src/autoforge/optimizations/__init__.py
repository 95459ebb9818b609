"""Automatic prompt optimization (SPEC C4): strategies searching under a budget.

Pure: the gateway is injected into the `Evaluator`; nothing here imports a web framework
or a database. Entry point: `run_optimization(make_strategy("bandit"), template, ...)`.
"""

from autoforge.optimizations.candidate import Candidate, Demonstration, Lineage
from autoforge.optimizations.cases import Case, Split, cases_from_items, split_cases
from autoforge.optimizations.evaluator import BudgetExhausted, Evaluator, Meter, SearchStopped
from autoforge.optimizations.operators import LLMRewrite, SearchSpace, Variation
from autoforge.optimizations.protocol import (
    Budget,
    CandidateScore,
    HistoryEntry,
    OptimizationResult,
    Progress,
    ProgressCallback,
    StopReason,
    Strategy,
    ValPoint,
)
from autoforge.optimizations.run import run_optimization
from autoforge.optimizations.strategies import (
    STRATEGIES,
    BanditStrategy,
    GeneticStrategy,
    OproStrategy,
    make_strategy,
)

__all__ = [
    "STRATEGIES",
    "BanditStrategy",
    "Budget",
    "BudgetExhausted",
    "Candidate",
    "CandidateScore",
    "Case",
    "Demonstration",
    "Evaluator",
    "GeneticStrategy",
    "HistoryEntry",
    "LLMRewrite",
    "Lineage",
    "Meter",
    "OproStrategy",
    "OptimizationResult",
    "Progress",
    "ProgressCallback",
    "SearchSpace",
    "SearchStopped",
    "Split",
    "StopReason",
    "Strategy",
    "ValPoint",
    "Variation",
    "cases_from_items",
    "make_strategy",
    "run_optimization",
    "split_cases",
]
