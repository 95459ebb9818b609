"""The new user's path, on the real local model: import a 60-item, 4-label dataset unlike
the shipped ones, write a plain one-line prompt, run `autoforge optimize` with no other
flags. It must score the start, finish, and report the result on the held-out test split
with its interval; the scoring comes from the data, not from the dataset's name."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from autoforge.bootstrap import Container
from autoforge.llm.local_model import GGUF_FILE, ensure_model_file
from tests.support.server import autoforge_command, server_env

TOPICS = {
    "sports": ["The striker scored twice", "Our team won the final", "She ran the marathon"],
    "food": ["This soup needs more salt", "The bakery sells fresh bread", "He grilled the fish"],
    "weather": ["It will rain all weekend", "A cold wind blew today", "Snow is falling again"],
    "music": ["The band played a new song", "She practices the violin", "The concert was loud"],
}
ENDINGS = ["", " this morning", " last night", " again", " in the city"]


def items() -> list[dict[str, object]]:
    rows = []
    for index in range(60):
        topic = list(TOPICS)[index % 4]
        sentence = TOPICS[topic][index // 4 % 3] + ENDINGS[index // 12 % 5] + "."
        rows.append({"input": {"text": sentence}, "expected": topic})
    return rows


def autoforge(data_dir: Path, model: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [autoforge_command(), *args],
        check=False,
        capture_output=True,
        text=True,
        env=server_env(data_dir, LOCAL_MODEL_PATH=str(model), COLUMNS="200"),
        cwd=data_dir,
        timeout=900,
    )


def test_a_users_own_dataset_is_optimized_and_measured_on_held_out_cases(
    tmp_path: Path, file_container_session: Container
) -> None:
    model = ensure_model_file(file_container_session.settings.data_dir / "models" / GGUF_FILE)
    data = tmp_path / "topics.jsonl"
    data.write_text("\n".join(json.dumps(item) for item in items()))
    # A user's dataset that happens to share a shipped example's name gets no special setup.
    assert autoforge(tmp_path, model, "dataset", "create", "sentiment").returncode == 0
    imported = autoforge(tmp_path, model, "dataset", "import", "sentiment", str(data))
    assert imported.returncode == 0, imported.stderr
    created = autoforge(
        tmp_path, model, "prompt", "create", "topic", "--content", "What is this about? {{text}}"
    )
    assert created.returncode == 0, created.stderr

    ran = autoforge(tmp_path, model, "optimize", "topic", "--dataset", "sentiment")

    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "4 labels (food, music, sports, weather)" in ran.stdout
    assert "improvement on test" in ran.stdout
    assert "95 % interval" in ran.stdout
    listed = autoforge(tmp_path, model, "optimize", "list", "--json")
    [run] = json.loads(listed.stdout)["items"]
    assert run["status"] == "completed"
    assert run["measured_on"] == "test"
    assert run["test_cases"] == 18  # 30 % of 60, held out from the search
    assert run["test_delta_low"] <= run["improvement"] <= run["test_delta_high"]
    assert run["config"]["params"]["max_tokens"] <= 8
    assert run["config"]["params"]["stop"] == ["\n"]
    assert [a["type"] for a in run["config"]["assertions"]["assertions"]] == ["equals"]
    assert run["verdict"]
