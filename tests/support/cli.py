"""Runs `autoforge` commands in-process against a data directory of the test's own."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from autoforge.cli.main import app


@dataclass
class Cli:
    """`cli("prompt", "list")` runs `autoforge prompt list` on `data_dir`'s libSQL file."""

    data_dir: Path
    runner: CliRunner = field(default_factory=CliRunner)

    def __call__(self, *args: str, stdin: str | None = None, api_key: str | None = None) -> Result:
        # A DATABASE_URL in the developer's environment must not redirect the tests; the
        # key and project are restored after each command (the CLI exports its options).
        env = {
            "AUTOFORGE_DATA_DIR": str(self.data_dir),
            "DATABASE_URL": None,
            "TURSO_DATABASE_URL": None,
            "AUTOFORGE_API_KEY": api_key,
            "AUTOFORGE_PROJECT": None,
        }
        return self.runner.invoke(app, list(args), env=env, input=stdin)

    def ok(self, *args: str, stdin: str | None = None) -> Result:
        result = self(*args, stdin=stdin)
        assert result.exit_code == 0, result.output
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json").stdout)

    def json_as(self, api_key: str, *args: str) -> Any:
        """`--json` output of a command run as an API key (AUTOFORGE_API_KEY)."""
        result = self(*args, "--json", api_key=api_key)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def fails(self, *args: str) -> Result:
        result = self(*args)
        assert result.exit_code == 1, result.output
        assert result.stdout == "", "errors go to stderr only"
        return result
