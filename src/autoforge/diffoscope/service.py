"""The intent diffoscope of an evaluation: its prompt version's requirements (by rule, and by a
capable model when one is named) checked against every stored output. Computed on request
from stored results; nothing is written."""

from __future__ import annotations

from dataclasses import dataclass

from autoforge.db.tenancy import reading
from autoforge.db.unit_of_work import Database
from autoforge.diffoscope.checks import Output, RequirementResult, check_all, gap_score
from autoforge.diffoscope.extract import Requirement, extract_requirements, prompt_text
from autoforge.diffoscope.llm_extract import extraction_messages, merge, parse_llm_requirements
from autoforge.diffoscope.schemas import Diffoscope, RequirementReport, ViolatingOutput
from autoforge.diffoscope.suggest import suggestions
from autoforge.errors import NotFoundError, ValidationFailed
from autoforge.evaluations.repository import EvaluationRepository
from autoforge.llm.errors import ModelCallError
from autoforge.llm.gateway import Gateway
from autoforge.llm.types import CachePolicy, CompletionRequest, TraceContext

# The bundled local model is far too small to read a prompt's requirements reliably: it is
# never asked, even when it is the configured judge.
LOCAL_PREFIX = "local/"
_EXTRACTION_MAX_TOKENS = 1024
_EXAMPLE_CHARS = 2000


@dataclass(frozen=True)
class Stored:
    prompt_id: str
    prompt_version: int
    text: str
    outputs: list[Output]


def extraction_model(requested: str | None, configured: str | None) -> str | None:
    """The model that extracts requirements besides the rules: the one asked for, else the
    configured judge model; never the local model (asking for it is a 422)."""
    if requested:
        if requested.startswith(LOCAL_PREFIX):
            raise ValidationFailed(
                "the local model is too small to extract requirements: name a capable model",
                errors=[{"field": "llm_model", "message": "a local/ model cannot extract"}],
            )
        return requested
    if configured and not configured.startswith(LOCAL_PREFIX):
        return configured
    return None


def _load(database: Database, owner: str, evaluation_id: str) -> Stored:
    with database.transaction(read_only=True, scope=reading(owner)) as uow:
        repo = EvaluationRepository(uow.session, owner)
        evaluation = repo.get(evaluation_id)
        if evaluation is None:
            raise NotFoundError(f"evaluation {evaluation_id} not found")
        template = repo.prompt_template(evaluation.prompt_id, evaluation.prompt_version)
        if template is None:
            raise NotFoundError(
                f"prompt version {evaluation.prompt_version} of evaluation {evaluation_id} "
                "not found"
            )
        outputs = [Output(r.test_case_name, r.output) for r in repo.results(evaluation_id)]
        return Stored(
            evaluation.prompt_id, evaluation.prompt_version, prompt_text(*template), outputs
        )


def _llm_requirements(
    gateway: Gateway, owner: str, model: str, text: str
) -> tuple[list[Requirement], str | None]:
    """The model's requirements, or none and why (a failed call never fails the report)."""
    request = CompletionRequest(
        model=model,
        messages=extraction_messages(text),
        params={"temperature": 0.0, "max_tokens": _EXTRACTION_MAX_TOKENS},
    )
    try:
        reply = gateway.complete(
            request, cache=CachePolicy.AUTO, trace=TraceContext(project_id=owner)
        )
    except ModelCallError as exc:
        return [], f"{model} failed: {exc.detail}"
    return parse_llm_requirements(reply.text, text), None


def diffoscope(
    database: Database,
    gateway: Gateway,
    owner: str,
    evaluation_id: str,
    *,
    model: str | None = None,
    examples: int = 5,
) -> Diffoscope:
    """No transaction is open while the extraction model runs."""
    stored = _load(database, owner, evaluation_id)
    requirements = extract_requirements(stored.text)
    error = None
    if model is not None:
        found, error = _llm_requirements(gateway, owner, model, stored.text)
        requirements = merge(requirements, found)
    results = [check_all(r, stored.outputs) for r in requirements]
    return Diffoscope(
        evaluation_id=evaluation_id,
        prompt_id=stored.prompt_id,
        prompt_version=stored.prompt_version,
        prompt_text=stored.text,
        outputs=sum(1 for o in stored.outputs if o.text is not None),
        gap_score=gap_score(results),
        requirements=[_report(r, stored.text, examples) for r in results],
        suggestions=suggestions(results),
        extraction_model=model,
        extraction_error=error,
    )


def _report(result: RequirementResult, text: str, examples: int) -> RequirementReport:
    r = result.requirement
    return RequirementReport(
        id=r.id,
        kind=r.kind,
        description=r.description,
        start=r.start,
        end=r.end,
        quote=text[r.start : r.end],
        source=r.source,
        params=r.params,
        checked=result.checked,
        satisfied=result.satisfied,
        share=None if result.share is None else round(result.share, 4),
        violations=len(result.violations),
        examples=[
            ViolatingOutput(
                test_case_name=v.case, output=v.output[:_EXAMPLE_CHARS], reason=v.reason
            )
            for v in result.violations[:examples]
        ],
    )
