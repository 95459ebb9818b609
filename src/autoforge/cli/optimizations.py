"""`autoforge optimize`: search for a better prompt here (or queue it), then read the runs.

`autoforge optimize PROMPT ...` is short for `autoforge optimize run PROMPT ...`. With
`--wait` (the default) the job runs in this very process, with the runner a server's
worker uses, so it works with no server.
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.table import Table
from typer.core import TyperGroup

from autoforge.cli.common import (
    JsonOption,
    console,
    error_console,
    in_transaction,
    owner,
    print_json,
    run_command,
    run_scoped,
    when,
)
from autoforge.cli.scoring_options import (
    AssertionsFileOption,
    AssertOption,
    MaxTokensOption,
    ScoringFileOption,
    StopOption,
    ThresholdOption,
    describe_scoring,
    scoring_request,
)

if TYPE_CHECKING:
    from autoforge.bootstrap import Container
    from autoforge.db.unit_of_work import UnitOfWork
    from autoforge.optimizations.schemas import CandidatePage, Optimization, OptimizationPage

Strategy = Literal["genetic", "bandit", "opro", "reflective"]
Status = Literal["pending", "running", "completed", "failed"]
OptimizationArgument = Annotated[str, typer.Argument(metavar="ID", help="an optimization id")]
_POLL_S = 0.2


class _RunByDefault(TyperGroup):
    """Anything that is not a sub-command is a prompt to optimize: `optimize PROMPT`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_RunByDefault,
    no_args_is_help=True,
    help="Optimize a prompt on a dataset (`optimize PROMPT --dataset D`), and read the runs.",
)


@app.command()
def run(
    *,
    prompt: Annotated[str, typer.Argument(metavar="PROMPT", help="the prompt's name (or id)")],
    dataset: Annotated[str, typer.Option("--dataset", "-d", help="dataset name (or id)")],
    strategy: Annotated[Strategy, typer.Option(help="the search")] = "bandit",
    budget_calls: Annotated[int, typer.Option(min=1, help="model calls at most")] = 300,
    budget_usd: Annotated[float | None, typer.Option(min=0, help="dollars at most")] = None,
    budget_seconds: Annotated[float | None, typer.Option(help="wall time at most")] = None,
    model: Annotated[str | None, typer.Option(help="target model (default: configured)")] = None,
    optimizer_model: Annotated[str | None, typer.Option(help="model for rewriting")] = None,
    seed: Annotated[int, typer.Option(min=0, help="same seed, same search")] = 0,
    version: Annotated[int | None, typer.Option(help="start version (default: latest)")] = None,
    dataset_version: Annotated[int | None, typer.Option(help="default: latest")] = None,
    test_share: Annotated[
        float, typer.Option(min=0, max=0.9, help="held-out share the result is measured on")
    ] = 0.3,
    val_share: Annotated[float, typer.Option(min=0.05, max=0.9, help="selects the winner")] = 0.3,
    assertion: AssertOption = None,
    assertions_file: AssertionsFileOption = None,
    scoring: ScoringFileOption = None,
    pass_threshold: ThresholdOption = None,
    max_tokens: MaxTokensOption = None,
    stop: StopOption = None,
    wait: Annotated[bool, typer.Option(help="run it here and wait (else: queue it)")] = True,
    as_json: JsonOption = False,
) -> None:
    """Search for a better version of PROMPT; live progress, then start vs winner on the
    held-out test split (with a 95 % interval).

    Scoring and generation settings come from the dataset version (given with it, or
    inferred from its answers: see `autoforge dataset show`); --assert, --assertions,
    --scoring, --max-tokens and --stop override them. The line printed before the run
    says what it scores with.
    """
    budget = {"calls": budget_calls, "usd": budget_usd, "seconds": budget_seconds}
    assertions, params = scoring_request(
        specs=assertion,
        assertions_file=assertions_file,
        scoring_file=scoring,
        threshold=pass_threshold,
        max_tokens=max_tokens,
        stop=stop,
        temperature=None,
    )
    if test_share + val_share >= 1:
        raise typer.BadParameter("--test-share + --val-share must leave some train cases")
    body: dict[str, Any] = {
        "prompt": prompt,
        "prompt_version": version,
        "dataset": dataset,
        "dataset_version": dataset_version,
        "strategy": strategy,
        "model": model,
        "optimizer_model": optimizer_model,
        "seed": seed,
        "budget": {k: v for k, v in budget.items() if v is not None},
        "split": {
            "train": round(1 - test_share - val_share, 6),
            "val": val_share,
            "test": test_share,
        },
        "assertions": assertions,
        "params": params,
    }

    def action(built: Container) -> Optimization:
        from autoforge.optimizations.schemas import OptimizationCreate
        from autoforge.optimizations.service import start_optimization

        data = OptimizationCreate.model_validate({k: v for k, v in body.items() if v is not None})
        gateway = built.gateway
        default_model = gateway.config.default_model
        started = run_scoped(
            built,
            lambda uow: start_optimization(
                uow, owner(built), data, default_model, gateway.unpriced
            ),
        )
        if not as_json:
            console.print(
                describe_scoring(started.optimization.config), highlight=False, soft_wrap=True
            )
        if not wait:
            return started.optimization
        return _run_here(built, started.optimization, started.job_id, show=not as_json)

    found = run_command(action, as_json=as_json)
    if as_json:
        print_json(found)
    elif not wait:
        console.print(f"queued {found.id}: a running `autoforge serve` runs it")
    else:
        print_optimization(found)
    if found.status == "failed":
        raise typer.Exit(1)


