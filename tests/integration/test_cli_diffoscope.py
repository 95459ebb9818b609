"""`autoforge eval diffoscope` in-process on a real libSQL file with the fake model hook set:
every model echoes its prompt, words reversed, so each output's length is known."""

from __future__ import annotations

from pathlib import Path

import pytest

from autoforge.bootstrap import bootstrap
from autoforge.db import migrations
from tests.conftest import file_settings
from tests.support.cli import Cli
from tests.support.evaluations import seed_dataset
from tests.support.fake_model import use_fake_model

# "Use at most 6 words. {{text}}" echoed is 5 words plus the text's: one-word texts keep
# the limit, three-word texts break it.
CASES = [
    {"name": "short-1", "input": {"text": "alpha"}, "expected": "x"},
    {"name": "short-2", "input": {"text": "beta"}, "expected": "x"},
    {"name": "long-1", "input": {"text": "gamma delta epsilon"}, "expected": "x"},
    {"name": "long-2", "input": {"text": "zeta eta theta"}, "expected": "x"},
]


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    use_fake_model(monkeypatch)
    cli = Cli(tmp_path / "data")
    cli.ok("prompt", "create", "short", "--content", "Use at most 6 words. {{text}}")
    container = bootstrap(file_settings(cli.data_dir))
    migrations.upgrade(container.database.engine)
    seed_dataset(container.database, "words", CASES)
    container.close()
    return cli


def test_the_diffoscope_table_and_json(cli: Cli) -> None:
    [evaluation] = cli.json("eval", "run", "short", "--dataset", "words")["evaluations"]

    report = cli.json("eval", "diffoscope", evaluation["id"])
    [requirement] = report["requirements"]
    assert requirement["quote"] == "at most 6 words"
    assert requirement["share"] == 0.5
    assert [e["test_case_name"] for e in requirement["examples"]] == ["long-1", "long-2"]
    assert report["gap_score"] == 0.5

    printed = cli.ok("eval", "diffoscope", evaluation["id"]).stdout
    assert "gap score 0.50" in printed
    assert "at most 6 words" in printed
    assert "50 %" in printed
    assert "long-1" in printed
    assert "8 words (limit 6)" in printed
    assert "outputs exceed the 6-word limit in 50 % of cases" in printed


def test_a_local_extraction_model_and_an_unknown_id_fail(cli: Cli) -> None:
    local = cli("eval", "diffoscope", "nope", "--llm-model", "local/gemma-3-270m")
    assert local.exit_code == 1
    assert "too small" in local.output
    missing = cli("eval", "diffoscope", "nope")
    assert missing.exit_code == 1
    assert "not found" in missing.output
