"""`autoforge import promptfoo` / `export promptfoo` in-process on a real libSQL file, with the
test fake for every model (`use_fake_model`): every model echoes its prompt, words reversed,
so each assertion's verdict is known in advance."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.cli import Cli
from tests.support.fake_model import use_fake_model

# The prompt is the variable alone: the fake model answers "one two three" to "three two one".
# The judge is the fake model too: it echoes the judge prompt reversed, so a rubric holding
# "5 rating" comes back as "rating 5" (a readable 5/5). Model-graded assertions sit in
# defaultTest: the ones that differ per test need evaluations/tools.py to look into nested
# assertions (see docs/promptfoo.md).
EVERY_TYPE = """
description: every supported assertion type
prompts: ["{{text}}"]
defaultTest:
  assert:
    - {type: not-contains, value: sorry}
    - {type: latency, threshold: 600000}
    - {type: cost, threshold: 1}
    - {type: similar, value: one two three, threshold: 0}
    - {type: llm-rubric, value: "the answer deserves a 5 rating", threshold: 0.9}
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
      - {type: word-count, value: 3}
      - type: assert-set
        threshold: 0.5
        weight: 2
        assert:
          - {type: starts-with, value: one}
          - {type: contains, value: nine}
  - description: json
    vars: {text: '{"a":1}'}
    assert:
      - {type: is-json}
      - {type: is-json, value: {type: object, required: [a]}}
      - {type: contains-json, value: {type: object, properties: {a: {type: integer}}}}
      - {type: contains-json}
      - {type: equals, value: {a: 1}}
      - {type: not-is-json, value: {type: array}}
  - description: refused
    vars: {text: nope}
    assert:
      - {type: contains, value: yes, weight: 3}
"""

UNSUPPORTED = """
prompts: ["Say {{text}}", "file://missing.txt"]
tests:
  - vars: {text: hi}
    assert:
      - {type: contains, value: hi}
      - {type: javascript, value: "output.length > 0"}
      - {type: python, value: "True"}
      - {type: contains, value: hi, transform: output.trim()}
  - vars: {text: there}
    assert:
      - {type: similar:dot, value: x}
      - {type: not-llm-rubric, value: rude}
