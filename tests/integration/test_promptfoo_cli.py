"""The real promptfoo CLI (tools/promptfoo, pinned) against a real `autoforge serve` that
serves the local model: a config written by `autoforge export promptfoo` gives, case by
case, the same verdicts as our own evaluation of the same cases; and promptfoo reads a
prompt from our Langfuse-compatible API as `langfuse://name@label`.

promptfoo runs offline: telemetry, update checks, sharing and remote generation are off,
and its config, database and cache live in the test's temporary directory.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from autoforge.bootstrap import Container
from autoforge.llm.local_model import GATEWAY_NAME, GGUF_FILE, ensure_model_file
from tests.support.fake_model import FakeModel
from tests.support.server import autoforge_command, served, server_env

PROMPTFOO = (
    Path(__file__).parents[2] / "tools" / "promptfoo" / "node_modules" / ".bin" / "promptfoo"
)
API = "/api/v1"
PROMPT = "Answer with one word. {{question}}"
# Five short questions: a 270M model gets some right and some wrong; what matters is that
# promptfoo and we agree on each one.
CASES = [
    ("fruit", "Which fruit is red and grows on trees: apple or banana?", "apple"),
    ("sky", "What colour is the sky on a clear day?", "blue"),
    ("capital", "What is the capital of France?", "Paris"),
    ("opposite", "What is the opposite of hot?", "cold"),
    ("legs", "How many legs does a spider have? Answer with a number.", "8"),
]
# Label-style equality (exported as a promptfoo `javascript` check) or the answer anywhere:
# either passing is enough (threshold 0.5, which promptfoo applies to the weighted score).
SCORING = {
    "assertions": {
        "assertions": [
            {"type": "equals", "ignore_case": True, "strip": True, "first_line": True},
            {"type": "icontains"},
        ],
        "pass_threshold": 0.5,
    },
    "generation": {"max_tokens": 12, "temperature": 0.0},
}
DEADLINE_S = 600
ERROR = 2  # promptfoo's ResultFailureReason: 0 none, 1 a failed assertion, 2 an error


def promptfoo_env(tmp: Path, **extra: str) -> dict[str, str]:
    """Offline and quiet: nothing leaves the machine, nothing outlives the test."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(tmp),
        "PROMPTFOO_DISABLE_TELEMETRY": "1",
        "PROMPTFOO_DISABLE_UPDATE": "1",
        "PROMPTFOO_DISABLE_SHARING": "1",
        "PROMPTFOO_DISABLE_REMOTE_GENERATION": "1",
        "PROMPTFOO_DISABLE_REDTEAM_REMOTE_GENERATION": "1",
        "PROMPTFOO_DISABLE_RUNTIME_WARNINGS": "1",
        # Anything bound elsewhere than this machine meets a closed port.
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "127.0.0.1,localhost",
        "PROMPTFOO_CONFIG_DIR": str(tmp / "promptfoo"),
        "PROMPTFOO_CACHE_PATH": str(tmp / "promptfoo-cache"),
        "AUTOFORGE_API_KEY": "local",
        **extra,
    }


def run_promptfoo(config: Path, output: Path, env: dict[str, str]) -> dict[str, Any]:
    """`promptfoo eval`; exit 100 only says some test failed."""
    command = [str(PROMPTFOO), "eval", "-c", str(config), "--no-cache", "-o", str(output)]
    command += ["-j", "1", "--no-progress-bar", "--no-table"]
    done = subprocess.run(
        command,
        check=False,
        env=env,
        cwd=config.parent,
        capture_output=True,
        text=True,
        timeout=DEADLINE_S,
    )
    assert done.returncode in (0, 100), done.stdout + done.stderr
    results: dict[str, Any] = json.loads(output.read_text())["results"]
    return results


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, file_container_session: Container
) -> Iterator[tuple[str, Path]]:
    data_dir = tmp_path_factory.mktemp("promptfoo-served")
    model_file = ensure_model_file(file_container_session.settings.data_dir / "models" / GGUF_FILE)
    with served(data_dir, server_env(data_dir, LOCAL_MODEL_PATH=str(model_file))) as base:
        yield base, data_dir


def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201, 202), response.text
    body: dict[str, Any] = response.json()
    return body


