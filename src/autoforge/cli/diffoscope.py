"""`autoforge eval diffoscope ID`: the evaluated prompt's requirements against its outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from autoforge.cli.common import JsonOption, console, owner, print_json, run_command
from autoforge.cli.evaluation_tables import clip

if TYPE_CHECKING:
    from autoforge.bootstrap import Container
    from autoforge.diffoscope.schemas import Diffoscope


def _share(value: float | None) -> str:
    if value is None:
        return "[dim]not checked[/]"
    style = "green" if value >= 1.0 else "yellow" if value >= 0.8 else "red"
    return f"[{style}]{round(value * 100)} %[/]"


def diffoscope(
    evaluation_id: Annotated[str, typer.Argument(metavar="ID", help="an evaluation id")],
    llm_model: Annotated[
        str | None,
        typer.Option(help="also extract requirements with this model (never a local/ one)"),
    ] = None,
    examples: Annotated[
        int, typer.Option(min=0, max=50, help="violating outputs shown per requirement")
    ] = 2,
    as_json: JsonOption = False,
) -> None:
    """What the prompt asks against what the outputs do: each requirement, where the prompt
    states it, the share of outputs keeping it, violating outputs, a gap score, suggestions.

    The rules always run; JUDGE_MODEL (unless local) or --llm-model also extracts.
    """
    from autoforge.diffoscope.service import diffoscope as build
    from autoforge.diffoscope.service import extraction_model

    def action(built: Container) -> Diffoscope:
        model = extraction_model(llm_model, built.settings.judge_model)
        return build(
            built.database,
            built.gateway,
            owner(built),
            evaluation_id,
            model=model,
            examples=examples,
        )

    report = run_command(action, as_json=as_json)
    if as_json:
        print_json(report)
    else:
        print_diffoscope(report)


def print_diffoscope(report: Diffoscope) -> None:
    gap = "-" if report.gap_score is None else f"{report.gap_score:.2f}"
    console.print(
        f"[bold]{report.evaluation_id}[/] · prompt {report.prompt_id} v{report.prompt_version}"
        f" · {report.outputs} outputs · gap score [bold]{gap}[/] (0 = every requirement kept)",
        soft_wrap=True,
    )
    if report.extraction_error:
        console.print(f"[yellow]model extraction skipped:[/] {escape(report.extraction_error)}")
    if not report.requirements:
        console.print("The prompt states no requirement the diffoscope recognises.")
        return
    table = Table("id", "requirement", "stated as", "by", "kept", "broken", title="Requirements")
    for r in report.requirements:
        table.add_row(
            r.id,
            escape(r.description),
            escape(clip(r.quote, 32)),
            r.source,
            _share(r.share),
            f"{r.violations}/{r.checked}",
        )
    console.print(table)
    _print_examples(report)
    for line in report.suggestions:
        console.print(f"• {escape(line)}", soft_wrap=True)


def _print_examples(report: Diffoscope) -> None:
    rows = [(r.id, e) for r in report.requirements for e in r.examples]
    if not rows:
        return
    table = Table("id", "case", "why", "output", title="Violating outputs")
    for requirement_id, example in rows:
        table.add_row(
            requirement_id,
            escape(example.test_case_name),
            escape(example.reason),
            escape(clip(example.output, 60)),
        )
    console.print(table)
