"""`autoforge eval`: run an evaluation here (or queue it for a server), follow, read, compare.

`eval run` waits by default and runs the job in this very process, with the same runner a
server's worker uses, so it works with no server. Service modules are imported inside the
commands so that `autoforge --help` stays fast.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from autoforge.cli import evaluation_tables as tables
from autoforge.cli.common import (
    JsonOption,
    console,
    error_console,
    fail,
    in_transaction,
    owner,
    print_json,
    run_command,
    run_scoped,
)
from autoforge.cli.downloads import FormatOption, OutputOption
from autoforge.cli.downloads import export as export_to
from autoforge.cli.scoring_options import (
    AssertionsFileOption,
    AssertOption,
    MaxTokensOption,
    ScoringFileOption,
    StopOption,
    TemperatureOption,
    ThresholdOption,
    describe_scoring,
    scoring_request,
)

if TYPE_CHECKING:
    from autoforge.bootstrap import Container
    from autoforge.db.unit_of_work import UnitOfWork
    from autoforge.evaluations.schemas import (
        ComparisonReport,
        Evaluation,
        EvaluationBatch,
        EvaluationCreate,
        EvaluationPage,
        ResultPage,
    )

app = typer.Typer(help="Evaluate prompt versions on datasets, and compare the runs.")
Status = Literal["pending", "running", "completed", "failed"]
EvaluationArgument = Annotated[str, typer.Argument(metavar="ID", help="an evaluation id")]
# The exit code of a CI gate that did not pass (`--fail-under`, `--fail-on-regression`):
# 1 is a run that failed, 2 a usage error.
GATE_FAILED = 3
_POLL_S = 0.2


def _request(prompt: str, dataset: str, fields: dict[str, Any]) -> EvaluationCreate:
    """The request, by name (or id): the service resolves both the way the API does."""
    from autoforge.evaluations.schemas import EvaluationCreate

    body = {"prompt_name": prompt, "dataset_name": dataset, **fields}
    return EvaluationCreate.model_validate({k: v for k, v in body.items() if v is not None})


@app.command()
def run(
    *,
    prompt: Annotated[str, typer.Argument(metavar="PROMPT", help="the prompt's name (or id)")],
    dataset: Annotated[str, typer.Option("--dataset", "-d", help="dataset name (or id)")],
    dataset_version: Annotated[int | None, typer.Option(help="default: latest")] = None,
    version: Annotated[int | None, typer.Option(help="prompt version (default: latest)")] = None,
    label: Annotated[str | None, typer.Option(help="the version this label points at")] = None,
    model: Annotated[list[str] | None, typer.Option(help="a model; repeat for more")] = None,
    assertion: AssertOption = None,
    assertions_file: AssertionsFileOption = None,
    scoring: ScoringFileOption = None,
    pass_threshold: ThresholdOption = None,
    concurrency: Annotated[int | None, typer.Option(help="cases at once")] = None,
    temperature: TemperatureOption = None,
    max_tokens: MaxTokensOption = None,
    stop: StopOption = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="always call the model")] = False,
    wait: Annotated[bool, typer.Option(help="run it here and wait (else: queue it)")] = True,
    failures: Annotated[int, typer.Option(help="failing cases to list")] = 10,
    fail_under: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            max=1.0,
            help=f"a CI gate: exit {GATE_FAILED} if a model's overall score is below this",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Evaluate PROMPT on a dataset: progress bar, then the aggregates and failing cases.

    Exit codes: 0 done (and the gate passed), 1 a run failed, 2 a usage error,
    3 below --fail-under.
    """
    if fail_under is not None and not wait:
        raise fail("--fail-under needs the result: drop --no-wait", code=2)
    assertions, params = scoring_request(
        specs=assertion,
        assertions_file=assertions_file,
        scoring_file=scoring,
        threshold=pass_threshold,
        max_tokens=max_tokens,
        stop=stop,
        temperature=temperature,
    )
    fields = {
        "prompt_version": version,
        "label": label,
        "dataset_version": dataset_version,
        "models": model or None,
        "assertions": assertions,
        "params": params,
        "concurrency": concurrency,
        "no_cache": no_cache,
    }

    def action(built: Container) -> tuple[EvaluationBatch, dict[str, ResultPage]]:
        from autoforge.evaluations import service

        me = owner(built)

        def begin(uow: UnitOfWork) -> service.Started:
            data = _request(prompt, dataset, fields)
            return service.start_evaluations(uow, me, data, service.defaults_of(built))

        started = run_scoped(built, begin)
        if not as_json:
            line = describe_scoring(started.batch.evaluations[0].config)
            console.print(line, highlight=False, soft_wrap=True)
        if not wait:
            return started.batch, {}
        evaluations = [
            _run_here(built, evaluation, job_id, show=not as_json)
            for evaluation, job_id in zip(started.batch.evaluations, started.job_ids, strict=True)
        ]
        batch = started.batch.model_copy(update={"evaluations": evaluations})
        return batch, _failures(built, evaluations, failures)

    batch, failing = run_command(action, as_json=as_json)
    if as_json:
        print_json(batch)
    else:
        _report(batch, failing, waited=wait)
    if any(e.status == "failed" for e in batch.evaluations):
        raise typer.Exit(1)
    if fail_under is not None:
        _gate_on_score(batch.evaluations, fail_under, as_json=as_json)


