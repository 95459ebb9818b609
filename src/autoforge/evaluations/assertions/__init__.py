"""Per-case scoring: assertion specs (a discriminated union on `type`) and their combination.

Pure: nothing here touches a database, a web framework or an LLM client. Model-backed
assertions reach models only through the `Embedder` and `Judge` protocols in `ScoringTools`.
"""

from autoforge.evaluations.assertions.assertion_set import (
    MODEL_SCORED,
    AssertionSet,
    AssertionSpec,
    GroupAssertion,
    NotAssertion,
    PerCaseAssertion,
    combine_unsupported,
    types_in,
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
from autoforge.evaluations.assertions.words import (
    ContainsAllAssertion,
    ContainsAnyAssertion,
    LevenshteinAssertion,
    StartsWithAssertion,
    WordCountAssertion,
    edit_distance,
)

__all__ = [
    "JUDGE_SCALE",
    "MODEL_SCORED",
    "AssertionBase",
    "AssertionSet",
    "AssertionSpec",
    "CaseOutcome",
    "ContainsAllAssertion",
    "ContainsAnyAssertion",
    "ContainsAssertion",
    "CostAssertion",
    "Embedder",
    "EqualsAssertion",
    "GroupAssertion",
    "IContainsAssertion",
    "IsJsonAssertion",
    "JsonMatchAssertion",
    "JsonSchemaAssertion",
    "Judge",
    "JudgeParseError",
    "Judgement",
    "LatencyAssertion",
    "LengthAssertion",
    "LevenshteinAssertion",
    "LlmJudgeAssertion",
    "NotAssertion",
    "PerCaseAssertion",
    "RegexAssertion",
    "Score",
    "ScorerUnavailable",
    "ScoringTools",
    "SimilarityAssertion",
    "StartsWithAssertion",
    "WordCountAssertion",
    "combine_unsupported",
    "cosine",
    "edit_distance",
    "judge_prompt",
    "parse_json_output",
    "parse_judgement",
    "same_json",
    "types_in",
]
