"""Render a stored prompt version with variables and run it through the gateway."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autoforge.db.tenancy import reading
from autoforge.db.unit_of_work import Database, UnitOfWork
from autoforge.errors import ValidationFailed
from autoforge.llm.gateway import Gateway
from autoforge.llm.types import CachePolicy, CompletionRequest, TraceContext
from autoforge.prompts import versions
from autoforge.prompts.schemas import ResolvedPrompt
from autoforge.prompts.service import get_prompt
from autoforge.runs.schemas import RunRequest, RunResult, RunUsage
from autoforge.templates.domain import Parameter, render, variables_in


def render_prompt(content: str, variables: Mapping[str, Any]) -> str:
    """Every `{{variable}}` in a stored prompt is required; an unknown one is a 422 too, so a
    typo in a variable name never silently sends an unrendered prompt to a model."""
    parameters = [
        Parameter(name=name, type=_type_of(variables.get(name))) for name in variables_in(content)
    ]
    return render(content, parameters, variables)


def _type_of(value: Any) -> str:
    # Prompts declare no types (templates do): accept whatever JSON type was given.
    for name, kinds in (("bool", bool), ("int", int), ("float", float), ("list", list)):
        if isinstance(value, kinds):
            return name
    return "dict" if isinstance(value, dict) else "str"


def _resolve(
    uow: UnitOfWork, owner: str, request: RunRequest, *, prompt_id: str | None, name: str | None
) -> ResolvedPrompt:
    """The version to run: explicit, else the label's, else the latest."""
    if request.version is not None and request.label is not None:
        raise ValidationFailed(
            "give a version or a label, not both",
            errors=[{"field": "label", "message": "conflicts with version"}],
        )
    if name is None:
        name = get_prompt(uow, owner, str(prompt_id)).name
    resolved = versions.resolve_by_name(uow, owner, name, label=request.label)
    if request.version is None or request.version == resolved.version:
        return resolved
    chosen = versions.get_version(uow, owner, resolved.prompt_id, request.version)
    return resolved.model_copy(
        update={"version": request.version, "title": chosen.title, "content": chosen.content}
    )


def run_prompt(
    database: Database,
    gateway: Gateway,
    owner: str,
    request: RunRequest,
    *,
    prompt_id: str | None = None,
    name: str | None = None,
) -> RunResult:
    """Runs the prompt given by id or by name. No transaction is open while the model runs:
    that can take seconds, and it would hold a database connection for nothing."""
    with database.transaction(read_only=True, scope=reading(owner)) as uow:
        resolved = _resolve(uow, owner, request, prompt_id=prompt_id, name=name)
    rendered = render_prompt(resolved.content, request.variables)
    model = request.model or gateway.config.default_model
    as_chat = request.mode == "chat" or (request.mode == "auto" and not model.startswith("local/"))
    call = CompletionRequest(
        model=model,
        messages=[{"role": "user", "content": rendered}] if as_chat else None,
        prompt=None if as_chat else rendered,
        params=request.params,
    )
    result = gateway.complete(
        call,
        cache=CachePolicy.BYPASS if request.no_cache else CachePolicy.AUTO,
        trace=TraceContext(
            resolved.prompt_id, resolved.version, request.variables, project_id=owner
        ),
    )
    record = result.record
    return RunResult(
        trace_id=record.id,
        prompt_id=resolved.prompt_id,
        prompt_name=resolved.name,
        version=resolved.version,
        model=record.model,
        rendered=rendered,
        output=result.text,
        finish_reason=record.finish_reason,
        usage=RunUsage(
            tokens_in=record.tokens_in,
            tokens_out=record.tokens_out,
            cost_usd=record.cost_usd,
            latency_ms=record.latency_ms,
            cache_hit=record.cache_hit,
            attempts=record.attempts,
        ),
    )
