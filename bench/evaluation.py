"""The evaluation engine's cost per case, its throughput, and a real run on the local model.

1. Overhead per case, model time excluded: a fake model that answers instantly, one case at
   a time, through the whole engine (job claim and lease, rendering, the gateway with its
   cache and call log, scoring, one committed transaction per result, the aggregates);
   against a bare loop that only calls the same fake client and scores the answer.
2. Throughput: 1,000 cases, 32 at a time, against a fake model answering at once and one
   answering in 20 ms (a fast hosted model would be slower still).
3. The shipped sentiment example (40 cases) on the embedded Gemma 3 270M: wall time of the
   first run, and of an identical re-run answered from the response cache.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
import time
from pathlib import Path

from autoforge.bootstrap import Container, bootstrap
from autoforge.config import Settings
from autoforge.datasets.models import DatasetItemRow, DatasetRow, DatasetVersionRow
from autoforge.db import migrations
from autoforge.db.unit_of_work import UnitOfWork
from autoforge.evaluations import service
from autoforge.evaluations.assertions import AssertionSet, CaseOutcome, ScoringTools
from autoforge.evaluations.domain import DEFAULT_ASSERTIONS, render_case
from autoforge.evaluations.examples import example_setup, load_example
from autoforge.evaluations.schemas import Evaluation, EvaluationCreate
from autoforge.identity.caller import DEFAULT_PROJECT_ID
from autoforge.llm.cache import ResponseCache
from autoforge.llm.fake import FakeModelClient
from autoforge.llm.gateway import Gateway, GatewayConfig
from autoforge.llm.local_model import GATEWAY_NAME
from autoforge.llm.repository import CallLog
from autoforge.llm.types import CachePolicy, CompletionRequest
from autoforge.llm.write_behind import WriteBehind
from autoforge.prompts.schemas import PromptCreate
from autoforge.prompts.service import create_prompt
from autoforge.worker.runner import execute_job

OWNER = DEFAULT_PROJECT_ID
FAKE = "fake/fast"
TEMPLATE = "Question {{text}}: answer yes or no."
OVERHEAD_CASES = 500
THROUGHPUT_CASES = 1000
LOCAL_CASES = 40


def fake_container(root: Path, name: str, client: FakeModelClient) -> Container:
    container = bootstrap(Settings(autoforge_data_dir=root / name, _env_file=None))  # type: ignore[call-arg]
    migrations.upgrade(container.database.engine)
    writes = WriteBehind(container.database)
    gateway = Gateway(
        client,
        GatewayConfig(default_model=FAKE, concurrency={"fake": 64}),
        cache=ResponseCache(container.database, writes),
        calls=CallLog(container.database, writes),
    )
    return dataclasses.replace(container, gateway=gateway)


def seed_prompt(container: Container, name: str, content: str) -> None:
    data = PromptCreate(name=name, title=name, content=content)
    container.database.run(lambda uow: create_prompt(uow, OWNER, data))


def seed_dataset(container: Container, name: str, cases: list[dict[str, object]]) -> None:
    def work(uow: UnitOfWork) -> None:
        row = DatasetRow(project_id=OWNER, name=name, latest_version=1)
        uow.session.add(row)
        uow.session.flush()
        version = DatasetVersionRow(
            dataset_id=row.id, version_number=1, item_count=len(cases), created_by=OWNER
        )
        uow.session.add(version)
        uow.session.flush()
        uow.session.add_all(
            DatasetItemRow(
                dataset_version_id=version.id,
                position=k,
                name=str(case["name"]),
                input=case["input"],
                expected=case["expected"],
            )
            for k, case in enumerate(cases)
        )

    container.database.run(work)


def seed(container: Container, cases: list[dict[str, object]]) -> None:
    seed_prompt(container, "p", TEMPLATE)
    seed_dataset(container, "d", cases)


def numbered(count: int) -> list[dict[str, object]]:
    return [
        {"name": f"case-{i:05d}", "input": {"text": str(i)}, "expected": "yes"}
        for i in range(count)
    ]


def evaluate(container: Container, prompt: str, dataset: str, **body: object) -> Evaluation:
    """Starts an evaluation and runs its job here; returns it once completed."""
    data = EvaluationCreate.model_validate({"prompt_name": prompt, "dataset_name": dataset, **body})
    defaults = service.Defaults(model=container.gateway.config.default_model, concurrency=4)
    started = container.database.run(
        lambda uow: service.start_evaluations(uow, OWNER, data, defaults)
    )
    execute_job(container, started.job_ids[0])
    evaluation_id = started.batch.evaluations[0].id
    done = container.database.run(
        lambda uow: service.get_evaluation(uow, OWNER, evaluation_id), read_only=True
    )
    assert done.status == "completed", done.error
    return done


def timed_run(container: Container, prompt: str, dataset: str, **body: object) -> float:
    started = time.perf_counter()
    evaluate(container, prompt, dataset, **body)
    return time.perf_counter() - started


def bare_loop(cases: list[dict[str, object]]) -> float:
    """Seconds for the minimum any evaluator must do: call the model, score the answer."""
    client = FakeModelClient()
    assertions = AssertionSet.model_validate(DEFAULT_ASSERTIONS)
    tools = ScoringTools()
    started = time.perf_counter()
    for case in cases:
        inputs = case["input"]
        assert isinstance(inputs, dict)
        request = CompletionRequest(
            model=FAKE,
            messages=[{"role": "user", "content": render_case(TEMPLATE, inputs)}],
            params={"temperature": 0.0},
        )
        text = client.complete(request, timeout_s=60).text
        assertions.score(CaseOutcome(text, str(case["expected"]), inputs), tools)
    return time.perf_counter() - started


def bench_overhead(root: Path) -> None:
    cases = numbered(OVERHEAD_CASES)
    container = fake_container(root, "overhead", FakeModelClient())
    seed(container, cases)
    evaluate(container, "p", "d", concurrency=1, no_cache=True)  # warm-up: imports, pools
    bare_loop(cases)
    bare = min(bare_loop(cases) for _ in range(3)) / OVERHEAD_CASES * 1000
    uncached = timed_run(container, "p", "d", concurrency=1, no_cache=True)
    # Another prompt: every call misses the cache, then is stored in it.
    seed_prompt(container, "p2", "Another " + TEMPLATE)
    with_cache = timed_run(container, "p2", "d", concurrency=1)
    cache_hits = timed_run(container, "p2", "d", concurrency=1)
    container.gateway.close()
    container.close()
    rows = [
        ("bare loop: fake model call + scoring", bare),
        ("engine, response cache off", uncached / OVERHEAD_CASES * 1000),
        ("engine, cache on, misses (lookup + store)", with_cache / OVERHEAD_CASES * 1000),
        ("engine, cache on, all hits (a re-run)", cache_hits / OVERHEAD_CASES * 1000),
    ]
    print(f"evaluation engine, {OVERHEAD_CASES} cases one at a time, instant fake model")
    for label, value in rows:
        print(f"  {label:<44}{value:8.3f} ms/case  ({value / bare:6.1f}x bare)")
    print(f"  {'engine overhead per case (cache off)':<44}{rows[1][1] - bare:8.3f} ms")


def bench_throughput(root: Path) -> None:
    cases = numbered(THROUGHPUT_CASES)
    print(f"throughput, {THROUGHPUT_CASES:,} cases, concurrency 32")
    for delay_ms in (0, 20):
        container = fake_container(
            root, f"throughput-{delay_ms}", FakeModelClient(delay_s=delay_ms / 1000)
        )
        seed(container, cases)
        seconds = timed_run(container, "p", "d", concurrency=32, no_cache=True)
        ideal = THROUGHPUT_CASES * delay_ms / 1000 / 32
        container.gateway.close()
        container.close()
        print(
            f"  fake model answering in {delay_ms:2d} ms"
            f"   {THROUGHPUT_CASES / seconds:8.0f} cases/s"
            f"  ({seconds:.2f} s; model time alone at 32 wide: {ideal:.2f} s)"
        )


def bench_local_model(root: Path) -> None:
    container = bootstrap(Settings(autoforge_data_dir=root / "local", _env_file=None))  # type: ignore[call-arg]
    migrations.upgrade(container.database.engine)
    seed_prompt(container, "sentiment", example_setup("sentiment").template)
    seed_dataset(container, "sentiment", load_example("sentiment")[:LOCAL_CASES])
    warm_up = CompletionRequest(model=GATEWAY_NAME, prompt="Hello", params={"max_tokens": 1})
    started = time.perf_counter()
    container.gateway.complete(warm_up, cache=CachePolicy.BYPASS)
    load = time.perf_counter() - started
    started = time.perf_counter()
    first = evaluate(container, "sentiment", "sentiment")
    cold = time.perf_counter() - started
    started = time.perf_counter()
    again = evaluate(container, "sentiment", "sentiment")
    cached = time.perf_counter() - started
    container.close()
    print(f"local model {GATEWAY_NAME}, shipped sentiment example, {LOCAL_CASES} cases")
    print(f"  model load (fresh data dir)     {load:7.2f} s")
    print(
        f"  evaluation, model warm          {cold:7.2f} s   "
        f"accuracy {first.accuracy_score:.3f}, latency p50 {first.latency_p50_ms:.0f} ms"
    )
    print(f"  identical re-run                {cached:7.2f} s   {again.cache_hits} calls saved")


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-evaluation-"))
    try:
        bench_overhead(root)
        bench_throughput(root)
        bench_local_model(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
