"""Per-case scoring: assertion specs (a discriminated union on `type`) and their combination.

Pure: nothing here touches a database, a web framework or an LLM client. Model-backed
assertions reach models only through the `Embedder` and `Judge` protocols in `ScoringTools`.
"""

from autoforge.evaluations.assertions.assertion_set import (
    AssertionSet,
    AssertionSpec,
    combine_unsupported,
)
from autoforge.evaluations.assertions.base import (
    AssertionBase,
    CaseOutcome,
    Embedder,
    Judge,
    Judgement,
    Score,
    ScorerUnavailable,
    ScoringTools,
)
from autoforge.evaluations.assertions.judge import (
    JUDGE_SCALE,
    JudgeParseError,
    judge_prompt,
    parse_judgement,
)
from autoforge.evaluations.assertions.limits import CostAssertion, LatencyAssertion
from autoforge.evaluations.assertions.model_scored import (
    LlmJudgeAssertion,
    SimilarityAssertion,
    cosine,
)
from autoforge.evaluations.assertions.structured import (
    IsJsonAssertion,
    JsonMatchAssertion,
    JsonSchemaAssertion,
    parse_json_output,
    same_json,
)
from autoforge.evaluations.assertions.text import (
    ContainsAssertion,
    EqualsAssertion,
    IContainsAssertion,
    LengthAssertion,
    RegexAssertion,
)

__all__ = [
    "JUDGE_SCALE",
    "AssertionBase",
    "AssertionSet",
    "AssertionSpec",
    "CaseOutcome",
    "ContainsAssertion",
    "CostAssertion",
    "Embedder",
    "EqualsAssertion",
    "IContainsAssertion",
    "IsJsonAssertion",
    "JsonMatchAssertion",
    "JsonSchemaAssertion",
    "Judge",
    "JudgeParseError",
    "Judgement",
    "LatencyAssertion",
    "LengthAssertion",
    "LlmJudgeAssertion",
    "RegexAssertion",
    "Score",
    "ScorerUnavailable",
    "ScoringTools",
    "SimilarityAssertion",
    "combine_unsupported",
    "cosine",
    "judge_prompt",
    "parse_json_output",
    "parse_judgement",
    "same_json",
]
