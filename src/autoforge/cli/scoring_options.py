"""The scoring options `eval run` and `optimize` share: assertions and generation settings
that override the dataset version's defaults, one by one or from a `--scoring FILE`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

AssertOption = Annotated[
    list[str] | None,
    typer.Option("--assert", help='an assertion as JSON, e.g. \'{"type": "icontains"}\''),
]
AssertionsFileOption = Annotated[
    Path | None, typer.Option("--assertions", dir_okay=False, help="assertion set JSON file")
]
ScoringFileOption = Annotated[
    Path | None,
    typer.Option(
        "--scoring",
        dir_okay=False,
        help='JSON file: {"assertions": [...], "pass_threshold": 0.75, "max_tokens": 8, '
        '"stop": ["\\n"]} (any part)',
    ),
]
ThresholdOption = Annotated[float | None, typer.Option(help="weighted share to pass")]
MaxTokensOption = Annotated[int | None, typer.Option(min=1, help="answer length in tokens")]
StopOption = Annotated[list[str] | None, typer.Option(help="stop sequence; repeat for more")]
TemperatureOption = Annotated[float | None, typer.Option(help="default 0")]

_GENERATION = ("max_tokens", "stop", "temperature")


def _read_json(file: Path) -> Any:
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise typer.BadParameter(f"cannot read {file}: {exc}") from None


def scoring_request(
    *,
    specs: list[str] | None,
    assertions_file: Path | None,
    scoring_file: Path | None,
    threshold: float | None,
    max_tokens: int | None,
    stop: list[str] | None,
    temperature: float | None,
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The request's `assertions` (None: the dataset's) and `params` (only what was given):
    single options win over the `--scoring` file."""
    given = sum(x is not None and x != [] for x in (specs, assertions_file, scoring_file))
    if given > 1:
        raise typer.BadParameter("give one of --assert, --assertions and --scoring")
    assertions: dict[str, Any] | None = None
    params: dict[str, Any] = {}
    if scoring_file is not None:
        loaded = _read_json(scoring_file)
        if not isinstance(loaded, dict):
            raise typer.BadParameter(f"{scoring_file}: expected a JSON object")
        params = {k: loaded[k] for k in _GENERATION if loaded.get(k) is not None}
        if "assertions" in loaded:
            found = loaded["assertions"]
            assertions = found if isinstance(found, dict) else {"assertions": found}
            if "pass_threshold" in loaded:
                assertions["pass_threshold"] = loaded["pass_threshold"]
    elif assertions_file is not None:
        loaded = _read_json(assertions_file)
        assertions = loaded if isinstance(loaded, dict) else {"assertions": loaded}
    elif specs:
        try:
            assertions = {"assertions": [json.loads(spec) for spec in specs]}
        except ValueError as exc:
            raise typer.BadParameter(f"--assert takes JSON: {exc}") from None
    if threshold is not None:
        if assertions is None:
            raise typer.BadParameter("--pass-threshold goes with --assert or --assertions")
        assertions["pass_threshold"] = threshold
    flags = {"max_tokens": max_tokens, "stop": stop or None, "temperature": temperature}
    params.update({k: v for k, v in flags.items() if v is not None})
    return assertions, params


def describe_scoring(config: dict[str, Any]) -> str:
    """One line on what a run scores with, from its frozen config."""
    scoring = config.get("scoring") or {}
    kinds = ", ".join(
        a.get("type", "?") for a in config.get("assertions", {}).get("assertions", [])
    )
    params = config.get("params", {})
    settings = ", ".join(f"{k}={params[k]!r}" for k in ("max_tokens", "stop") if k in params)
    origin = (
        "your assertions"
        if scoring.get("assertions_from") == "request"
        else f"the dataset's {scoring.get('dataset_scoring', 'given')} defaults"
    )
    why = f" ({scoring['explanation']})" if scoring.get("explanation") else ""
    return f"scoring: {kinds} from {origin}{why}; {settings or 'no generation limits'}"
