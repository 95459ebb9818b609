"""`POST /api/v1/promptfoo:import`: a promptfoo config becomes prompts, a dataset, a scoring."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter

from autoforge.api.deps import ContainerDep, Principal, WriteUoW
from autoforge.api.responses import problems
from autoforge.promptfoo.config import uploaded_reader
from autoforge.promptfoo.importer import import_plan, plan_from_text
from autoforge.promptfoo.schemas import PromptfooImport, PromptfooImportReport
from autoforge.secrets.keys import vault_of

router = APIRouter(prefix="/api/v1", tags=["promptfoo"])


@router.post(
    "/promptfoo:import",
    status_code=201,
    response_model=PromptfooImportReport,
    responses=problems(409, 422, 503),
)
def import_config(
    data: PromptfooImport, uow: WriteUoW, owner: Principal, container: ContainerDep
) -> PromptfooImportReport:
    """Import a promptfoo config (YAML text): its prompts become prompts `NAME`, `NAME-2`, ...
    and its tests the dataset `NAME`, whose scoring holds the mapped assertions. Files the
    config names with `file://` are read from `files` (path -> text); a reference without a
    file, and every assertion or option without a counterpart here, is listed in
    `unsupported` as `location: why`. 409 when a prompt or the dataset name is taken."""
    plan = plan_from_text(data.config, uploaded_reader(data.files))
    vault = partial(vault_of, container.settings)
    return import_plan(uow, owner, data.name, plan, vault=vault)
