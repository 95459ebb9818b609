"""One small real evaluation: 8 cases of the shipped sentiment example on the embedded
Gemma 3 270M (llama.cpp, no network). A 270M model's answers are not asserted, only the
structure of the run, and that an identical re-run is answered from the cache."""

from __future__ import annotations

from autoforge.bootstrap import Container
from autoforge.evaluations import service
from autoforge.evaluations.examples import example_setup
from autoforge.evaluations.repository import EvaluationRepository
from autoforge.evaluations.schemas import EvaluationCreate
from autoforge.llm.local_model import GATEWAY_NAME
from autoforge.worker.runner import execute_job
from tests.support.evaluations import OWNER, read, seed_example, seed_prompt

CASES = 8


def run(container: Container) -> str:
    data = EvaluationCreate(prompt_name="sentiment", dataset_name="sentiment")
    defaults = service.Defaults(model=GATEWAY_NAME, concurrency=2)
    started = container.database.run(
        lambda uow: service.start_evaluations(uow, OWNER, data, defaults)
    )
    [job_id] = started.job_ids
    execute_job(container, job_id)
    return started.batch.evaluations[0].id


def test_the_sentiment_example_on_the_local_model(file_container: Container) -> None:
    seed_prompt(file_container.database, "sentiment", example_setup("sentiment").template)
    seed_example(file_container.database, "sentiment", CASES)

    first = read(file_container, run(file_container))

    assert first.status == "completed", first.error
    assert first.model == GATEWAY_NAME
    assert (first.progress.done, first.progress.total) == (CASES, CASES)
    assert first.config["params"] == {"temperature": 0.0, "stop": ["\n"], "max_tokens": 4}
    results = file_container.database.run(
        lambda uow: EvaluationRepository(uow.session).results(first.id), read_only=True
    )
    assert len(results) == CASES
    assert all(0.0 <= r.score <= 1.0 and r.error is None for r in results)
    assert all(r.output is not None and r.tokens > 0 for r in results)
    for value in (first.overall_score, first.accuracy_score, first.style_consistency):
        assert value is not None
        assert 0.0 <= value <= 1.0
    assert first.cache_hits == 0

    again = read(file_container, run(file_container))

    assert again.cache_hits == CASES  # every call saved
    assert again.overall_score == first.overall_score
