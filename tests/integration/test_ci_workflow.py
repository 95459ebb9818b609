"""The GitHub Actions workflow in docs/ci.md, run here: its steps from the server start on,
as bash runs them on a runner (`bash -e`, a step's `if:` deciding whether it runs after a
failure), in a checkout of a made-up repository, on a fresh data directory.

The model is the test fake (every model echoes its prompt, words reversed; the `autoforge`
on the steps' PATH is the test entry point, `tests/support/fake_autoforge.py`), so a prompt
that is just `{{text}}` answers each one-word case exactly, and one with words around it
never does."""

from __future__ import annotations

import csv
import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.fake_model import FakeModel
from tests.support.server import autoforge, free_port, with_fake

DOC = Path(__file__).resolve().parents[2] / "docs" / "ci.md"
FIRST_STEP_RUN_HERE = "Start the embedded server"
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india"]


def workflow() -> dict[str, Any]:
    block = re.search(r"```yaml\n(.*?)```", DOC.read_text(), re.DOTALL)
    assert block is not None, "docs/ci.md has no yaml block"
    loaded: dict[str, Any] = yaml.safe_load(block.group(1))
    return loaded


@dataclass
class Step:
    name: str
    run: str
    condition: str | None


def steps_run_here() -> list[Step]:
    [job] = workflow()["jobs"].values()
    names = [step.get("name") for step in job["steps"]]
    first = names.index(FIRST_STEP_RUN_HERE)
    return [
        Step(step["name"], step["run"], step.get("if"))
        for step in job["steps"][first:]
        if "run" in step
    ]


def fake_autoforge_on_path(bin_dir: Path) -> str:
    """A PATH whose `autoforge` is the test entry point with the fake model, and whose
    `python3` is the test interpreter."""
    bin_dir.mkdir()
    shim = bin_dir / "autoforge"
    command = " ".join(shlex.quote(part) for part in autoforge(FakeModel()))
    shim.write_text(f'#!/bin/sh\nexec {command} "$@"\n')
    shim.chmod(0o755)
    return os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent), os.environ["PATH"]])


def run_workflow(repo: Path, data_dir: Path) -> dict[str, int | None]:
    """Each step's exit code, None for a step skipped after a failure."""
    env = with_fake(
        {
            **os.environ,
            "PATH": fake_autoforge_on_path(repo.parent / "bin"),
            "AUTOFORGE_DATA_DIR": str(data_dir),
            "PORT": str(free_port()),
        },
        FakeModel(),
    )
    for name in ("DATABASE_URL", "TURSO_DATABASE_URL", "AUTOFORGE_API_KEY", "REDIS_URL"):
        env.pop(name, None)
    codes: dict[str, int | None] = {}
    failed = False
    try:
        for step in steps_run_here():
            if failed and step.condition not in ("always()", "success() || failure()"):
                codes[step.name] = None
                continue
            done = subprocess.run(
                ["bash", "-e", "-c", step.run],
                cwd=repo,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            (repo / f"{len(codes)}.log").write_text(done.stdout + done.stderr)
            codes[step.name] = done.returncode
            failed = failed or done.returncode != 0
    finally:
        # The server step leaves `autoforge serve` running in the background, as on a runner
        # that ends with the job.
        subprocess.run(["pkill", "-f", f"serve --port {env['PORT']}"], check=False)
    return codes


def repository(tmp_path: Path, new_prompt: str) -> Path:
    repo = tmp_path / "repo"
    (repo / "prompts").mkdir(parents=True)
    (repo / "evals").mkdir()
    (repo / "baseline.txt").write_text("{{text}}")  # what "The base branch's prompt" writes
    (repo / "prompts" / "support-reply.txt").write_text(new_prompt)
    cases = [{"input": {"text": word}, "expected": word} for word in WORDS]
    (repo / "evals" / "support-reply.jsonl").write_text(
        "".join(json.dumps(case) + "\n" for case in cases)
    )
    return repo


def test_the_documented_workflow_is_what_it_says() -> None:
    steps = {step.name: step for step in steps_run_here()}
    assert "--fail-under 0.8" in steps["Evaluate this change, gated on a score of at least 0.8"].run
    gate = steps["Compare with the base branch, gated on no regression beyond the noise"]
    assert "--fail-on-regression" in gate.run
    assert gate.condition == "success() || failure()"


def test_a_change_that_keeps_the_score_passes_both_gates(tmp_path: Path) -> None:
    repo = repository(tmp_path, "{{text}}\n")

    codes = run_workflow(repo, tmp_path / "data")

    assert set(codes.values()) == {0}, codes
    assert (repo / "results.csv").read_text().count("\n") == len(WORDS) + 1
    new = json.loads((repo / "new.json").read_text())["evaluations"][0]
    assert new["overall_score"] == pytest.approx(1.0)


def test_a_worse_change_fails_both_gates_and_still_uploads_its_results(tmp_path: Path) -> None:
    repo = repository(tmp_path, "Please repeat after me: {{text}}")

    codes = run_workflow(repo, tmp_path / "data")

    assert codes["Evaluate the base branch's version"] == 0
    assert codes["Evaluate this change, gated on a score of at least 0.8"] == 3
    assert codes["Compare with the base branch, gated on no regression beyond the noise"] == 3
    assert codes["Download the per-case results from the server"] == 0
    with (repo / "results.csv").open(newline="") as results:
        passed = [row["passed"] for row in csv.DictReader(results)]
    new = json.loads((repo / "new.json").read_text())["evaluations"][0]
    assert len(passed) == len(WORDS)
    assert passed.count("True") == new["progress"]["passed"]
    assert new["overall_score"] < 0.8
