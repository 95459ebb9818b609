"""`autoforge prompt import|export` on real libSQL files: all-or-nothing imports, round trips."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import Cli
from tests.support.fake_model import use_fake_model

GOOD: list[dict[str, Any]] = [
    {"name": "greet", "title": "Greeting", "content": "Hello {name}", "tags": ["Demo"]},
    {"name": "support-reply", "title": "Support", "content": "Be kind", "status": "active"},
]


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "data")


def jsonl(path: Path, *lines: dict[str, Any] | str) -> Path:
    path.write_text("".join(f"{x if isinstance(x, str) else json.dumps(x)}\n" for x in lines))
    return path


def stored(cli: Cli) -> dict[str, tuple[Any, ...]]:
    """What a round trip must keep of each prompt."""
    items = cli.json("prompt", "list", "--all")["items"]
    return {
        p["name"]: (p["title"], p["content"], p["status"], p["tags"], p["metadata"]) for p in items
    }


def test_import_creates_then_updates_by_name(cli: Cli, tmp_path: Path) -> None:
    first = cli.ok("prompt", "import", str(jsonl(tmp_path / "a.jsonl", *GOOD)))
    changed = {**GOOD[0], "content": "Hello there {name}"}
    report = cli.json("prompt", "import", str(jsonl(tmp_path / "b.jsonl", changed, GOOD[1])))

    assert "2 created, 0 updated, 0 unchanged, 0 rejected" in first.stdout
    assert report == {"total": 2, "created": 0, "updated": 1, "unchanged": 1}
    greet = cli.json("prompt", "show", "greet")
    assert (greet["version"], greet["content"], greet["tags"]) == (
        2,
        "Hello there {name}",
        ["demo"],
    )


def test_an_import_with_one_bad_line_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    missing_content = {"name": "broken", "title": "Broken"}
    path = jsonl(tmp_path / "bad.jsonl", GOOD[0], missing_content, GOOD[1])

    result = cli.fails("prompt", "import", str(path))
    problem = json.loads(cli("prompt", "import", str(path), "--json").stderr)

    assert "1 of 3 lines rejected; nothing was imported" in result.stderr
    assert "line 2: content: Field required" in result.stderr
    assert problem["status"] == 422
    assert problem["errors"] == [{"field": "line 2", "message": "content: Field required"}]
    assert cli.json("prompt", "list")["items"] == []


def test_malformed_json_is_rejected_with_its_line(cli: Cli, tmp_path: Path) -> None:
    path = jsonl(tmp_path / "bad.jsonl", GOOD[0], "", "{not json")

    result = cli.fails("prompt", "import", str(path))

    assert "line 3: not valid JSON" in result.stderr
    assert cli.json("prompt", "list")["items"] == []


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_then_import_into_a_fresh_data_dir_gives_the_same_prompts(
    cli: Cli, tmp_path: Path, fmt: str
) -> None:
    awkward = {
        "name": "awkward",
        "title": 'Commas, "quotes"',
        "content": "line one\nline two, with a comma\n\n\u00e9t\u00e9 \u2603",
        "tags": ["a", "b/c"],
        "metadata": {"team": "care", "n": 2},
        "status": "archived",
    }
    cli.ok("prompt", "import", str(jsonl(tmp_path / "seed.jsonl", *GOOD, awkward)))
    cli.ok("prompt", "edit", "greet", "--content", "Hi {name}")
    output = tmp_path / f"prompts.{fmt}"

    summary = cli.json("prompt", "export", "--format", fmt, "--output", str(output))
    fresh = Cli(tmp_path / "fresh")
    report = fresh.json("prompt", "import", str(output))

    assert summary["prompts"] == 3
    assert summary["bytes"] == output.stat().st_size
    assert not output.with_name(output.name + ".part").exists()
    assert report["created"] == 3
    assert stored(fresh) == stored(cli)
    assert stored(fresh)["greet"][1] == "Hi {name}"


def test_export_to_stdout_is_the_file_content(cli: Cli, tmp_path: Path) -> None:
    cli.ok("prompt", "import", str(jsonl(tmp_path / "seed.jsonl", *GOOD)))
    output = tmp_path / "out.jsonl"
    cli.ok("prompt", "export", "--output", str(output))

    printed = cli.ok("prompt", "export").stdout

    assert printed == output.read_text()
    assert [json.loads(line)["name"] for line in printed.splitlines()] == ["greet", "support-reply"]
    only_active = cli.ok("prompt", "export", "--status", "active").stdout.splitlines()
    assert [json.loads(line)["name"] for line in only_active] == ["support-reply"]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_chat_prompt_keeps_its_kind_and_config_through_export_import_and_runs_as_messages(
    cli: Cli, tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_fake_model(monkeypatch)
    messages = [
        {"role": "system", "content": "You are {{persona}}."},
        {"type": "placeholder", "name": "history"},
        {"role": "user", "content": "Tell me about {{topic}}"},
    ]
    chat = {
        "name": "team/chat",
        "title": "Chat",
        "content": json.dumps(messages),
        "kind": "chat",
        "config": {"temperature": 0.2},
    }
    cli.ok("prompt", "import", str(jsonl(tmp_path / "seed.jsonl", chat, GOOD[0])))
    output = tmp_path / f"prompts.{fmt}"
    cli.ok("prompt", "export", "--format", fmt, "--output", str(output))
    fresh = Cli(tmp_path / "fresh")
    assert fresh.json("prompt", "import", str(output))["created"] == 2

    lines = {
        p["name"]: p for p in map(json.loads, fresh.ok("prompt", "export").stdout.splitlines())
    }
    assert (lines["team/chat"]["kind"], lines["team/chat"]["config"]) == (
        "chat",
        {"temperature": 0.2},
    )
    assert (lines["greet"]["kind"], lines["greet"]["config"]) == ("text", None)
    history = json.dumps([{"role": "user", "content": "Hi"}])
    ran = fresh.json(
        "run",
        "team/chat",
        *("--var", "persona=a guide", "--var", "topic=Lisbon", "--var", f"history={history}"),
    )
    assert ran["kind"] == "chat"
    assert ran["messages"] == [
        {"role": "system", "content": "You are a guide."},
        {"role": "user", "content": "Hi"},
        {"role": "user", "content": "Tell me about Lisbon"},
    ]
    assert ran["output"] == "Lisbon about me Tell"  # the fake echoes the last message