def _gate_on_score(evaluations: list[Evaluation], floor: float, *, as_json: bool) -> None:
    below = [e for e in evaluations if e.overall_score is None or e.overall_score < floor]
    for evaluation in below:
        score = "none" if evaluation.overall_score is None else f"{evaluation.overall_score:.3f}"
        error_console.print(
            f"[bold red]gate:[/] {evaluation.model} scored {score}, under --fail-under {floor}",
            soft_wrap=True,
        )
    if below:
        raise typer.Exit(GATE_FAILED)
    if not as_json:
        error_console.print(f"gate passed: every score is at least {floor}")


def _run_here(built: Container, evaluation: Evaluation, job_id: str, *, show: bool) -> Evaluation:
    """Runs the job on a thread while this one draws the progress bar from the database:
    exactly what a server's client would see."""
    from autoforge.cli.common import progress_bar
    from autoforge.worker.runner import execute_job

    stopping = threading.Event()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            execute_job(built, job_id, should_stop=stopping.is_set)
        except BaseException as exc:  # shown through the evaluation's status and error
            errors.append(exc)

    thread = threading.Thread(target=work, name="eval-run", daemon=True)
    thread.start()
    with progress_bar(show) as bar:
        task = bar.add_task(evaluation.model, total=evaluation.progress.total)
        try:
            while thread.is_alive():
                thread.join(_POLL_S)
                current = _read(built, evaluation.id)
                bar.update(task, completed=current.progress.done, description=_line(current))
        except KeyboardInterrupt:
            stopping.set()  # cases in flight finish and are kept; the job goes back to the queue
            thread.join()
            error_console.print("interrupted: `autoforge eval run` again or a server resumes it")
            raise typer.Exit(130) from None
    return _read(built, evaluation.id)


def _line(evaluation: Evaluation) -> str:
    score = evaluation.progress.running_score
    shown = "-" if score is None else f"{score:.3f}"
    return f"{evaluation.model} · score {shown} · cache hits {evaluation.cache_hits}"


def _read(built: Container, evaluation_id: str) -> Evaluation:
    from autoforge.evaluations.service import get_evaluation

    return run_scoped(
        built, lambda uow: get_evaluation(uow, owner(built), evaluation_id), read_only=True
    )


def _failures(built: Container, evaluations: list[Evaluation], limit: int) -> dict[str, ResultPage]:
    from autoforge.evaluations.service import list_results

    def failing(evaluation_id: str) -> ResultPage:
        return run_scoped(
            built,
            lambda uow: list_results(uow, owner(built), evaluation_id, passed=False, limit=limit),
            read_only=True,
        )

    return {e.id: failing(e.id) for e in evaluations} if limit > 0 else {}


def _report(batch: EvaluationBatch, failing: dict[str, ResultPage], *, waited: bool) -> None:
    if not waited:
        for e in batch.evaluations:
            console.print(f"queued {e.id} ({e.model}): a running `autoforge serve` runs it")
        return
    for evaluation in batch.evaluations:
        tables.print_evaluation(evaluation)
        page = failing.get(evaluation.id)
        if page is not None and page.items:
            more = " (more: eval results --failed)" if page.next_cursor else ""
            tables.print_results(page.items, title=f"failing cases{more}")
        console.print("")


@app.command()
def show(evaluation_id: EvaluationArgument, as_json: JsonOption = False) -> None:
    """One evaluation: status, progress, aggregates, calls saved by the cache."""
    from autoforge.evaluations.service import get_evaluation

    found = in_transaction(
        lambda uow, me: get_evaluation(uow, me, evaluation_id), read_only=True, as_json=as_json
    )
    if as_json:
        print_json(found)
    else:
        tables.print_evaluation(found)