def our_verdicts(http: httpx.Client, name: str = "quiz") -> dict[str, bool]:
    """Our evaluation of the same cases on the same model, as chat like promptfoo's call."""
    started = created(
        http.post(
            f"{API}/evaluations",
            json={
                "prompt_name": name,
                "dataset_name": name,
                "models": [GATEWAY_NAME],
                "mode": "chat",
                "no_cache": True,
            },
        )
    )
    evaluation_id = started["evaluations"][0]["id"]
    deadline = time.monotonic() + DEADLINE_S
    while (status := http.get(f"{API}/evaluations/{evaluation_id}").json()["status"]) not in (
        "completed",
        "failed",
    ):
        assert time.monotonic() < deadline, "the evaluation did not finish"
        time.sleep(0.5)
    assert status == "completed"
    page = http.get(f"{API}/evaluations/{evaluation_id}/results", params={"limit": 50}).json()
    return {row["test_case_name"]: row["passed"] for row in page["items"]}


def test_an_exported_config_gives_our_verdicts_case_by_case(
    server: tuple[str, Path], tmp_path: Path
) -> None:
    base, data_dir = server
    http = httpx.Client(base_url=base, timeout=60)
    created(http.post(f"{API}/prompts", json={"name": "quiz", "title": "Quiz", "content": PROMPT}))
    items = [{"name": n, "input": {"question": q}, "expected": a} for n, q, a in CASES]
    created(http.post(f"{API}/datasets", json={"name": "quiz", "items": items, "scoring": SCORING}))
    exported = tmp_path / "promptfooconfig.yaml"
    export = [autoforge_command(), "export", "promptfoo", "quiz", "--dataset", "quiz"]
    export += ["--server", base, "--model", GATEWAY_NAME, "--output", str(exported)]
    done = subprocess.run(
        export, check=False, env=server_env(data_dir), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr

    results = run_promptfoo(exported, tmp_path / "out.json", promptfoo_env(tmp_path))

    theirs = {r["testCase"]["description"]: r["success"] for r in results["results"]}
    assert all(r["response"]["output"] for r in results["results"])
    assert ERROR not in {r["failureReason"] for r in results["results"]}
    ours = our_verdicts(http)
    assert len(ours) == len(CASES)
    assert theirs == ours
    assert results["stats"]["successes"] == sum(ours.values())


def test_promptfoo_reads_our_prompt_as_langfuse(server: tuple[str, Path], tmp_path: Path) -> None:
    base, data_dir = server
    made = subprocess.run(
        [autoforge_command(), "key", "create", "--json"],
        check=False,
        env=server_env(data_dir),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    key = json.loads(made.stdout)
    auth = (key["public_key"], key["secret"])
    created(
        httpx.post(
            f"{base}/api/public/v2/prompts",
            auth=auth,
            json={
                "name": "greeter",
                "type": "text",
                "prompt": "Say hello to {{person}}.",
                "labels": ["production"],
            },
            timeout=30,
        )
    )
    config = tmp_path / "langfuse.yaml"
    config.write_text(
        "prompts: ['langfuse://greeter@production']\n"
        "providers:\n"
        f"  - id: openai:chat:{GATEWAY_NAME}\n"
        f"    config: {{apiBaseUrl: '{base}/v1', apiKeyEnvar: AUTOFORGE_API_KEY, "
        "temperature: 0, max_tokens: 8}\n"
        "tests:\n  - vars: {person: Ada}\n"
    )
    env = promptfoo_env(
        tmp_path,
        LANGFUSE_HOST=base,
        LANGFUSE_PUBLIC_KEY=auth[0],
        LANGFUSE_SECRET_KEY=auth[1],
    )

    [result] = run_promptfoo(config, tmp_path / "langfuse.json", env)["results"]

    assert result["prompt"]["raw"] == "Say hello to Ada."
    assert result["response"]["output"]
    assert result["failureReason"] != ERROR


# Every deterministic type both ways, on the fake model (it echoes its prompt, words
# reversed). No rendered prompt is JSON: promptfoo would send it as chat messages.
# Model-graded types are left out (promptfoo would grade them with OpenAI), and so is
# `cost`, since promptfoo knows no price for our model.
DETERMINISTIC = """
prompts: ["{{text}}"]
defaultTest:
  assert:
    - {type: not-contains, value: sorry}
    - {type: latency, threshold: 600000}
tests:
  - description: words
    vars: {text: three two one}
    assert:
      - {type: equals, value: one two three}
      - {type: contains, value: two}
      - {type: icontains, value: TWO}
      - {type: contains-all, value: [one, three]}
      - {type: contains-any, value: [zero, one]}
      - {type: icontains-all, value: "ONE, THREE"}
      - {type: icontains-any, value: [X, THREE]}
      - {type: starts-with, value: one}
      - {type: regex, value: '^one\\s'}
      - {type: levenshtein, value: one two thre, threshold: 1}
      - {type: word-count, value: {min: 2, max: 3}}
      - type: assert-set
        threshold: 0.5
        assert:
          - {type: starts-with, value: one}
          - {type: contains, value: nine}
  - description: json
    vars: {text: 'x {"a":1}'}
    assert:
      - {type: not-is-json}
      - {type: contains-json}
      - {type: contains-json, value: {type: object, required: [a]}}
      - {type: not-is-json, value: {type: array}}
  - description: refused
    vars: {text: nope}
    assert:
      - {type: contains, value: yes}
      - {type: equals, value: {a: 1}}
      - {type: is-json, value: {type: object}}
  - description: threshold
    vars: {text: b a}
    threshold: 0.5
    assert:
      - {type: equals, value: a b, weight: 2}
      - {type: word-count, value: 5}
"""
FLAGS = {
    "assertions": {
        "assertions": [
            {"type": "equals", "ignore_case": True, "strip": True, "first_line": True},
            {"type": "regex", "pattern": "very \\w+", "ignore_case": True, "full_match": True},
            {"type": "length", "min_chars": 3, "max_chars": 14},
            {"type": "not", "assertion": {"type": "equals", "value": "x", "ignore_case": True}},
        ],
        "pass_threshold": 0.75,
    }
}


@pytest.fixture(scope="module")
def fake_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    data_dir = tmp_path_factory.mktemp("promptfoo-fake")
    with served(data_dir, server_env(data_dir), fake=FakeModel()) as base:
        yield base, data_dir


def test_every_deterministic_type_gives_the_same_verdicts_in_promptfoo(
    fake_server: tuple[str, Path], tmp_path: Path
) -> None:
    base, data_dir = fake_server
    http = httpx.Client(base_url=base, timeout=60)
    imported = created(
        http.post(f"{API}/promptfoo:import", json={"name": "quiz", "config": DETERMINISTIC})
    )
    assert imported["unsupported"] == []
    exported = tmp_path / "promptfooconfig.yaml"
    export = [autoforge_command(), "export", "promptfoo", "quiz", "--dataset", "quiz"]
    export += ["--server", base, "--model", GATEWAY_NAME, "--output", str(exported)]
    done = subprocess.run(
        export, check=False, env=server_env(data_dir), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr

    results = run_promptfoo(exported, tmp_path / "out.json", promptfoo_env(tmp_path))

    assert ERROR not in {r["failureReason"] for r in results["results"]}
    theirs = {r["testCase"]["description"]: r["success"] for r in results["results"]}
    ours = our_verdicts(http)
    assert ours == {"words": True, "json": True, "refused": False, "threshold": True}
    assert theirs == ours


def test_our_flags_become_javascript_that_promptfoo_runs_alike(
    fake_server: tuple[str, Path], tmp_path: Path
) -> None:
    base, data_dir = fake_server
    http = httpx.Client(base_url=base, timeout=60)
    created(
        http.post(f"{API}/prompts", json={"name": "flags", "title": "F", "content": "{{text}}"})
    )
    items = [
        {"name": "upper", "input": {"text": "  POSITIVE"}, "expected": "positive"},
        {"name": "very", "input": {"text": "negative very"}, "expected": "positive"},
        {"name": "long", "input": {"text": "a b c d e f g h"}, "expected": "x"},
        {"name": "ex", "input": {"text": "X"}, "expected": "x"},
    ]
    created(http.post(f"{API}/datasets", json={"name": "flags", "items": items, "scoring": FLAGS}))
    exported = tmp_path / "promptfooconfig.yaml"
    export = [autoforge_command(), "export", "promptfoo", "flags", "--dataset", "flags"]
    export += ["--server", base, "--model", GATEWAY_NAME, "--output", str(exported)]
    done = subprocess.run(
        export, check=False, env=server_env(data_dir), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr

    results = run_promptfoo(exported, tmp_path / "out.json", promptfoo_env(tmp_path))

    assert ERROR not in {r["failureReason"] for r in results["results"]}
    theirs = {r["testCase"]["description"]: r["success"] for r in results["results"]}
    ours = our_verdicts(http, "flags")
    assert ours == {"upper": True, "very": True, "long": False, "ex": False}
    assert theirs == ours