scenarios: []
"""


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    use_fake_model(monkeypatch)
    return Cli(tmp_path / "data")


def write_config(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "suite"
    folder.mkdir(exist_ok=True)
    path = folder / "promptfooconfig.yaml"
    path.write_text(text)
    return path


def results_by_name(cli: Cli, evaluation_id: str) -> dict[str, dict[str, Any]]:
    page = cli.json("eval", "results", evaluation_id, "--limit", "50")
    return {row["test_case_name"]: row for row in page["items"]}


def test_every_supported_type_imports_and_evaluates(cli: Cli, tmp_path: Path) -> None:
    path = write_config(tmp_path, EVERY_TYPE)

    result = cli.ok("import", "promptfoo", str(path), "--evaluate")

    assert "everything in the config was imported" in result.stdout
    assert "completed · 3/3 cases" in result.stdout
    report = cli.json("dataset", "show", "suite")
    assertions = report["latest"]["scoring"]["assertions"]["assertions"]
    assert [a["type"] for a in assertions] == [
        "not", "latency", "cost", "similarity", "llm_judge", "per_case",
    ]  # fmt: skip
    kinds = {
        a["type"] if a["type"] != "not" else "not " + a["assertion"]["type"]
        for case in assertions[-1]["cases"].values()
        for a in case["assertions"]
    } | {"not contains", "latency", "cost", "similarity", "llm_judge"}
    assert kinds >= {
        "equals", "contains", "icontains", "contains_all", "contains_any", "starts_with",
        "regex", "levenshtein", "word_count", "similarity", "group", "is_json", "json_schema",
        "json_match", "llm_judge", "latency", "cost", "not contains", "not json_schema",
    }  # fmt: skip
    [evaluation] = cli.json("eval", "list")["items"]
    rows = results_by_name(cli, evaluation["id"])
    assert {name: row["passed"] for name, row in rows.items()} == {
        "words": True,
        "json": True,
        "refused": False,
    }
    assert "[ok] llm_judge: judge 1.00 >= 0.90" in rows["words"]["reason"]
    assert "[FAIL] contains: output does not contain 'yes'" in rows["refused"]["reason"]


def test_evaluate_runs_every_prompt(cli: Cli, tmp_path: Path) -> None:
    config = "prompts: ['{{text}}', 'Say {{text}}']\ntests:\n  - vars: {text: hi}\n"
    path = write_config(tmp_path, config)

    cli.ok("import", "promptfoo", str(path), "--name", "two", "--evaluate")

    runs = cli.json("eval", "list")["items"]
    assert sorted(r["status"] for r in runs) == ["completed", "completed"]
    assert len({r["prompt_id"] for r in runs}) == 2


def test_unsupported_parts_are_listed_with_their_locations(cli: Cli, tmp_path: Path) -> None:
    path = write_config(tmp_path, UNSUPPORTED)

    report = cli.json("import", "promptfoo", str(path), "--name", "partial")

    assert report["unsupported"] == [
        "scenarios: top-level key is not supported",
        "prompts[1]: cannot read file://missing.txt: "
        f"[Errno 2] No such file or directory: '{path.parent / 'missing.txt'}'",
        'tests[0].assert[1]: type "javascript" is not supported',
        'tests[0].assert[2]: type "python" is not supported',
        "tests[0].assert[3]: contains: `transform` is not supported",
        'tests[1].assert[0]: type "similar:dot" is not supported',
        'tests[1].assert[1]: type "not-llm-rubric": negated model-graded assertions are '
        "not supported",
    ]
    assert [p["name"] for p in report["prompts"]] == ["partial"]
    assert report["items"] == 2
    human = cli.ok("import", "promptfoo", str(path), "--name", "again")
    assert "not imported (7):" in human.stdout
    assert 'tests[0].assert[1]: type "javascript" is not supported' in human.stdout


def test_import_refuses_a_taken_name_and_text_that_is_no_config(cli: Cli, tmp_path: Path) -> None:
    path = write_config(tmp_path, EVERY_TYPE)
    cli.ok("import", "promptfoo", str(path), "--name", "taken")
    assert "already exists" in cli.fails("import", "promptfoo", str(path), "--name", "taken").stderr
    broken = write_config(tmp_path, "- just\n- a list\n")
    assert "YAML mapping" in cli.fails("import", "promptfoo", str(broken)).stderr


def test_export_writes_a_config_for_our_endpoint(cli: Cli, tmp_path: Path) -> None:
    path = write_config(tmp_path, EVERY_TYPE)
    cli.ok("import", "promptfoo", str(path), "--name", "round")
    output = tmp_path / "exported.yaml"

    shown = cli.json(
        "export", "promptfoo", "round", "--dataset", "round", "--output", str(output),
        "--server", "http://127.0.0.1:9999", "--model", "local/gemma-3-270m",
    )  # fmt: skip

    config = yaml.safe_load(output.read_text())
    assert config["prompts"] == [{"id": "round", "label": "round", "raw": "{{text}}"}]
    [provider] = config["providers"]
    assert provider["id"] == "openai:chat:local/gemma-3-270m"
    assert provider["config"]["apiBaseUrl"] == "http://127.0.0.1:9999/v1"
    assert provider["config"]["apiKeyEnvar"] == "AUTOFORGE_API_KEY"
    assert [t["description"] for t in config["tests"]] == ["words", "json", "refused"]
    assert config["tests"][1]["vars"] == {"text": '{"a":1}'}
    exported = [a["type"] for a in config["tests"][0]["assert"]]
    assert exported[:3] == ["not-contains", "latency", "cost"]
    assert "assert-set" in exported
    assert "similar" in exported
    assert shown["unsupported"] == []
    reimported = write_config(tmp_path, output.read_text())
    again = cli.json("import", "promptfoo", str(reimported), "--name", "twice")
    assert again["unsupported"] == []
    assert again["assertions"] == json.loads(
        json.dumps(cli.json("dataset", "show", "round")["latest"]["scoring"]["assertions"])
    )