def _run_here(built: Container, started: Optimization, job_id: str, *, show: bool) -> Optimization:
    """Runs the job on a thread while this one draws progress from the database: exactly
    what a server's client would see."""
    from autoforge.cli.common import progress_bar
    from autoforge.worker.runner import execute_job

    stopping = threading.Event()

    def work() -> None:
        # A failure is shown through the optimization's status and error.
        with contextlib.suppress(Exception):
            execute_job(built, job_id, should_stop=stopping.is_set)

    thread = threading.Thread(target=work, name="optimize-run", daemon=True)
    thread.start()
    with progress_bar(show) as bar:
        task = bar.add_task(started.strategy, total=started.budget["calls"])
        try:
            while thread.is_alive():
                thread.join(_POLL_S)
                current = _read(built, started.id)
                bar.update(task, completed=current.calls_used, description=_line(current))
        except KeyboardInterrupt:
            stopping.set()  # the search stops at its next round; the job goes back to the queue
            thread.join()
            error_console.print("interrupted: `autoforge serve` restarts it (cached calls free)")
            raise typer.Exit(130) from None
    return _read(built, started.id)


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _line(current: Optimization) -> str:
    p = current.progress
    if p is None:
        return f"{current.strategy} · {current.status}"
    return (
        f"{current.strategy} round {p.round} · best train {_score(p.best_train)} · "
        f"best val {_score(p.best_val)} · calls"
    )


def _read(built: Container, optimization_id: str) -> Optimization:
    from autoforge.optimizations.service import get_optimization

    return run_scoped(
        built, lambda uow: get_optimization(uow, owner(built), optimization_id), read_only=True
    )


