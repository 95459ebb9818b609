"""`autoforge optimize --budget-usd` on a model without a known price (issue #19): refused
before anything runs, with what to set; accepted once LLM_PRICES prices the model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.test_cli_optimizations import CASES, CONTAINS
from tests.support.cli import Cli
from tests.support.evaluations import seed_dataset
from tests.support.fake_model import FakeModel, use_fake_model

SELF_HOSTED = "fake/self-hosted"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    from autoforge.bootstrap import bootstrap
    from autoforge.db import migrations
    from tests.conftest import file_settings

    use_fake_model(monkeypatch, FakeModel(unpriced=(SELF_HOSTED,)))
    cli = Cli(tmp_path / "data")
    cli.ok("prompt", "create", "say", "--content", "Say {{text}}")
    container = bootstrap(file_settings(cli.data_dir))
    migrations.upgrade(container.database.engine)
    seed_dataset(container.database, "words", CASES, scoring=CONTAINS)
    container.close()
    return cli


def optimize(cli: Cli, *extra: str) -> list[str]:
    return ["optimize", "say", "-d", "words", "--model", SELF_HOSTED, *extra]


def test_budget_usd_on_an_unpriced_model_is_refused_with_what_to_set(cli: Cli) -> None:
    failed = cli.fails(*optimize(cli, "--budget-usd", "1"))

    assert f"The model {SELF_HOSTED} has no known price" in failed.stderr
    assert "LLM_PRICES='{\"" + SELF_HOSTED + '": {"input": 0.5' in failed.stderr
    listed = cli.json("optimize", "list")
    assert listed["items"] == []  # nothing was queued


def test_with_llm_prices_the_usd_budget_is_accepted_and_the_cost_counted(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fake has no price for the model: any cost comes from LLM_PRICES.
    monkeypatch.setenv("LLM_PRICES", json.dumps({SELF_HOSTED: {"input": 1e4, "output": 1e4}}))

    done = cli.json(*optimize(cli, "--budget-usd", "100"))

    assert done["status"] == "completed", done
    assert done["calls_used"] > 0
    # A cent a token, and every call has at least one token in and out.
    assert done["cost_usd"] >= done["calls_used"] * 0.02
