"""Style genomes of evaluations and prompt versions, their comparison, and drift detection."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from autoforge.errors import NotFoundError
from autoforge.style.domain import REFERENCE_LABEL, StyleDriftDetected
from autoforge.style.genome import (
    DRIFT_THRESHOLD,
    GENES,
    StyleGenome,
    differences,
    distance,
    profile,
)
from autoforge.style.repository import StyleRepository
from autoforge.style.schemas import (
    ConsistencyPoint,
    DriftEvent,
    EvaluationGenome,
    GeneComparison,
    Genome,
    GenomeComparison,
    GenomeSourceKind,
    PromptGenome,
)

if TYPE_CHECKING:
    from autoforge.db.unit_of_work import UnitOfWork
    from autoforge.evaluations.models import EvaluationRow

HISTORY_LIMIT = 100
TRACE_SAMPLE = 200
DRIFT_EVENTS_LIMIT = 20


def _genome(
    genome: StyleGenome,
    source: GenomeSourceKind,
    prompt_id: str,
    version: int,
    evaluation: EvaluationRow | None = None,
) -> Genome:
    return Genome(
        source=source,
        prompt_id=prompt_id,
        version=version,
        evaluation_id=evaluation.id if evaluation is not None else None,
        model=evaluation.model if evaluation is not None else None,
        samples=genome.samples,
        consistency=genome.consistency,
        genes=genome.genes,
        spread=genome.spread,
    )


def _compare(a: Genome, b: Genome) -> GenomeComparison:
    def as_genome(g: Genome) -> StyleGenome:
        return StyleGenome(g.genes, g.spread, g.samples, g.consistency)

    x, y = as_genome(a), as_genome(b)
    found = distance(x, y)
    by_name = {gene.name: gene for gene in GENES}
    return GenomeComparison(
        a=a,
        b=b,
        distance=found,
        threshold=DRIFT_THRESHOLD,
        drifted=found > DRIFT_THRESHOLD,
        genes=[
            GeneComparison(
                name=d.name,
                kind=by_name[d.name].kind,
                description=by_name[d.name].description,
                a=d.a,
                b=d.b,
                a_scaled=d.a_scaled,
                b_scaled=d.b_scaled,
                difference=d.difference,
            )
            for d in differences(x, y)
        ],
    )


def _evaluation_genome(repo: StyleRepository, evaluation_id: str) -> Genome:
    row = repo.evaluation(evaluation_id)
    if row is None:
        raise NotFoundError(f"evaluation {evaluation_id} not found")
    outputs = repo.outputs([row.id]).get(row.id)
    if row.status != "completed" or not outputs:
        raise NotFoundError(f"evaluation {evaluation_id} has not completed: no genome yet")
    return _genome(profile(outputs), "evaluation", row.prompt_id, row.prompt_version, row)


def evaluation_genome(uow: UnitOfWork, evaluation_id: str, compare: str | None) -> EvaluationGenome:
    """An evaluation's genome, and its comparison with evaluation `compare` (another
    version or another model) when given."""
    repo = StyleRepository(uow.session)
    genome = _evaluation_genome(repo, evaluation_id)
    if compare is None:
        return EvaluationGenome(genome=genome, comparison=None)
    return EvaluationGenome(
        genome=genome, comparison=_compare(_evaluation_genome(repo, compare), genome)
    )


def _version_genome(
    repo: StyleRepository, prompt_id: str, version: int, source: GenomeSourceKind
) -> Genome:
    if source == "traces":
        outputs = repo.trace_outputs(prompt_id, version, TRACE_SAMPLE)
        if not outputs:
            raise NotFoundError(f"version {version} has no traced model call with an output")
        return _genome(profile(outputs), "traces", prompt_id, version)
    row = repo.latest_completed(prompt_id, version)
    if row is None:
        raise NotFoundError(f"version {version} has no completed evaluation")
    return _evaluation_genome(repo, row.id)


def prompt_genome(
    uow: UnitOfWork,
    prompt_id: str,
    *,
    version: int | None,
    compare: int | None,
    source: GenomeSourceKind = "evaluation",
) -> PromptGenome:
    """The genome of `version` (default: the version of the latest completed evaluation)
    against `compare` (default: the production-labelled version, when it is another one)."""
    repo = StyleRepository(uow.session)
    prompt = repo.prompt(prompt_id)
    if prompt is None:
        raise NotFoundError(f"prompt {prompt_id} not found")
    evaluations = repo.completed(prompt_id, HISTORY_LIMIT)
    if version is None:
        if not evaluations:
            raise NotFoundError(f"prompt {prompt.name!r} has no completed evaluation")
        version = evaluations[-1].prompt_version
    genome = _version_genome(repo, prompt_id, version, source)
    reference = repo.labelled_version(prompt_id, REFERENCE_LABEL)
    against = compare if compare is not None else reference
    comparison = None
    if against is not None and against != version:
        comparison = _compare(_version_genome(repo, prompt_id, against, source), genome)
    drift = comparison is not None and against == reference and comparison.drifted
    return PromptGenome(
        prompt_id=prompt_id,
        prompt_name=prompt.name,
        reference_label=REFERENCE_LABEL,
        reference_version=reference,
        genome=genome,
        comparison=comparison,
        drift=drift,
        history=_history(repo, evaluations),
        drift_events=[
            DriftEvent(event_id=e.id, occurred_at=e.occurred_at, data=e.event_data)
            for e in repo.events(
                f"style-{prompt_id}", StyleDriftDetected.__name__, DRIFT_EVENTS_LIMIT
            )
        ],
    )


def _history(repo: StyleRepository, evaluations: Sequence[EvaluationRow]) -> list[ConsistencyPoint]:
    outputs = repo.outputs([row.id for row in evaluations])
    points = []
    for row in evaluations:
        found = outputs.get(row.id)
        if found:
            genome = profile(found)
            points.append(
                ConsistencyPoint(
                    evaluation_id=row.id,
                    version=row.prompt_version,
                    model=row.model,
                    finished_at=row.finished_at,
                    samples=genome.samples,
                    consistency=genome.consistency,
                )
            )
    return points


def check_drift(uow: UnitOfWork, evaluation: EvaluationRow, outputs: Sequence[str]) -> None:
    """Called as an evaluation completes: when its version is not the production-labelled
    one and its genome lies beyond the drift threshold from the genome of that version's
    latest completed evaluation (one on the same dataset version first), records a
    `StyleDriftDetected` event in the outbox."""
    repo = StyleRepository(uow.session)
    reference = repo.labelled_version(evaluation.prompt_id, REFERENCE_LABEL)
    if reference is None or reference == evaluation.prompt_version or not outputs:
        return
    baseline = repo.latest_completed(evaluation.prompt_id, reference, evaluation.dataset_version_id)
    baseline_outputs = repo.outputs([baseline.id]).get(baseline.id) if baseline else None
    if baseline is None or not baseline_outputs:
        return
    before, after = profile(baseline_outputs), profile(outputs)
    found = distance(before, after)
    if found <= DRIFT_THRESHOLD:
        return
    uow.collect(
        StyleDriftDetected(
            prompt_id=evaluation.prompt_id,
            evaluation_id=evaluation.id,
            version=evaluation.prompt_version,
            model=evaluation.model,
            label=REFERENCE_LABEL,
            baseline_version=reference,
            baseline_evaluation_id=baseline.id,
            distance=found,
            threshold=DRIFT_THRESHOLD,
            genes={d.name: d.difference for d in differences(before, after) if d.difference},
        )
    )
