"""`autoforge slo`: the current project's prompt SLOs, their state and their history."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from autoforge.cli.common import JsonOption, console, fail, in_transaction, print_json, when

if TYPE_CHECKING:
    from autoforge.db.unit_of_work import UnitOfWork
    from autoforge.slos.schemas import SLO, SLOHistory

app = typer.Typer(
    help="Prompt SLOs: targets for a prompt's score, p95 latency, error rate and cost per call "
    "over a rolling window, checked by the server every SLO_CHECK_INTERVAL_S (docs/slos.md).",
    no_args_is_help=True,
)

LabelOption = Annotated[
    str | None, typer.Option("--label", help="only the version this label points at")
]
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_window(text: str) -> int:
    """`90m`, `24h`, `7d` or plain seconds."""
    found = re.fullmatch(r"\s*(\d+)\s*([smhd]?)\s*", text)
    if found is None:
        raise typer.BadParameter(f"{text!r} is not a window: e.g. 30m, 24h, 7d or seconds")
    return int(found.group(1)) * _UNITS[found.group(2) or "s"]


def _seconds(window_s: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if window_s % size == 0:
            return f"{window_s // size}{unit}"
    return f"{window_s}s"


def _objectives(slo: SLO) -> str:
    t = slo.targets
    parts = [
        f"score >= {t.min_score:g}" if t.min_score is not None else "",
        f"p95 <= {t.max_p95_latency_ms:g} ms" if t.max_p95_latency_ms is not None else "",
        f"errors <= {t.max_error_rate:.1%}" if t.max_error_rate is not None else "",
        f"cost <= ${t.max_cost_per_call:g}/call" if t.max_cost_per_call is not None else "",
    ]
    return ", ".join(p for p in parts if p)


def _state(slo: SLO) -> str:
    colour = {"ok": "green", "violated": "bold red"}.get(slo.state, "dim")
    breached = f" ({', '.join(slo.breached)})" if slo.state == "violated" else ""
    return f"[{colour}]{slo.state}[/]{escape(breached)}"


@app.command("set")
def slo_set(
    *,
    prompt: Annotated[str, typer.Argument(metavar="PROMPT", help="the prompt's name or id")],
    label: LabelOption = None,
    window: Annotated[str, typer.Option(help="rolling window: 30m, 24h, 7d")] = "24h",
    min_score: Annotated[float | None, typer.Option(help="mean evaluation score floor")] = None,
    max_p95_ms: Annotated[float | None, typer.Option(help="p95 latency ceiling, ms")] = None,
    max_error_rate: Annotated[float | None, typer.Option(help="e.g. 0.05")] = None,
    max_cost: Annotated[float | None, typer.Option(help="USD per call ceiling")] = None,
    min_calls: Annotated[int, typer.Option(help="fewer calls: latency etc. unmeasured")] = 1,
    as_json: JsonOption = False,
) -> None:
    """Set PROMPT's SLO (made, or its targets replaced). At least one objective."""
    from pydantic import ValidationError

    from autoforge.cli.common import problem_of
    from autoforge.slos import service
    from autoforge.slos.schemas import SLOSet

    try:
        data = SLOSet(
            prompt=prompt,
            label=label,
            window_s=parse_window(window),
            min_score=min_score,
            max_p95_latency_ms=max_p95_ms,
            max_error_rate=max_error_rate,
            max_cost_per_call=max_cost,
            min_calls=min_calls,
        )
    except ValidationError as exc:
        problem = problem_of(exc)
        assert problem is not None
        raise fail(problem, as_json=as_json) from None
    slo, made = in_transaction(lambda uow, _owner: service.set_slo(uow, data), as_json=as_json)
    if as_json:
        print_json(slo)
        return
    verb = "made" if made else "updated"
    console.print(
        f"{verb} SLO {slo.id} of {escape(slo.prompt_name)}: {escape(_objectives(slo))} over "
        f"{_seconds(slo.window_s)}",
        highlight=False,
        soft_wrap=True,
    )


@app.command("list")
def slo_list(as_json: JsonOption = False) -> None:
    """The current project's SLOs with their state."""
    from autoforge.slos import service

    slos = in_transaction(lambda uow, _owner: service.list_slos(uow), read_only=True)
    if as_json:
        print_json([s.model_dump(mode="json") for s in slos])
        return
    table = Table("id", "prompt", "label", "window", "objectives", "state", "checked")
    for s in slos:
        table.add_row(
            s.id[:8],
            escape(s.prompt_name),
            escape(s.label or "all"),
            _seconds(s.window_s),
            escape(_objectives(s)),
            _state(s),
            when(s.checked_at) if s.checked_at else "never",
        )
    console.print(table)


def _history(uow: UnitOfWork, ref: str, label: str | None, limit: int) -> SLOHistory:
    from autoforge.errors import NotFoundError
    from autoforge.slos import service

    for slo in service.list_slos(uow):
        named = ref in (slo.prompt_name, slo.prompt_id) and slo.label == label
        if slo.id == ref or (len(ref) >= 8 and slo.id.startswith(ref)) or named:
            return service.history(uow, slo.id, limit)
    raise NotFoundError(f"no SLO {ref!r}" + (f" with label {label!r}" if label else ""))


@app.command("show")
def slo_show(
    *,
    ref: Annotated[str, typer.Argument(metavar="SLO", help="an SLO id, or its prompt's name")],
    label: LabelOption = None,
    last: Annotated[int, typer.Option(min=1, max=5000, help="checks of the history")] = 10,
    as_json: JsonOption = False,
) -> None:
    """One SLO: its targets, state and last checks."""
    found = in_transaction(
        lambda uow, _owner: _history(uow, ref, label, last), read_only=True, as_json=as_json
    )
    if as_json:
        print_json(found)
        return
    slo = found.slo
    console.print(
        f"{escape(slo.prompt_name)}{escape(f' @{slo.label}' if slo.label else '')} "
        f"· {_seconds(slo.window_s)} · {escape(_objectives(slo))}\n"
        f"state: {_state(slo)} since {when(slo.state_since)}",
        highlight=False,
        soft_wrap=True,
    )
    table = Table("checked", "result", "calls", "p95 ms", "errors", "cost/call", "score", "event")
    for check in reversed(found.items):
        f = check.figures
        table.add_row(
            when(check.checked_at),
            check.result,
            str(f.calls),
            f"{f.p95_latency_ms:.0f}" if f.p95_latency_ms is not None else "-",
            f"{f.error_rate:.1%}" if f.error_rate is not None else "-",
            f"{f.cost_per_call:.5f}" if f.cost_per_call is not None else "-",
            f"{f.score:.3f}" if f.score is not None else "-",
            check.transition or "",
        )
    console.print(table)
