"""`autoforge eval ...` in-process on a real libSQL file, with the fake model hook set
(`use_fake_model`): every model echoes its prompt, words reversed."""

from __future__ import annotations

import json
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

# The echo of "Say number N" contains "N": cases 0-2 pass, the "missing" case cannot.
CASES = [
    *(
        {"name": f"case-{i}", "input": {"text": f"number {i}"}, "expected": str(i)}
        for i in range(3)
    ),
    {"name": "missing", "input": {"text": "number 7"}, "expected": "eight"},
]


CONTAINS = Scoring(assertions=AssertionSet.model_validate({"assertions": [{"type": "icontains"}]}))


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    use_fake_model(monkeypatch)
    cli = Cli(tmp_path / "data")
    cli.ok("prompt", "create", "say", "--content", "Say {{text}}")
    container = bootstrap(file_settings(cli.data_dir))
    migrations.upgrade(container.database.engine)
    seed_dataset(container.database, "numbers", CASES, scoring=CONTAINS)
    container.close()
    return cli


def test_eval_run_waits_then_prints_aggregates_and_failing_cases(cli: Cli) -> None:
    result = cli.ok("eval", "run", "say", "--dataset", "numbers")

    assert "completed · 4/4 cases" in result.stdout
    assert "0.750 (3 passed)" in result.stdout
    assert "0 model calls saved" in result.stdout
    assert "failing cases" in result.stdout
    assert "missing" in result.stdout
    assert "case-1 " not in result.stdout


def test_eval_run_json_then_show_list_results(cli: Cli) -> None:
    batch = cli.json("eval", "run", "say", "--dataset", "numbers", "--concurrency", "2")
    [evaluation] = batch["evaluations"]
    assert evaluation["status"] == "completed"
    assert evaluation["progress"] == {"done": 4, "total": 4, "passed": 3, "running_score": 0.75}
    assert evaluation["config"]["concurrency"] == 2

    shown = cli.json("eval", "show", evaluation["id"])
    listed = cli.json("eval", "list", "--prompt", "say")
    failed = cli.json("eval", "results", evaluation["id"], "--failed")

    assert shown["accuracy_score"] == 0.75
    assert [e["id"] for e in listed["items"]] == [evaluation["id"]]
    assert [r["test_case_name"] for r in failed["items"]] == ["missing"]
    assert "missing" in cli.ok("eval", "results", evaluation["id"]).stdout
    every = cli.json("eval", "results", evaluation["id"])["items"]
    flagged = cli.json("eval", "results", evaluation["id"], "--unsupported")["items"]
    assert [r["test_case_name"] for r in flagged] == [
        r["test_case_name"] for r in every if r["unsupported"]
    ]
    assert all(r["unsupported"] is not None for r in every)


def test_a_rerun_is_cached_and_compares_equal(cli: Cli) -> None:
    first = cli.json("eval", "run", "say", "--dataset", "numbers")["evaluations"][0]
    second = cli.json("eval", "run", "say", "--dataset", "numbers")["evaluations"][0]

    assert second["cache_hits"] == 4
    report = cli.json("eval", "compare", first["id"], second["id"])
    assert report["cases_compared"] == 4
    assert report["deltas"][0]["score"]["delta"] == 0.0
    assert report["deltas"][0]["score"]["significant"] is False
    table = cli.ok("eval", "compare", first["id"], second["id"]).stdout
    assert "every shared case scored the same" in table


def test_assertions_from_the_command_line(cli: Cli) -> None:
    batch = cli.json(
        "eval",
        "run",
        "say",
        "--dataset",
        "numbers",
        "--assert",
        '{"type": "regex", "pattern": "^\\\\d"}',
        "--assert",
        '{"type": "length", "max_chars": 100}',
        "--pass-threshold",
        "0.5",
    )
    config = batch["evaluations"][0]["config"]["assertions"]
    assert [a["type"] for a in config["assertions"]] == ["regex", "length"]
    assert config["pass_threshold"] == 0.5
    assert batch["evaluations"][0]["progress"]["passed"] == 4  # the length bound holds