@app.command("list")
def list_(
    prompt: Annotated[str | None, typer.Option(help="only this prompt's (name or id)")] = None,
    status: Annotated[Status | None, typer.Option(help="only in this status")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 20,
    as_json: JsonOption = False,
) -> None:
    """Evaluations, newest first."""
    from autoforge.cli.lookup import prompt_id
    from autoforge.evaluations.service import list_evaluations

    def work(uow: UnitOfWork, me: str) -> EvaluationPage:
        chosen = prompt_id(uow, me, prompt) if prompt is not None else None
        return list_evaluations(uow, me, prompt_id=chosen, status=status, limit=limit)

    page = in_transaction(work, read_only=True, as_json=as_json)
    if as_json:
        print_json(page)
    else:
        tables.print_evaluations(page.items)


@app.command()
def results(
    evaluation_id: EvaluationArgument,
    *,
    failed: Annotated[bool, typer.Option("--failed", help="only the failing cases")] = False,
    unsupported: Annotated[
        bool,
        typer.Option("--unsupported", help="only the cases counted in the hallucination rate"),
    ] = False,
    after: Annotated[str | None, typer.Option(help="from the previous page's next_cursor")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    as_json: JsonOption = False,
) -> None:
    """The per-case results, by test case name."""
    from autoforge.evaluations.service import list_results

    page = in_transaction(
        lambda uow, me: list_results(
            uow,
            me,
            evaluation_id,
            passed=False if failed else None,
            unsupported=True if unsupported else None,
            after=after,
            limit=limit,
        ),
        read_only=True,
        as_json=as_json,
    )
    if as_json:
        print_json(page)
        return
    tables.print_results(page.items)
    if page.next_cursor:
        console.print(f"more: --after {page.next_cursor}")


@app.command()
def compare(
    evaluation_ids: Annotated[list[str], typer.Argument(metavar="ID...", help="baseline first")],
    limit: Annotated[int, typer.Option(help="differing cases to list")] = 20,
    fail_on_regression: Annotated[
        bool,
        typer.Option(
            "--fail-on-regression",
            help=f"a CI gate: exit {GATE_FAILED} if a later run scores worse than the first "
            "beyond the 95 % bootstrap interval",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Compare completed evaluations: deltas vs the first with 95 % bootstrap intervals.

    With --fail-on-regression the command is a CI gate: a score delta whose whole interval
    lies below 0 exits 3. A drop within the noise of the cases passes.
    """
    from autoforge.evaluations.comparison import compare_evaluations
    from autoforge.evaluations.schemas import CompareRequest

    def work(uow: UnitOfWork, me: str) -> ComparisonReport:
        request = CompareRequest(evaluation_ids=evaluation_ids)
        return compare_evaluations(uow, me, request.evaluation_ids)

    report = in_transaction(work, read_only=True, as_json=as_json)
    if as_json:
        print_json(report)
    else:
        tables.print_comparison(report, limit)
    if fail_on_regression:
        _gate_on_regression(report)


def _gate_on_regression(report: ComparisonReport) -> None:
    names = {e.id: e.model for e in report.evaluations}
    worse = [d for d in report.deltas if d.score.ci_high < 0]
    for delta in worse:
        error_console.print(
            f"[bold red]regression:[/] {delta.evaluation_id} ({names[delta.evaluation_id]}) "
            f"scores {delta.score.delta:+.3f} vs the first, 95 % interval "
            f"[{delta.score.ci_low:+.3f}, {delta.score.ci_high:+.3f}]",
            soft_wrap=True,
        )
    if worse:
        raise typer.Exit(GATE_FAILED)
    error_console.print("no regression beyond the bootstrap interval")


@app.command("export")
def export_results(
    evaluation_id: EvaluationArgument,
    fmt: FormatOption = "jsonl",
    output: OutputOption = None,
    as_json: JsonOption = False,
) -> None:
    """Export an evaluation's per-case results (input, output, expected, score, passed,
    latency, tokens, cost...) as JSON Lines or CSV, from what was recorded: nothing runs
    again. To stdout, or to a file with a progress bar."""
    from autoforge.evaluations.export import export_results as results_of

    export_to(
        lambda built: results_of(built.database, owner(built), evaluation_id, fmt),
        fmt,
        output,
        noun="result",
        as_json=as_json,
    )
