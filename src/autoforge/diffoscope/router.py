"""`GET /api/v1/evaluations/{id}/diffoscope`: what the prompt asks against what the outputs do."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from autoforge.api.deps import ContainerDep, Principal
from autoforge.api.responses import problems
from autoforge.diffoscope.schemas import Diffoscope
from autoforge.diffoscope.service import diffoscope, extraction_model

router = APIRouter(prefix="/api/v1", tags=["diffoscope"])


@router.get(
    "/evaluations/{evaluation_id}/diffoscope",
    response_model=Diffoscope,
    responses=problems(404, 422, 503),
)
def get_diffoscope(
    evaluation_id: Annotated[str, Path(max_length=64, description="the evaluation's id")],
    container: ContainerDep,
    owner: Principal,
    llm_model: Annotated[
        str | None,
        Query(
            max_length=200,
            description="also extract requirements with this model (default: JUDGE_MODEL "
            "unless it is the local model; a local/ model is refused)",
        ),
    ] = None,
    examples: Annotated[
        int, Query(ge=0, le=50, description="violating outputs per requirement")
    ] = 5,
) -> Diffoscope:
    """The requirements of the evaluated prompt version, each with where it is stated in the
    prompt text, the share of the evaluation's outputs that keep it and the first outputs
    that break it; a gap score for the prompt and suggestions, most often broken first. The
    rules always run; a model also extracts when one is named or configured, and its failure
    is reported in `extraction_error` instead of failing the request."""
    model = extraction_model(llm_model, container.settings.judge_model)
    return diffoscope(
        container.database, container.gateway, owner, evaluation_id, model=model, examples=examples
    )
