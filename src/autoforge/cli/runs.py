"""`autoforge run` (a stored prompt through a model) and `autoforge models list`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from autoforge.cli.common import (
    JsonOption,
    console,
    owner,
    parse_assignments,
    print_json,
    run_command,
)

if TYPE_CHECKING:
    from autoforge.bootstrap import Container
    from autoforge.llm.types import ModelStatus
    from autoforge.runs.schemas import RunResult

models_app = typer.Typer(help="Models the gateway can call.", no_args_is_help=True)

VarOption = Annotated[
    list[str] | None, typer.Option("--var", "-v", help="template variable NAME=VALUE (repeat)")
]
LabelOption = Annotated[str | None, typer.Option(help="run the version this label points at")]
VersionOption = Annotated[int | None, typer.Option(help="run this version (default: latest)")]
ModelOption = Annotated[
    str | None, typer.Option("--model", "-m", help="LiteLLM model name (default: local model)")
]
TemperatureOption = Annotated[float, typer.Option(help="0 is deterministic and cacheable")]
MaxTokensOption = Annotated[int | None, typer.Option(help="answer length limit")]
ModeOption = Annotated[str, typer.Option(help="auto | chat | completion")]
NoCacheOption = Annotated[bool, typer.Option("--no-cache", help="bypass the response cache")]


def run(
    name: Annotated[str, typer.Argument(help="prompt name (or id)")],
    *,
    var: VarOption = None,
    label: LabelOption = None,
    version: VersionOption = None,
    model: ModelOption = None,
    temperature: TemperatureOption = 0.0,
    max_tokens: MaxTokensOption = None,
    mode: ModeOption = "auto",
    no_cache: NoCacheOption = False,
    as_json: JsonOption = False,
) -> None:
    """Render a stored prompt with --var values, call a model (default: the local model) and
    print the output with tokens, cost and latency. The call is kept as a trace."""
    from autoforge.runs.schemas import RunRequest

    params: dict[str, Any] = {"temperature": temperature}
    if max_tokens is not None:
        params["max_tokens"] = max_tokens
    fields = {"label": label, "version": version, "model": model, "mode": mode}
    request = run_command(
        lambda _built: RunRequest.model_validate(
            {
                "variables": parse_assignments(var or [], "--var"),
                "params": params,
                "no_cache": no_cache,
                **fields,
            }
        ),
        as_json=as_json,
    )
    result = run_command(lambda built: _call(built, name, request), as_json=as_json)
    if as_json:
        print_json(result)
        return
    _print_result(result)


def _call(built: Container, name: str, request: Any) -> RunResult:
    from autoforge.runs.service import run_prompt

    by_id = len(name) == 36 and name.count("-") == 4
    target = {"prompt_id": name} if by_id else {"name": name}
    with console.status(f"running {name} on {request.model or built.settings.llm_default_model}"):
        return run_prompt(built.database, built.gateway, owner(built), request, **target)


def _cost(cost_usd: float | None) -> str:
    return "unpriced" if cost_usd is None else f"${cost_usd:.6f}"


def _print_result(result: RunResult) -> None:
    typer.echo(result.output)
    usage = result.usage
    cached = " · cache hit" if usage.cache_hit else ""
    console.print(
        f"[dim]{result.prompt_name} v{result.version} · {result.model} · "
        f"{usage.tokens_in}+{usage.tokens_out} tokens · {_cost(usage.cost_usd)} · "
        f"{usage.latency_ms:.0f} ms{cached} · trace {result.trace_id}[/]",
        highlight=False,
        soft_wrap=True,
    )


@models_app.command("list")
def list_models(as_json: JsonOption = False) -> None:
    """Configured models and whether each can be called here (keys present, files
    installed); no model is called."""
    from rich.table import Table

    statuses: list[ModelStatus] = run_command(
        lambda built: built.gateway.statuses(), as_json=as_json
    )
    if as_json:
        print_json([_status_json(s) for s in statuses])
        return
    table = Table("model", "available", "detail")
    for status in statuses:
        name = f"{status.name} (default)" if status.is_default else status.name
        table.add_row(name, "yes" if status.available else "[red]no[/]", status.detail)
    console.print(table)


def _status_json(status: ModelStatus) -> dict[str, Any]:
    return {
        "name": status.name,
        "available": status.available,
        "detail": status.detail,
        "default": status.is_default,
    }
