"""Render a stored prompt version with variables and run it through the gateway."""

from __future__ import annotations

from autoforge.db.tenancy import reading
from autoforge.db.unit_of_work import Database, UnitOfWork
from autoforge.errors import ValidationFailed
from autoforge.evaluations.domain import as_chat
from autoforge.llm.gateway import Gateway
from autoforge.llm.types import CachePolicy, CompletionRequest, TraceContext
from autoforge.prompts import versions
from autoforge.prompts.schemas import PromptVersion, ResolvedPrompt
from autoforge.prompts.service import get_prompt
from autoforge.runs.messages import render_version
from autoforge.runs.schemas import RunRequest, RunResult, RunUsage


def _resolve(
    uow: UnitOfWork, owner: str, request: RunRequest, *, prompt_id: str | None, name: str | None
) -> tuple[ResolvedPrompt, PromptVersion]:
    """The version to run: explicit, else the label's, else the latest."""
    if request.version is not None and request.label is not None:
        raise ValidationFailed(
            "give a version or a label, not both",
            errors=[{"field": "label", "message": "conflicts with version"}],
        )
    if name is None:
        name = get_prompt(uow, owner, str(prompt_id)).name
    resolved = versions.resolve_by_name(uow, owner, name, label=request.label)
    number = request.version or resolved.version
    return resolved, versions.get_version(uow, owner, resolved.prompt_id, number)


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
        resolved, chosen = _resolve(uow, owner, request, prompt_id=prompt_id, name=name)
    # Strict: every `{{variable}}` is required and an unknown one is a 422 too, so a typo in
    # a variable name never silently sends an unrendered prompt to a model.
    rendered = render_version(chosen.kind, chosen.content, request.variables, strict=True)
    model = request.model or gateway.config.default_model
    messages, prompt = rendered.as_call(as_chat(request.mode, model))
    call = CompletionRequest(model=model, messages=messages, prompt=prompt, params=request.params)
    result = gateway.complete(
        call,
        cache=CachePolicy.BYPASS if request.no_cache else CachePolicy.AUTO,
        trace=TraceContext(
            resolved.prompt_id,
            chosen.version,
            request.variables,
            project_id=owner,
            prompt_name=resolved.name,
        ),
    )
    record = result.record
    return RunResult(
        trace_id=record.id,
        prompt_id=resolved.prompt_id,
        prompt_name=resolved.name,
        version=chosen.version,
        kind=chosen.kind,
        model=record.model,
        rendered=rendered.text,
        messages=rendered.messages,
        output=result.text,
        finish_reason=record.finish_reason,
        usage=RunUsage(
            tokens_in=record.tokens_in,
            tokens_out=record.tokens_out,
            cost_usd=record.cost_usd,
            unpriced=record.cost_usd is None,
            latency_ms=record.latency_ms,
            cache_hit=record.cache_hit,
            attempts=record.attempts,
        ),
    )
