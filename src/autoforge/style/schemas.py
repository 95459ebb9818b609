"""Response bodies of the style genome routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

GenomeSourceKind = Literal["evaluation", "traces"]


class Genome(BaseModel):
    """The style genome of one set of outputs (docs/style-genome.md)."""

    source: GenomeSourceKind
    prompt_id: str
    version: int
    evaluation_id: str | None = Field(description="the evaluation whose outputs these are")
    model: str | None
    samples: int = Field(description="outputs profiled")
    consistency: float = Field(
        description="1 minus the mean dispersion of the genes across the outputs, in 0..1; "
        "an evaluation's `style_consistency` is this figure"
    )
    genes: dict[str, float] = Field(description="each gene's mean over the outputs")
    spread: dict[str, float] = Field(description="each gene's population standard deviation")


class GeneComparison(BaseModel):
    name: str
    kind: Literal["count", "share"]
    description: str
    a: float
    b: float
    a_scaled: float = Field(description="for a chart: shares as they are, counts / max(a, b)")
    b_scaled: float
    difference: float = Field(description="|a - b| for a share, |a - b| / max(a, b) for a count")


class GenomeComparison(BaseModel):
    """Genome `a` against genome `b`: their root-mean-square gene difference, in 0..1."""

    a: Genome
    b: Genome
    distance: float
    threshold: float = Field(description="drift threshold: a distance above it is drift")
    drifted: bool
    genes: list[GeneComparison]


class ConsistencyPoint(BaseModel):
    evaluation_id: str
    version: int
    model: str
    finished_at: datetime | None
    samples: int
    consistency: float


class DriftEvent(BaseModel):
    """A stored `StyleDriftDetected` event of this prompt."""

    event_id: str
    occurred_at: datetime
    data: dict[str, Any]


class EvaluationGenome(BaseModel):
    genome: Genome
    comparison: GenomeComparison | None = Field(
        description="against the evaluation given in `compare`, if any"
    )


class PromptGenome(BaseModel):
    """A version's genome, compared with another version's (by default the one labelled
    `reference_label`), the consistency of every completed evaluation over time, and the
    drift events recorded when evaluations completed."""

    prompt_id: str
    prompt_name: str
    reference_label: str
    reference_version: int | None = Field(description="the version the label points at")
    genome: Genome
    comparison: GenomeComparison | None
    drift: bool = Field(
        description="the version is not the reference one and its genome lies beyond the "
        "threshold from the reference version's"
    )
    history: list[ConsistencyPoint] = Field(description="oldest first")
    drift_events: list[DriftEvent] = Field(description="newest first")
