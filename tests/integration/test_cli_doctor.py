"""`autoforge doctor` as a user runs it: a verdict per line, and an exit code that says
whether what the configuration needs works."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from autoforge.bootstrap import Container
from autoforge.llm.local_model import GATEWAY_NAME, GGUF_FILE, ensure_model_file
from tests.support.server import autoforge_command, server_env


def doctor(data_dir: Path, *args: str, **env: str) -> tuple[int, dict[str, Any]]:
    done = subprocess.run(
        [autoforge_command(), "doctor", "--json", *args],
        check=False,
        capture_output=True,
        text=True,
        env=server_env(data_dir, **env),
        timeout=300,
    )
    report: dict[str, Any] = json.loads(done.stdout)
    return done.returncode, report


def verdicts(report: dict[str, Any]) -> dict[str, str]:
    return {check["name"]: check["verdict"] for check in report["checks"]}


def test_a_working_machine_passes_with_the_model_timed(
    tmp_path: Path, file_container_session: Container
) -> None:
    model = ensure_model_file(file_container_session.settings.data_dir / "models" / GGUF_FILE)
    code, report = doctor(tmp_path, LOCAL_MODEL_PATH=str(model))

    assert code == 0
    assert report["ok"] is True
    found = verdicts(report)
    assert found[GATEWAY_NAME] == "ok"
    assert found["llama.cpp build"] == "ok"
    assert found["redis"] == "skip"
    model_line = next(c for c in report["checks"] if c["name"] == GATEWAY_NAME)
    assert "tokens/s" in model_line["detail"]
    assert "1-token completion" in model_line["detail"]


def test_a_model_that_cannot_start_fails_the_doctor_with_the_reason(tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-model.gguf"
    bogus.write_text("not a GGUF file")
    code, report = doctor(tmp_path, LOCAL_MODEL_PATH=str(bogus))

    assert code == 1
    assert report["ok"] is False
    line = next(c for c in report["checks"] if c["name"] == GATEWAY_NAME)
    assert line["verdict"] == "fail"
    assert line["required"] is True
    assert "Failed to load model from file" in line["detail"]


def test_an_unreachable_redis_is_broken_when_configured(tmp_path: Path) -> None:
    code, report = doctor(tmp_path, "--no-model", REDIS_URL="redis://127.0.0.1:1/0")

    assert code == 1
    assert verdicts(report)["redis"] == "fail"
