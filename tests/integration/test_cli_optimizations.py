"""`autoforge optimize ...` in-process on a real libSQL file, with the fake model hook set
(`use_fake_model`): every model echoes its prompt, words reversed, so a case
passes (`icontains` its expected text) whenever its input reaches the model."""

from __future__ import annotations

from pathlib import Path

import pytest

from autoforge.bootstrap import bootstrap
from autoforge.db import migrations
from autoforge.evaluations.assertions import AssertionSet
from autoforge.evaluations.scoring import Scoring
from tests.conftest import file_settings
from tests.support.cli import Cli
from tests.support.evaluations import seed_dataset
from tests.support.fake_model import use_fake_model

CASES = [
    {"name": f"case-{i}", "input": {"text": f"word{i}"}, "expected": f"word{i}"} for i in range(8)
]


CONTAINS = Scoring(assertions=AssertionSet.model_validate({"assertions": [{"type": "icontains"}]}))


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    use_fake_model(monkeypatch)
    cli = Cli(tmp_path / "data")
    cli.ok("prompt", "create", "say", "--content", "Say {{text}}")
    container = bootstrap(file_settings(cli.data_dir))
    migrations.upgrade(container.database.engine)
    seed_dataset(container.database, "words", CASES, scoring=CONTAINS)
    container.close()
    return cli


def test_optimize_waits_then_prints_baseline_best_and_the_new_version(cli: Cli) -> None:
    result = cli.ok("optimize", "say", "--dataset", "words", "--budget-calls", "60")

    assert "completed" in result.stdout
    assert "scoring: icontains from the dataset's given defaults" in result.stdout
    assert "validation" in result.stdout
    assert "improvement on test: +0.000" in result.stdout
    assert "the search found nothing better than the start" in result.stdout
    assert "1.000" in result.stdout
    assert "/60 calls" in result.stdout
    assert "best template:" in result.stdout
    assert "saved as prompt version 1" in result.stdout  # the start already scores 1.0


def test_optimize_json_then_show_list_candidates(cli: Cli) -> None:
    done = cli.json(
        "optimize",
        "say",
        "-d",
        "words",
        "--strategy",
        "genetic",
        "--budget-calls",
        "40",
        "--seed",
        "3",
    )
    assert done["status"] == "completed"
    assert done["calls_used"] <= 40
    assert done["budget"]["calls"] == 40
    assert done["seed"] == 3

    shown = cli.json("optimize", "show", done["id"])
    listed = cli.json("optimize", "list", "--prompt", "say")
    history = cli.json("optimize", "candidates", done["id"])

    assert shown["best_val"] == done["best_val"]
    assert [o["id"] for o in listed["items"]] == [done["id"]]
    assert history["items"][0]["template"] == "Say {{text}}"
    assert "start" in cli.ok("optimize", "candidates", done["id"]).stdout


def test_optimize_no_wait_queues_and_unknown_dataset_fails(cli: Cli) -> None:
    queued = cli.json("optimize", "say", "-d", "words", "--no-wait")
    assert queued["status"] == "pending"
    failed = cli.fails("optimize", "say", "-d", "nope")
    assert "nope" in failed.stderr


def test_optimize_overrides_the_datasets_scoring_with_flags(cli: Cli) -> None:
    done = cli.json(
        "optimize",
        "say",
        "-d",
        "words",
        "--budget-calls",
        "40",
        "--assert",
        '{"type": "equals"}',
        "--max-tokens",
        "7",
        "--stop",
        "\n",
    )

    config = done["config"]
    assert config["scoring"]["assertions_from"] == "request"
    assert [a["type"] for a in config["assertions"]["assertions"]] == ["equals"]
    assert config["params"]["max_tokens"] == 7
    assert config["params"]["stop"] == ["\n"]
    # The fake reverses the words: "Say word0" comes back "word0 Say", never equal to it.
    assert done["baseline_val"] == 0.0


def test_optimize_reads_its_scoring_from_a_file(cli: Cli, tmp_path: Path) -> None:
    scoring = tmp_path / "scoring.json"
    scoring.write_text(
        '{"assertions": [{"type": "icontains"}], "pass_threshold": 0.5, "max_tokens": 5}'
    )
    done = cli.json(
        "optimize", "say", "-d", "words", "--budget-calls", "40", "--scoring", str(scoring)
    )

    config = done["config"]
    assert config["scoring"]["assertions_from"] == "request"
    assert config["assertions"]["pass_threshold"] == 0.5
    assert config["params"]["max_tokens"] == 5
    assert done["baseline_val"] == 1.0


def test_optimize_refuses_two_sources_of_assertions(cli: Cli, tmp_path: Path) -> None:
    scoring = tmp_path / "scoring.json"
    scoring.write_text('{"max_tokens": 5}')
    refused = cli(
        "optimize",
        "say",
        "-d",
        "words",
        "--assert",
        '{"type": "equals"}',
        "--scoring",
        str(scoring),
    )

    assert refused.exit_code == 2  # a usage error, before anything runs
    assert "give one of --assert, --assertions and --scoring" in refused.output
    assert cli.json("optimize", "list")["items"] == []
