"""`POST /api/v1/prompts/{id}/run` and `/prompts/by-name/{name}/run`: the live prompt, run."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from autoforge.api.deps import ContainerDep, Principal
from autoforge.api.responses import problems
from autoforge.runs.schemas import RunRequest, RunResult
from autoforge.runs.service import run_prompt

router = APIRouter(prefix="/api/v1", tags=["runs"])
_ERRORS = problems(400, 404, 422, 429, 502, 503, 504)


@router.post("/prompts/{prompt_id}/run", response_model=RunResult, responses=_ERRORS)
def run_by_id(
    prompt_id: Annotated[str, Path(max_length=64)],
    body: RunRequest,
    container: ContainerDep,
    owner: Principal,
) -> RunResult:
    """Render the prompt (the `version`, else the `label`'s version, else the latest) with
    `variables`, call `model` (default: the configured default, the local model) and return
    the output with tokens, cost and latency. The call is stored as a trace that points back
    at this prompt version (see `GET /api/v1/traces?prompt_id=...`). Every `{{variable}}` of
    the prompt is required; an unknown or missing one is a 422 naming it."""
    return run_prompt(container.database, container.gateway, owner, body, prompt_id=prompt_id)


# `:path` so that a folder name (`team/reply`, sent as `team%2Freply`) is one name. The last
# `/run` is always the action: `team/run/run` runs the prompt named `team/run`.
@router.post("/prompts/by-name/{name:path}/run", response_model=RunResult, responses=_ERRORS)
def run_by_name(
    name: Annotated[str, Path(max_length=200)],
    body: RunRequest,
    container: ContainerDep,
    owner: Principal,
) -> RunResult:
    """Same as running by id, addressing the prompt by its name: this is how an application
    runs its live prompt, e.g. `{"label": "production", "variables": {...}}`."""
    return run_prompt(container.database, container.gateway, owner, body, name=name)