def print_optimization(found: Optimization) -> None:
    console.print(
        f"[bold]{found.id}[/] · {found.strategy} · {found.model} · seed {found.seed} · "
        f"{found.status}" + (f" ({found.stop_reason})" if found.stop_reason else "")
    )
    if found.error:
        console.print(f"[red]{found.error}[/]")
    table = Table("split", "start", "winner", "used for")
    table.add_row("train", _score(found.baseline_train), _score(found.best_train), "searching")
    table.add_row(
        "validation", _score(found.baseline_val), _score(found.best_val), "choosing the winner"
    )
    table.add_row(
        "test",
        _score(found.baseline_test),
        _score(found.best_test),
        f"the result ({found.test_cases} held-out cases)" if found.test_cases else "none held out",
    )
    console.print(table)
    wall = "-" if found.wall_s is None else f"{found.wall_s:.1f} s"
    improvement = "-" if found.improvement is None else f"{found.improvement:+.3f}"
    interval = (
        f" (95 % interval {found.test_delta_low:+.3f} to {found.test_delta_high:+.3f})"
        if found.test_delta_low is not None and found.test_delta_high is not None
        else ""
    )
    unpriced = (
        f" + {found.unpriced_calls} unpriced calls (set LLM_PRICES)" if found.unpriced_calls else ""
    )
    console.print(
        f"improvement on {found.measured_on or '-'}: {improvement}{interval} · "
        f"{found.calls_used}/{found.budget['calls']} calls · {found.cache_hits} cache hits · "
        f"${found.cost_usd:.4f}{unpriced} · {wall}",
        highlight=False,
        soft_wrap=True,
    )
    if found.verdict:
        console.print(found.verdict, highlight=False, soft_wrap=True)
    if found.best_template is not None:
        console.print("best template:", style="bold")
        console.print(found.best_template, markup=False, highlight=False)
        console.print(f"saved as prompt version {found.best_version}")


@app.command()
def show(optimization_id: OptimizationArgument, as_json: JsonOption = False) -> None:
    """One optimization: status, progress, figures, best template and its version."""
    from autoforge.optimizations.service import get_optimization

    found = in_transaction(
        lambda uow, me: get_optimization(uow, me, optimization_id), read_only=True, as_json=as_json
    )
    if as_json:
        print_json(found)
    else:
        print_optimization(found)


@app.command("list")
def list_(
    prompt: Annotated[str | None, typer.Option(help="only this prompt's (name or id)")] = None,
    status: Annotated[Status | None, typer.Option(help="only in this status")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 20,
    as_json: JsonOption = False,
) -> None:
    """Optimizations, newest first."""
    from autoforge.cli.lookup import prompt_id
    from autoforge.optimizations.service import list_optimizations

    def work(uow: UnitOfWork, me: str) -> OptimizationPage:
        chosen = prompt_id(uow, me, prompt) if prompt is not None else None
        return list_optimizations(uow, me, prompt_id=chosen, status=status, limit=limit)

    page = in_transaction(work, read_only=True, as_json=as_json)
    if as_json:
        print_json(page)
        return
    table = Table("id", "created", "strategy", "status", "start test", "winner test", "calls")
    for o in page.items:
        table.add_row(
            o.id,
            when(o.created_at),
            o.strategy,
            o.status,
            _score(o.baseline_test),
            _score(o.best_test),
            str(o.calls_used),
        )
    console.print(table)


@app.command()
def candidates(
    optimization_id: OptimizationArgument,
    after: Annotated[int | None, typer.Option(help="from the previous page's next_cursor")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    as_json: JsonOption = False,
) -> None:
    """The run's history: every candidate in order, its scores and lineage."""
    from autoforge.optimizations.service import list_candidates

    page: CandidatePage = in_transaction(
        lambda uow, me: list_candidates(uow, me, optimization_id, after=after, limit=limit),
        read_only=True,
        as_json=as_json,
    )
    if as_json:
        print_json(page)
        return
    table = Table("#", "round", "train", "val", "calls", "operators", "template")
    for c in page.items:
        first_line = c.template.strip().splitlines()[0] if c.template.strip() else ""
        table.add_row(
            str(c.position),
            str(c.round),
            _score(c.train_score),
            _score(c.val_score),
            str(c.calls_at),
            ", ".join(c.operators) or "start",
            first_line[:60],
        )
    console.print(table)
    if page.next_cursor is not None:
        console.print(f"more: --after {page.next_cursor}")
