"""`autoforge prompt ...` in-process on a real libSQL file in the test's own data directory."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import Cli

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "data")


def readme_session() -> list[list[str]]:
    """The first ```sh block of docs/cli.md: the session the README shows."""
    block = re.search(r"```sh\n(.*?)```", DOCS.read_text(), re.DOTALL)
    assert block is not None
    lines = [shlex.split(line) for line in block.group(1).splitlines() if line.strip()]
    assert all(line[0] == "autoforge" for line in lines)
    return [line[1:] for line in lines]


def test_the_readme_session_creates_edits_diffs_labels_and_shows(cli: Cli) -> None:
    session = readme_session()
    assert len(session) == 5
    outputs = [cli.ok(*command).stdout for command in session]

    diff = outputs[2]
    assert "-Answer the customer politely.\n" in diff
    assert "+Answer the customer politely, in two sentences.\n" in diff
    assert "v2 (label production)" in outputs[4]
    assert outputs[4].endswith("Answer the customer politely, in two sentences.\n")

    # A later edit does not move the label: production still serves version 2.
    cli.ok("prompt", "edit", "support-reply", "--content", "Reply in one sentence.")
    shown = cli.json("prompt", "show", "support-reply", "--label", "production")
    assert (shown["version"], shown["content"]) == (2, session_content(session[1]))
    assert cli.json("prompt", "show", "support-reply")["version"] == 3


def session_content(command: list[str]) -> str:
    return command[command.index("--content") + 1]


def test_a_stale_edit_is_a_conflict_and_loses_nothing(cli: Cli) -> None:
    cli.ok("prompt", "create", "greet", "--content", "Hello")
    cli.ok("prompt", "edit", "greet", "--content", "Hello there")

    stale = cli.fails("prompt", "edit", "greet", "--content", "Hi", "--base-version", "1")

    assert "is at version 2, but the change was based on version 1" in stale.stderr
    assert cli.json("prompt", "show", "greet")["content"] == "Hello there"


def test_edit_without_base_version_builds_on_the_current_one(cli: Cli) -> None:
    cli.ok("prompt", "create", "greet", "--content", "Hello")
    cli.ok("prompt", "edit", "greet", "--title", "Greeting")  # title only: still a version
    edited = cli.json("prompt", "edit", "greet", "--content", "Hi", "--note", "shorter")

    assert (edited["version"], edited["title"], edited["content"]) == (3, "Greeting", "Hi")
    versions = cli.json("prompt", "versions", "greet")["items"]
    assert [(v["version"], v["change_note"]) for v in versions] == [
        (3, "shorter"),
        (2, None),
        (1, None),
    ]


def test_content_comes_from_a_file_or_stdin(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "prompt.txt"
    source.write_text("From a file\nwith two lines\n")
    cli.ok("prompt", "create", "from-file", "--file", str(source))
    cli.ok("prompt", "create", "from-stdin", "-", stdin="From stdin")
    cli.ok("prompt", "edit", "from-stdin", "--file", "-", stdin="Edited from stdin")

    assert cli.json("prompt", "show", "from-file")["content"] == "From a file\nwith two lines\n"
    assert cli.json("prompt", "show", "from-stdin")["content"] == "Edited from stdin"
    twice = cli("prompt", "create", "x", "--content", "a", "--file", str(source))
    assert twice.exit_code == 2
    assert "one way" in twice.output


def test_list_filters_pages_and_json_shape(cli: Cli) -> None:
    cli.ok("prompt", "create", "alpha", "--content", "About cats", "--tag", "Pets")
    cli.ok("prompt", "create", "beta", "--content", "About dogs", "--tag", "pets")
    cli.ok("prompt", "create", "gamma", "--content", "About tax", "--status", "active")
    cli.ok("prompt", "label", "beta", "production")

    page = cli.json("prompt", "list")
    assert set(page) == {"items", "next_cursor"}
    assert [p["name"] for p in page["items"]] == ["gamma", "beta", "alpha"]
    assert {"id", "name", "title", "content", "status", "version", "tags", "labels"} <= set(
        page["items"][0]
    )

    def names(*filters: str) -> list[str]:
        return [p["name"] for p in cli.json("prompt", "list", *filters)["items"]]

    assert names("--tag", "PETS") == ["beta", "alpha"]
    assert names("--status", "active") == ["gamma"]
    assert names("--label", "production") == ["beta"]
    assert names("--query", "dogs") == ["beta"]

    first = cli.json("prompt", "list", "--limit", "2")
    assert len(first["items"]) == 2
    assert first["next_cursor"] is not None
    rest = cli.json("prompt", "list", "--limit", "2", "--cursor", first["next_cursor"])
    assert ([p["name"] for p in rest["items"]], rest["next_cursor"]) == (["alpha"], None)
    everything = cli.json("prompt", "list", "--limit", "1", "--all")
    assert len(everything["items"]) == 3
    assert everything["next_cursor"] is None

    table = cli.ok("prompt", "list", "--limit", "2").stdout
    assert "gamma" in table
    assert "alpha" not in table
    assert f"--cursor {first['next_cursor']}" in table


def test_show_a_version_and_diff_as_json(cli: Cli) -> None:
    cli.ok("prompt", "create", "greet", "--title", "Greeting", "--content", "Hello")
    cli.ok("prompt", "edit", "greet", "--content", "Hello\nworld")

    old = cli.json("prompt", "show", "greet", "--version", "1")
    diff = cli.json("prompt", "diff", "greet", "1", "2")

    assert (old["version"], old["content"], old["label"]) == (1, "Hello", None)
    assert diff["diff"].splitlines()[2:] == ["@@ -1 +1,2 @@", "-Hello", "+Hello", "+world"]
    missing = cli.fails("prompt", "show", "greet", "--version", "9")
    assert "has no version 9" in missing.stderr


def test_labels_move_and_are_removed(cli: Cli) -> None:
    cli.ok("prompt", "create", "greet", "--content", "v1")
    cli.ok("prompt", "edit", "greet", "--content", "v2")
    cli.ok("prompt", "label", "greet", "staging")  # defaults to the latest version

    assert cli.json("prompt", "show", "greet")["labels"] == {"staging": 2}
    cli.ok("prompt", "label", "greet", "staging", "--version", "1")
    assert cli.json("prompt", "show", "greet", "--label", "staging")["content"] == "v1"
    cli.ok("prompt", "label", "greet", "staging", "--remove")
    assert cli.json("prompt", "show", "greet")["labels"] == {}
    assert (
        "has no label 'staging'"
        in cli.fails("prompt", "label", "greet", "staging", "--remove").stderr
    )
    out_of_range = cli.fails("prompt", "label", "greet", "production", "--version", "7")
    assert "has versions 1 to 2, not 7" in out_of_range.stderr


def test_rollback_brings_an_old_version_back_as_a_new_one(cli: Cli) -> None:
    cli.ok("prompt", "create", "greet", "--content", "first")
    cli.ok("prompt", "edit", "greet", "--content", "second")

    rolled = cli.json("prompt", "rollback", "greet", "--to", "1")
    again = cli.ok("prompt", "rollback", "greet", "--to", "1")

    assert (rolled["version"], rolled["content"]) == (3, "first")
    assert "nothing changed" in again.stdout
    assert len(cli.json("prompt", "versions", "greet")["items"]) == 3


def test_status_follows_the_lifecycle(cli: Cli) -> None:
    cli.ok("prompt", "create", "greet", "--content", "Hello")

    assert cli.json("prompt", "status", "greet", "active")["status"] == "active"
    back = cli.fails("prompt", "status", "greet", "draft")
    assert "cannot go from active to draft" in back.stderr


def test_delete_restore_and_hard_delete(cli: Cli) -> None:
    cli.ok("prompt", "create", "greet", "--content", "Hello")

    cli.ok("prompt", "delete", "greet")
    assert "is deleted (restore it first)" in cli.fails("prompt", "show", "greet").stderr
    assert cli.json("prompt", "list")["items"] == []
    assert [p["name"] for p in cli.json("prompt", "list", "--deleted")["items"]] == ["greet"]

    assert cli.json("prompt", "restore", "greet")["deleted_at"] is None
    assert cli.json("prompt", "show", "greet")["content"] == "Hello"

    refused = cli("prompt", "delete", "greet", "--hard", stdin="n\n")
    assert refused.exit_code == 1
    assert cli.json("prompt", "show", "greet")["name"] == "greet"
    cli.ok("prompt", "delete", "greet", "--hard", "--yes")
    assert "prompt 'greet' not found" in cli.fails("prompt", "restore", "greet").stderr


def test_errors_are_the_api_problem_on_stderr(cli: Cli) -> None:
    missing = cli("prompt", "show", "nope", "--json")
    invalid = cli.fails("prompt", "create", "bad name", "--content", "x")
    cli.ok("prompt", "create", "greet", "--content", "x")
    duplicate = cli.fails("prompt", "create", "greet", "--content", "y")

    assert missing.exit_code == 1
    assert missing.stdout == ""
    assert json.loads(missing.stderr) == {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": "prompt 'nope' not found",
    }
    assert "name: Value error, must be 1-200 characters" in invalid.stderr
    assert "a prompt named 'greet' already exists" in duplicate.stderr


def test_prompts_are_found_by_id_too(cli: Cli) -> None:
    created = cli.json("prompt", "create", "greet", "--content", "Hello")

    assert cli.json("prompt", "show", created["id"])["name"] == "greet"


def test_the_cli_starts_without_loading_the_database_stack() -> None:
    code = (
        "import sys, autoforge.cli.main; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'pydantic', 'alembic', 'litellm', 'llama_cpp', 'libsql'}))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout

    assert loaded.strip() == "[]"
