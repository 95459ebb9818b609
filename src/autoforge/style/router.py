"""`/api/v1/evaluations/{id}/genome` and `/api/v1/prompts/{id}/genome`: style genomes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from autoforge.api.deps import ReadUoW
from autoforge.api.responses import problems
from autoforge.prompts.domain import MAX_VERSION
from autoforge.style import service
from autoforge.style.schemas import EvaluationGenome, GenomeSourceKind, PromptGenome

router = APIRouter(prefix="/api/v1", tags=["style"])

EvaluationId = Annotated[str, Path(max_length=64, description="the evaluation's id")]
PromptId = Annotated[str, Path(max_length=64, description="the prompt's id")]


@router.get(
    "/evaluations/{evaluation_id}/genome",
    response_model=EvaluationGenome,
    responses=problems(404, 422, 503),
)
def evaluation_genome(
    evaluation_id: EvaluationId,
    uow: ReadUoW,
    compare: Annotated[
        str | None,
        Query(max_length=64, description="another evaluation's id (version or model) to compare"),
    ] = None,
) -> EvaluationGenome:
    """The style genome of a completed evaluation's outputs: 14 named genes (length,
    sentence length, lexical diversity, formality, punctuation, markdown and JSON
    structure, first and second person, hedging, reading grade), their spread and the
    consistency (the evaluation's `style_consistency`). With `compare`, the distance from
    that evaluation's genome, gene by gene. 404 until the evaluation has completed."""
    return service.evaluation_genome(uow, evaluation_id, compare)


@router.get(
    "/prompts/{prompt_id}/genome", response_model=PromptGenome, responses=problems(404, 422, 503)
)
def prompt_genome(
    prompt_id: PromptId,
    uow: ReadUoW,
    version: Annotated[
        int | None,
        Query(ge=1, le=MAX_VERSION, description="default: the latest completed evaluation's"),
    ] = None,
    compare: Annotated[
        int | None,
        Query(ge=1, le=MAX_VERSION, description="the version to compare with; default: production"),
    ] = None,
    source: Annotated[
        GenomeSourceKind,
        Query(description="outputs of the latest completed evaluation, or of recent traces"),
    ] = "evaluation",
) -> PromptGenome:
    """A version's style genome against another version's (by default the one labelled
    `production`), `drift` when it lies beyond the threshold from the production one, the
    consistency of the prompt's completed evaluations over time, and the
    `StyleDriftDetected` events recorded as evaluations completed."""
    return service.prompt_genome(uow, prompt_id, version=version, compare=compare, source=source)
