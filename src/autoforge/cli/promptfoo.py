"""`autoforge import promptfoo` and `autoforge export promptfoo`: promptfoo configs both ways.

Service modules are imported inside the commands so that `autoforge --help` stays fast.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from autoforge.cli.common import (
    JsonOption,
    console,
    fail,
    in_transaction_with_vault,
    print_json,
    run_command,
)

if TYPE_CHECKING:
    from autoforge.bootstrap import Container
    from autoforge.datasets.sealing import VaultSource
    from autoforge.db.unit_of_work import UnitOfWork
    from autoforge.promptfoo.exporter import Exported
    from autoforge.promptfoo.schemas import PromptfooImportReport

import_app = typer.Typer(help="Import from other tools' formats.", no_args_is_help=True)
export_app = typer.Typer(help="Export to other tools' formats.", no_args_is_help=True)
DEFAULT_SERVER = "http://127.0.0.1:8000"


def default_name(path: Path) -> str:
    """`promptfooconfig.yaml` says nothing: its folder's name does; else the file's stem."""
    stem = path.resolve().parent.name if path.stem.startswith("promptfooconfig") else path.stem
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._")
    return cleaned or "promptfoo"


@import_app.command("promptfoo")
def import_promptfoo(
    *,
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", exists=True, dir_okay=False, help="promptfooconfig.yaml"),
    ],
    name: Annotated[
        str | None,
        typer.Option(help="dataset name, and prompt names NAME, NAME-2, ... (default: folder)"),
    ] = None,
    evaluate: Annotated[
        bool,
        typer.Option("--evaluate", help="then evaluate each prompt, as `autoforge eval run` does"),
    ] = False,
    model: Annotated[
        list[str] | None, typer.Option(help="model to evaluate with; repeat for more")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Import a promptfoo config: prompts, a dataset of its tests, and their assertions as the
    dataset's scoring. Whatever has no counterpart is listed with its location."""
    from autoforge.promptfoo.config import directory_reader
    from autoforge.promptfoo.importer import import_plan, plan_from_text

    if evaluate and as_json:
        raise fail("--json with --evaluate: import with --json, then `autoforge eval run --json`")
    target = name or default_name(file)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read {file}: {exc}", as_json=as_json) from None

    def work(uow: UnitOfWork, owner: str, vault: VaultSource) -> PromptfooImportReport:
        plan = plan_from_text(text, directory_reader(file.parent))
        return import_plan(uow, owner, target, plan, vault=vault)

    report = in_transaction_with_vault(work, as_json=as_json)
    if as_json:
        print_json(report)
        return
    _print_report(report)
    if evaluate:
        from autoforge.cli.evaluations import run

        # promptfoo runs every prompt on every test: so does --evaluate, one run per prompt.
        for prompt in report.prompts:
            run(prompt=prompt.name, dataset=report.dataset_name, model=model)


def _print_report(report: PromptfooImportReport) -> None:
    table = Table(title="imported from promptfoo", show_header=True)
    table.add_column("what")
    table.add_column("name")
    table.add_column("from")
    for prompt in report.prompts:
        table.add_row("prompt", escape(prompt.name), escape(prompt.source))
    table.add_row("dataset", escape(report.dataset_name), f"{report.items} tests")
    console.print(table)
    kinds = ", ".join(a["type"] for a in report.assertions["assertions"])
    console.print(f"scoring: {escape(kinds)} ({escape(report.explanation)})", highlight=False)
    if not report.unsupported:
        console.print("everything in the config was imported")
        return
    console.print(f"[bold yellow]not imported ({len(report.unsupported)}):[/]")
    for line in report.unsupported:
        console.print(f"  {escape(line)}", highlight=False, soft_wrap=True)


@export_app.command("promptfoo")
def export_promptfoo(
    *,
    prompt: Annotated[str, typer.Argument(metavar="PROMPT", help="the prompt's name")],
    dataset: Annotated[str, typer.Option("--dataset", "-d", help="dataset name (or id)")],
    dataset_version: Annotated[int | None, typer.Option(help="default: latest")] = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", dir_okay=False, help="where to write the config")
    ] = Path("promptfooconfig.yaml"),
    server: Annotated[
        str, typer.Option(help="the `autoforge serve` promptfoo calls")
    ] = DEFAULT_SERVER,
    model: Annotated[
        str | None, typer.Option(help="the model promptfoo asks for (default: ours)")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Write a promptfooconfig.yaml that runs PROMPT on the dataset's items through SERVER's
    OpenAI-compatible endpoint (key from AUTOFORGE_API_KEY), scored by the dataset's
    assertions. Whatever promptfoo cannot express is listed, not dropped."""
    from functools import partial

    from autoforge.promptfoo.exporter import export_suite
    from autoforge.secrets.keys import vault_of

    def action(built: Container) -> Exported:
        from autoforge.cli.common import owner, run_scoped

        chosen = model or built.gateway.config.default_model
        vault = partial(vault_of, built.settings)
        return run_scoped(
            built,
            lambda uow: export_suite(
                uow,
                owner(built),
                prompt=prompt,
                dataset=dataset,
                dataset_version=dataset_version,
                server=server,
                model=chosen,
                vault=vault,
            ),
            read_only=True,
        )

    exported = run_command(action, as_json=as_json)
    output.write_text(exported.yaml(), encoding="utf-8")
    if as_json:
        print_json({"output": str(output), "unsupported": [str(f) for f in exported.findings]})
        return
    tests = len(exported.config["tests"])
    console.print(f"wrote {escape(str(output))}: {tests} tests", highlight=False)
    for finding in exported.findings:
        console.print(f"  [yellow]not exported:[/] {escape(str(finding))}", soft_wrap=True)
