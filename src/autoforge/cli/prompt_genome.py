"""`autoforge prompt genome`: the style genome of a prompt version, compared and over time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Column, Table

from autoforge.cli.common import (
    JsonOption,
    PromptNameArgument,
    console,
    in_transaction,
    print_json,
    when,
)
from autoforge.cli.lookup import prompt_id

if TYPE_CHECKING:
    from autoforge.db.unit_of_work import UnitOfWork
    from autoforge.style.schemas import PromptGenome

app = typer.Typer()
PANEL = "Style"


@app.command(rich_help_panel=PANEL)
def genome(
    name: PromptNameArgument,
    version: Annotated[
        int | None,
        typer.Option(min=1, help="default: the version of the latest completed evaluation"),
    ] = None,
    compare: Annotated[
        int | None,
        typer.Option(min=1, help="the version to compare with; default: the production one"),
    ] = None,
    traces: Annotated[
        bool, typer.Option("--traces", help="profile recent traced calls, not an evaluation")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """A version's style genome (docs/style-genome.md) against another version's, whether it
    drifted from production, and the style consistency of each completed evaluation."""
    from autoforge.style import service

    def work(uow: UnitOfWork, owner: str) -> PromptGenome:
        return service.prompt_genome(
            uow,
            prompt_id(uow, owner, name),
            version=version,
            compare=compare,
            source="traces" if traces else "evaluation",
        )

    found = in_transaction(work, read_only=True, as_json=as_json)
    if as_json:
        print_json(found)
        return
    _print(found)


def _print(found: PromptGenome) -> None:
    g, c = found.genome, found.comparison
    console.print(
        f"[bold]{escape(found.prompt_name)}[/] v{g.version} ({g.source}, {g.samples} outputs): "
        f"consistency {g.consistency:.3f}"
    )
    columns = [Column("gene"), Column(f"v{g.version}", justify="right")]
    if c is not None:
        columns[1:1] = [Column(f"v{c.a.version}", justify="right")]
        columns.append(Column("difference", justify="right"))
    table = Table(*columns)
    for name, value in g.genes.items():
        if c is None:
            table.add_row(name, f"{value:.3f}")
        else:
            d = next(item for item in c.genes if item.name == name)
            table.add_row(name, f"{d.a:.3f}", f"{value:.3f}", f"{d.difference:.3f}")
    console.print(table)
    if c is not None:
        verdict = "[bold red]drift[/]" if found.drift else "no drift"
        console.print(
            f"distance from v{c.a.version}: {c.distance:.3f} (threshold {c.threshold}); {verdict}"
        )
    history = Table("finished", "version", "model", "consistency", title="Consistency over time")
    for point in found.history:
        history.add_row(
            when(point.finished_at) if point.finished_at else "",
            str(point.version),
            escape(point.model),
            f"{point.consistency:.3f}",
        )
    console.print(history)
