"""`autoforge prompt similar|search|duplicates`: prompts alike in meaning (local embeddings).

Each command first embeds the versions of the project that have no embedding yet (the
server does that in the background; prompts written by the CLI alone wait for this).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Column, Table

from autoforge.cli.common import (
    JsonOption,
    PromptNameArgument,
    caller,
    console,
    print_json,
    run_command,
    run_scoped,
)
from autoforge.cli.lookup import prompt_id

if TYPE_CHECKING:
    from autoforge.bootstrap import Container
    from autoforge.db.unit_of_work import UnitOfWork
    from autoforge.similarity.schemas import DuplicateCluster, SimilarPrompt, SimilarPrompts

app = typer.Typer()
PANEL = "Similarity"
KOption = Annotated[int, typer.Option("--k", "-k", min=1, max=50, help="prompts at most")]


def _embedded(built: Container) -> None:
    from autoforge.similarity import service

    service.embed_missing(built.database, built.embedder)


def _table(items: list[SimilarPrompt]) -> None:
    table = Table(
        "name", Column("similarity", justify="right"), "version", "status", "title", box=None
    )
    for p in items:
        table.add_row(
            escape(p.name), f"{p.similarity:.3f}", f"v{p.version}", p.status, escape(p.title)
        )
    console.print(table)


def _show(page: SimilarPrompts, as_json: bool) -> None:
    if as_json:
        print_json(page)
    elif not page.items:
        console.print(f"no prompts at or above similarity {page.threshold}")
    else:
        _table(page.items)


@app.command(rich_help_panel=PANEL)
def similar(
    name: PromptNameArgument,
    k: KOption = 10,
    threshold: Annotated[float, typer.Option(min=0.0, max=1.0, help="least similarity")] = 0.7,
    as_json: JsonOption = False,
) -> None:
    """The project's prompts most similar in meaning to this one."""
    from autoforge.similarity import service

    def action(built: Container) -> SimilarPrompts:
        _embedded(built)
        owner = caller(built).project_id

        def work(uow: UnitOfWork) -> SimilarPrompts:
            found = prompt_id(uow, owner, name)
            return service.similar_prompts(
                uow, owner, built.embedder, found, k=k, threshold=threshold
            )

        return run_scoped(built, work, read_only=True)

    _show(run_command(action, as_json=as_json), as_json)


@app.command(rich_help_panel=PANEL)
def search(
    query: Annotated[str, typer.Argument(metavar="TEXT", help="what the prompts are about")],
    k: KOption = 10,
    threshold: Annotated[float, typer.Option(min=0.0, max=1.0, help="least similarity")] = 0.3,
    contains: Annotated[
        str | None, typer.Option("--contains", help="only prompts containing this text")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Semantic search: the project's prompts nearest in meaning to TEXT."""
    from autoforge.prompts.domain import ListFilters
    from autoforge.similarity import service, vectors

    def action(built: Container) -> SimilarPrompts:
        _embedded(built)
        vector = vectors.embed(built.embedder, [query])[0]
        filters = ListFilters(text=contains)
        return run_scoped(
            built,
            lambda uow: service.search(uow, vector, k=k, threshold=threshold, filters=filters),
            read_only=True,
        )

    _show(run_command(action, as_json=as_json), as_json)


@app.command(rich_help_panel=PANEL)
def duplicates(
    threshold: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="least similarity of a duplicate")
    ] = 0.95,
    as_json: JsonOption = False,
) -> None:
    """Clusters of near-duplicate prompts in the project (over 0.95 similar by default)."""
    from autoforge.similarity import service

    def action(built: Container) -> list[DuplicateCluster]:
        _embedded(built)
        return run_scoped(
            built, lambda uow: service.duplicate_clusters(uow, threshold), read_only=True
        )

    clusters = run_command(action, as_json=as_json)
    if as_json:
        print_json([c.model_dump(mode="json") for c in clusters])
        return
    if not clusters:
        console.print(f"no near-duplicates (similarity >= {threshold})")
        return
    for number, cluster in enumerate(clusters, 1):
        console.print(f"[bold]cluster {number}[/] · {len(cluster.prompts)} prompts")
        _table(cluster.prompts)
