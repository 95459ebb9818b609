"""`autoforge dataset ...` in-process on a real libSQL file in the test's own data directory."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import Cli

ITEMS: list[dict[str, Any]] = [
    {"name": "pos", "input": {"text": "I love it"}, "expected": "positive"},
    {"input": {"text": "It broke"}, "expected": "negative", "metadata": {"difficulty": "easy"}},
]


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "data")


def jsonl(path: Path, *lines: dict[str, Any] | str) -> Path:
    path.write_text("".join(f"{x if isinstance(x, str) else json.dumps(x)}\n" for x in lines))
    return path


def test_create_from_a_file_then_show_items_and_versions(cli: Cli, tmp_path: Path) -> None:
    source = jsonl(tmp_path / "cases.jsonl", *ITEMS)
    created = cli.ok("dataset", "create", "reviews", "--file", str(source), "--description", "R")
    assert "created dataset reviews (v1 · 2 items)" in created.stdout

    shown = cli.json("dataset", "show", "reviews")
    assert (shown["latest_version"], shown["description"]) == (1, "R")
    assert shown["latest"]["item_count"] == 2
    items = cli.ok("dataset", "items", "reviews").stdout
    assert "case-0002" in items
    assert "It broke" in items
    assert "negative" in items
    page = cli.json("dataset", "items", shown["id"], "--limit", "1")
    assert ([i["name"] for i in page["items"]], page["next_offset"]) == (["pos"], 1)
    listed = cli.ok("dataset", "list").stdout
    assert "reviews" in listed
    assert "v1" in listed


def test_import_csv_appends_a_version_and_keeps_the_old_one(cli: Cli, tmp_path: Path) -> None:
    cli.ok("dataset", "create", "reviews", "--file", str(jsonl(tmp_path / "a.jsonl", *ITEMS)))
    csv_file = tmp_path / "more.csv"
    csv_file.write_text('name,text,expected,category\nsarcasm,"Great, broken again",negative,x\n')

    imported = cli.ok("dataset", "import", "reviews", str(csv_file), "--append", "--note", "csv")

    assert "v2, 3 items, 0 rejected" in imported.stdout
    versions = cli.json("dataset", "versions", "reviews")["items"]
    assert [(v["version"], v["item_count"], v["note"]) for v in versions] == [
        (2, 3, "csv"),
        (1, 2, "imported (jsonl)"),
    ]
    latest = cli.json("dataset", "items", "reviews")["items"]
    assert latest[2]["input"] == {"text": "Great, broken again"}
    assert latest[2]["metadata"]["category"] == "x"
    assert len(cli.json("dataset", "items", "reviews", "--version", "1")["items"]) == 2
    table = cli.ok("dataset", "versions", "reviews").stdout
    assert "v2" in table
    assert "csv" in table


def test_a_bad_import_fails_lists_the_lines_and_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    cli.ok("dataset", "create", "reviews")
    bad = jsonl(tmp_path / "bad.jsonl", ITEMS[0], {"expected": "x"}, "{oops")

    result = cli.fails("dataset", "import", "reviews", str(bad))
    assert "line 3: not valid JSON" in result.stderr
    bad = jsonl(tmp_path / "bad.jsonl", ITEMS[0], {"expected": "x"}, ITEMS[0])
    problem = json.loads(cli("dataset", "import", "reviews", str(bad), "--json").stderr)

    assert problem["status"] == 422
    assert [e["field"] for e in problem["errors"]] == ["line 2", "line 3"]
    assert cli.json("dataset", "show", "reviews")["latest_version"] == 0
    created = cli("dataset", "create", "other", "--file", str(bad))
    assert created.exit_code == 1
    assert "nothing was" in created.stderr
    assert [d["name"] for d in cli.json("dataset", "list")["items"]] == ["reviews"]


def test_sensitive_fields_are_stored_encrypted_and_shown_to_readers(
    cli: Cli, tmp_path: Path
) -> None:
    secrets = ["acct-4417-PLAINTEXT-1", "acct-9921-PLAINTEXT-2", "acct-0007-PLAINTEXT-3"]
    first = jsonl(tmp_path / "a.jsonl", *({"input": {"text": "t", "acct": v}} for v in secrets[:2]))
    more = tmp_path / "more.csv"
    more.write_text(f"text,acct\nu,{secrets[2]}\n")

    cli.ok("dataset", "create", "accounts", "--file", str(first), "--sensitive", "acct")
    appended = cli.json("dataset", "import", "accounts", str(more), "--append")

    assert appended["sensitive"] == ["acct"]  # carried forward from version 1
    shown = cli.ok("dataset", "show", "accounts").stdout
    assert "sensitive" in shown
    assert "acct" in shown
    items = cli.json("dataset", "items", "accounts")["items"]
    assert [item["input"]["acct"] for item in items] == secrets
    assert secrets[0] in cli.ok("dataset", "items", "accounts").stdout
    files = sorted(cli.data_dir.glob("autoforge.db*"))
    stored = b"".join(path.read_bytes() for path in files)
    assert not [v for v in secrets if v.encode() in stored]


def test_an_unknown_sensitive_field_is_refused_by_name(cli: Cli, tmp_path: Path) -> None:
    source = jsonl(tmp_path / "a.jsonl", *ITEMS)

    typo = cli.fails("dataset", "create", "r", "--file", str(source), "--sensitive", "txt")
    no_file = cli.fails("dataset", "create", "r", "--sensitive", "text")

    assert "'txt'" in typo.stderr
    assert "nothing was written" in typo.stderr
    assert "--file" in no_file.stderr
    assert cli.json("dataset", "list")["items"] == []


def test_examples_install_once_and_delete_removes_a_dataset(cli: Cli) -> None:
    first = cli.json("dataset", "examples")
    assert len(first["created"]) == 6
    assert "already" in cli.ok("dataset", "examples").stdout
    names = {d["name"]: d["latest"]["item_count"] for d in cli.json("dataset", "list")["items"]}
    assert set(names) == {"sentiment", "extraction", "arithmetic"}
    assert min(names.values()) >= 40
    assert cli.json("prompt", "show", "sentiment-classifier")["labels"] == {"production": 1}

    deleted = cli.ok("dataset", "delete", "arithmetic", "--yes")
    assert "deleted dataset arithmetic" in deleted.stdout
    missing = cli.fails("dataset", "show", "arithmetic")
    assert "dataset 'arithmetic' not found" in missing.stderr
    refused = cli("dataset", "delete", "sentiment", stdin="n\n")
    assert refused.exit_code == 1  # aborted at the question
    assert len(cli.json("dataset", "list")["items"]) == 2


def test_errors_go_to_stderr_as_problems(cli: Cli) -> None:
    result = cli("dataset", "items", "nope", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stderr)["detail"] == "dataset 'nope' not found"
    cli.ok("dataset", "create", "d")
    duplicate = cli.fails("dataset", "create", "d")
    assert "already exists" in duplicate.stderr
    no_version = cli.fails("dataset", "items", "d")
    assert "has no version yet" in no_version.stderr


def test_a_terminal_sees_a_progress_bar_while_importing(tmp_path: Path) -> None:
    source = tmp_path / "big.jsonl"
    lines = (json.dumps({"input": {"text": f"case {n}"}}) for n in range(30_000))
    source.write_text("\n".join(lines) + "\n")
    env = {**os.environ, "AUTOFORGE_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "120"}
    for name in ("DATABASE_URL", "TURSO_DATABASE_URL"):
        env.pop(name, None)
    autoforge = [sys.executable, "-m", "autoforge.cli.main", "dataset"]
    subprocess.run([*autoforge, "create", "big"], env=env, check=True, capture_output=True)
    terminal, stderr = pty.openpty()
    chunks: list[bytes] = []
    # Read while the command runs: a full pty buffer would block its writes.
    reader = threading.Thread(target=_drain, args=(terminal, chunks))
    reader.start()
    try:
        done = subprocess.run(
            [*autoforge, "import", "big", str(source)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            check=True,
            timeout=120,
        )
    finally:
        os.close(stderr)
        reader.join(timeout=10)
        os.close(terminal)
    assert "checking items" in b"".join(chunks).decode(errors="replace")
    assert "v1, 30000 items, 0 rejected" in done.stdout.decode()


def _drain(fd: int, chunks: list[bytes]) -> None:
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the terminal's other end is closed and all was read
            return
        if not chunk:
            return
        chunks.append(chunk)


def test_export_writes_what_import_reads_back(cli: Cli, tmp_path: Path) -> None:
    cli.ok("dataset", "create", "reviews", "--file", str(jsonl(tmp_path / "in.jsonl", *ITEMS)))

    out = tmp_path / "out.csv"
    summary = cli.json("dataset", "export", "reviews", "--format", "csv", "--output", str(out))
    assert (summary["items"], summary["format"]) == (2, "csv")
    assert out.read_text().splitlines()[0] == (
        "name,text,expected,category,difficulty,features_tested"
    )
    cli.ok("dataset", "create", "copy", "--file", str(out))
    original = cli.json("dataset", "items", "reviews")["items"]
    copied = cli.json("dataset", "items", "copy")["items"]
    assert copied == original

    streamed = cli.ok("dataset", "export", "reviews", "--version", "1").stdout
    assert [json.loads(line)["name"] for line in streamed.splitlines()] == ["pos", "case-0002"]
    assert "not found" in cli.fails("dataset", "export", "nope").stderr
    assert (
        "versions 1 to 1, not 2"
        in cli.fails("dataset", "export", "reviews", "--version", "2").stderr
    )
