"""`autoforge run` and `autoforge models list` with the real embedded model, from the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from autoforge.bootstrap import Container
from autoforge.llm.local_model import GGUF_FILE
from tests.support.cli import Cli


@pytest.fixture
def cli(tmp_path: Path, file_container: Container, monkeypatch: pytest.MonkeyPatch) -> Cli:
    # Share the session's assembled weights instead of assembling 250 MB per test.
    model = file_container.settings.local_model_path or (
        file_container.settings.data_dir / "models" / GGUF_FILE
    )
    monkeypatch.setenv("LOCAL_MODEL_PATH", str(model))
    return Cli(tmp_path)


def test_run_a_stored_prompt_with_the_local_model(cli: Cli) -> None:
    cli.ok("prompt", "create", "capital", "--content", "Q: What is the capital of {{country}}?\nA:")
    cli.ok("prompt", "label", "capital", "production", "--version", "1")
    first = cli.json(
        "run", "capital", "--label", "production", "--var", "country=France", "--max-tokens", "8"
    )
    assert first["rendered"] == "Q: What is the capital of France?\nA:"
    assert first["model"] == "local/gemma-3-270m"
    assert first["version"] == 1
    assert first["usage"]["tokens_in"] > 0
    assert first["usage"]["tokens_out"] > 0
    assert first["usage"]["cost_usd"] == 0
    assert first["usage"]["cache_hit"] is False
    again = cli.json(
        "run", "capital", "--label", "production", "--var", "country=France", "--max-tokens", "8"
    )
    assert again["usage"]["cache_hit"] is True
    assert again["output"] == first["output"]
    human = cli.ok("run", "capital", "--var", "country=France", "--max-tokens", "8")
    assert "capital v1 · local/gemma-3-270m" in human.output
    assert "cache hit" in human.output


def test_run_reports_a_missing_variable_like_the_api(cli: Cli) -> None:
    cli.ok("prompt", "create", "capital", "--content", "Capital of {{country}}?")
    result = cli.fails("run", "capital")
    assert "required variable 'country' is missing" in result.output


def test_models_list_shows_the_local_model_available(cli: Cli) -> None:
    models = cli.json("models", "list")
    local = next(m for m in models if m["name"] == "local/gemma-3-270m")
    assert local["available"] is True
    assert local["default"] is True