def test_no_wait_only_queues(cli: Cli) -> None:
    queued = cli.json("eval", "run", "say", "--dataset", "numbers", "--no-wait")
    [evaluation] = queued["evaluations"]

    assert evaluation["status"] == "pending"
    assert cli.json("eval", "show", evaluation["id"])["status"] == "pending"


def test_errors_are_reported_like_the_api(cli: Cli) -> None:
    assert "dataset 'nope' not found" in cli.fails("eval", "run", "say", "-d", "nope").stderr
    assert "prompt 'nope' not found" in cli.fails("eval", "run", "nope", "-d", "numbers").stderr
    assert "not found" in cli.fails("eval", "show", "no-such-id").stderr
    bad = cli.fails("eval", "run", "say", "-d", "numbers", "--assert", '{"type": "nope"}')
    assert "assertions" in bad.stderr


def test_fail_under_gates_on_the_score(cli: Cli) -> None:
    passed = cli("eval", "run", "say", "--dataset", "numbers", "--fail-under", "0.75")
    assert passed.exit_code == 0, passed.output
    assert "gate passed" in passed.stderr

    gated = cli("eval", "run", "say", "--dataset", "numbers", "--fail-under", "0.8")
    assert gated.exit_code == 3, gated.output
    assert "scored 0.750, under --fail-under 0.8" in gated.stderr

    queued = cli("eval", "run", "say", "-d", "numbers", "--fail-under", "0.5", "--no-wait")
    assert queued.exit_code == 2
    assert "drop --no-wait" in queued.stderr


def test_fail_on_regression_gates_only_beyond_the_interval(cli: Cli, tmp_path: Path) -> None:
    many = [
        {"name": f"n-{i}", "input": {"text": f"number {i}"}, "expected": str(i)} for i in range(20)
    ]
    container = bootstrap(file_settings(cli.data_dir))
    seed_dataset(container.database, "many", many, scoring=CONTAINS)
    container.close()
    good = cli.json("eval", "run", "say", "-d", "many")["evaluations"][0]
    again = cli.json("eval", "run", "say", "-d", "many")["evaluations"][0]
    cli.ok("prompt", "edit", "say", "--content", "Say nothing at all")  # no number to echo
    worse = cli.json("eval", "run", "say", "-d", "many")["evaluations"][0]
    assert (good["overall_score"], worse["overall_score"]) == (1.0, 0.0)

    same = cli("eval", "compare", good["id"], again["id"], "--fail-on-regression")
    assert same.exit_code == 0, same.output
    assert "no regression" in same.stderr

    regressed = cli("eval", "compare", good["id"], worse["id"], "--fail-on-regression")
    assert regressed.exit_code == 3, regressed.output
    assert f"regression: {worse['id']}" in regressed.stderr
    # Without the flag the same comparison only reports.
    assert cli("eval", "compare", good["id"], worse["id"]).exit_code == 0


def test_results_export_to_a_file_and_to_stdout(cli: Cli, tmp_path: Path) -> None:
    evaluation = cli.json("eval", "run", "say", "--dataset", "numbers")["evaluations"][0]

    out = tmp_path / "results.csv"
    summary = cli.json("eval", "export", evaluation["id"], "--format", "csv", "-o", str(out))
    assert summary == {
        "output": str(out),
        "format": "csv",
        "results": 4,
        "bytes": out.stat().st_size,
    }
    lines = out.read_text().splitlines()
    assert lines[0].startswith("test_case_name,input,output,expected,score,passed")
    assert len(lines) == 5

    streamed = cli.ok("eval", "export", evaluation["id"]).stdout.splitlines()
    assert [json.loads(line)["passed"] for line in streamed].count(True) == 3
    assert "not found" in cli.fails("eval", "export", "nope").stderr
