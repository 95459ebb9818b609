"""`autoforge project|key|member` and `--api-key`, in-process on a real libSQL file: projects
keep their data apart, keys are shown once and act with their role, revoked keys stop."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import Cli


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "data")


def test_projects_keep_their_prompts_apart(cli: Cli) -> None:
    cli.ok("prompt", "create", "shared-name", "--content", "in the default project")
    made = cli.json("project", "create", "research")
    cli.ok("project", "use", "research")

    assert cli.json("prompt", "list")["items"] == []
    cli.ok("prompt", "create", "shared-name", "--content", "in research")
    listed = cli.json("project", "list")
    cli.ok("project", "use", "default-project")

    assert {p["name"] for p in listed} == {"Default", "research"}
    rows = cli.ok("project", "list").stdout.splitlines()
    assert "*" in next(row for row in rows if "default-project" in row)
    assert "*" not in next(row for row in rows if "research" in row)
    [prompt] = cli.json("prompt", "list")["items"]
    assert prompt["content"] == "in the default project"
    assert made["role"] == "owner"


def test_a_key_is_shown_once_acts_with_its_role_and_stops_when_revoked(cli: Cli) -> None:
    viewer = cli.json("key", "create", "--role", "viewer", "--note", "dashboards")
    member = cli.json("key", "create", "--role", "member")
    cli.ok("prompt", "create", "p", "--content", "hello")

    listed = cli.json("key", "list")
    assert {k["id"] for k in listed} == {viewer["id"], member["id"]}
    assert all("secret" not in k for k in listed)
    assert viewer["secret"] not in cli.ok("key", "list").stdout
    # A viewer reads, and may not write.
    assert [p["name"] for p in cli.json_as(viewer["secret"], "prompt", "list")["items"]] == ["p"]
    refused = cli("prompt", "create", "q", "--content", "x", api_key=viewer["secret"])
    assert refused.exit_code == 1
    assert "member role" in refused.output
    assert cli("prompt", "create", "q", "--content", "x", api_key=member["secret"]).exit_code == 0
    # Managing keys needs admin.
    assert "admin role" in cli("key", "list", api_key=member["secret"]).output

    cli.ok("key", "revoke", viewer["id"])
    gone = cli("prompt", "list", api_key=viewer["secret"])
    assert gone.exit_code == 1
    assert "revoked" in gone.output


def test_members_are_added_listed_and_removed_and_the_last_owner_stays(cli: Cli) -> None:
    added = cli.json("member", "add", "dana@example.test", "--role", "admin")
    members = cli.json("member", "list")
    assert ("dana@example.test", "admin") in {(m["email"], m["role"]) for m in members}

    lowered = cli.json("member", "project-role", "dana@example.test", "viewer")
    assert (lowered["role"], lowered["project_role"]) == ("admin", "viewer")
    cleared = cli.json("member", "project-role", "dana@example.test", "none")
    assert cleared["project_role"] is None
    assert (
        "'boss' is not a role" in cli("member", "project-role", "dana@example.test", "boss").output
    )

    cli.ok("member", "remove", "dana@example.test")
    assert added["user_id"] not in {m["user_id"] for m in cli.json("member", "list")}
    last = cli("member", "remove", "local-user")
    assert last.exit_code == 1
    assert "at least one owner" in last.output


def test_serve_refuses_a_public_address_without_authentication(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "autoforge.cli.main", "serve", "--host", "0.0.0.0", "--no-warm"],
        env={"AUTOFORGE_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", **_pythonpath()},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )

    assert result.returncode == 2
    assert "refusing to listen on 0.0.0.0 without authentication" in result.stderr
    assert "AUTH_MODE=required" in result.stderr


def _pythonpath() -> dict[str, str]:
    import os

    return {"PYTHONPATH": os.environ["PYTHONPATH"]} if os.environ.get("PYTHONPATH") else {}
