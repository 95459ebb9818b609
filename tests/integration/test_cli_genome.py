"""`autoforge prompt genome` in-process on a real libSQL file, with the fake model hook set
(`use_fake_model`): every model echoes its prompt, words reversed."""

from __future__ import annotations

from pathlib import Path

import pytest

from autoforge.bootstrap import bootstrap
from autoforge.db import migrations
from autoforge.style.genome import DRIFT_THRESHOLD
from tests.conftest import file_settings
from tests.support.cli import Cli
from tests.support.evaluations import seed_dataset
from tests.support.fake_model import use_fake_model

CASES = [
    {"name": f"case-{i}", "input": {"text": f"review {i}"}, "expected": "positive"}
    for i in range(4)
]
# Version 2's echo speaks in the first and second person and hedges; version 1's does not.
CHATTY = "I think you might like {{text}}, perhaps. However, we are not sure!"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    use_fake_model(monkeypatch)
    cli = Cli(tmp_path / "data")
    cli.ok("prompt", "create", "say", "--content", "Say {{text}}")
    cli.ok("prompt", "label", "say", "production", "--version", "1")
    container = bootstrap(file_settings(cli.data_dir))
    migrations.upgrade(container.database.engine)
    seed_dataset(container.database, "reviews", CASES)
    container.close()
    return cli


def test_prompt_genome_compares_with_production_and_flags_drift(cli: Cli) -> None:
    first = cli.json("eval", "run", "say", "--dataset", "reviews", "--version", "1")
    cli.ok("prompt", "edit", "say", "--content", CHATTY)
    second = cli.json("eval", "run", "say", "--dataset", "reviews", "--version", "2")

    found = cli.json("prompt", "genome", "say")

    assert found["genome"]["version"] == 2
    assert found["genome"]["consistency"] == second["evaluations"][0]["style_consistency"]
    assert found["comparison"]["a"]["evaluation_id"] == first["evaluations"][0]["id"]
    assert found["comparison"]["distance"] > DRIFT_THRESHOLD
    assert found["drift"] is True
    assert [p["version"] for p in found["history"]] == [1, 2]
    assert [e["data"]["version"] for e in found["drift_events"]] == [2]
    shown = cli.ok("prompt", "genome", "say").stdout
    assert "first_person" in shown
    assert "drift" in shown
    assert "Consistency over time" in shown
    same = cli.json("prompt", "genome", "say", "--version", "1")
    assert same["comparison"] is None  # version 1 is production: nothing to compare
    assert same["drift"] is False


def test_prompt_genome_of_a_version_never_evaluated_is_an_error(cli: Cli) -> None:
    result = cli("prompt", "genome", "say")
    assert result.exit_code != 0
    assert "no completed evaluation" in result.output
