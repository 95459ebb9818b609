"""`autoforge doctor`: a table of what works here, with a verdict on each line."""

from __future__ import annotations

from contextlib import nullcontext

import typer

from autoforge.cli.common import JsonOption, console, print_json

_STYLE = {"ok": "green", "warn": "yellow", "fail": "bold red", "skip": "dim"}


def doctor(
    model: bool = typer.Option(True, help="load the local model and time a completion"),
    as_json: JsonOption = False,
) -> None:
    """Check this machine: Python and the package, the data directory, the database and its
    migrations, the llama.cpp build against this CPU's features, the local model (started in
    its own process: load time, first-token latency, tokens/s), the embedder, Redis when
    REDIS_URL is set, Node/npm for the UI build and Chromium for the browser tests.

    Exits 1 when something the configuration needs is broken; warnings do not count.
    """
    from rich.table import Table

    from autoforge.config import Settings
    from autoforge.health.doctor import Verdict, run_checks

    settings = Settings()
    table = Table("check", "verdict", "detail", show_lines=False)
    checks = []
    with console.status("checking...") if not as_json else nullcontext():
        for check in run_checks(settings, model=model):
            checks.append(check)
            verdict = check.verdict.value
            if check.verdict is Verdict.FAIL and not check.required:
                verdict = "fail (optional)"
            table.add_row(check.name, f"[{_STYLE[check.verdict.value]}]{verdict}[/]", check.detail)
    broken = [c for c in checks if c.broken]
    if as_json:
        print_json(
            {
                "ok": not broken,
                "checks": [
                    {
                        "name": c.name,
                        "verdict": c.verdict.value,
                        "required": c.required,
                        "detail": c.detail,
                    }
                    for c in checks
                ],
            }
        )
    else:
        console.print(table)
        if broken:
            names = ", ".join(c.name for c in broken)
            console.print(f"[bold red]broken: {names}[/]: see the detail above")
        else:
            console.print("[green]everything this configuration needs works[/]")
    if broken:
        raise typer.Exit(1)
