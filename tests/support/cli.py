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

    def __call__(self, *args: str, stdin: str | None = None) -> Result:
        # A DATABASE_URL in the developer's environment must not redirect the tests.
        env = {
            "AUTOFORGE_DATA_DIR": str(self.data_dir),
            "DATABASE_URL": None,
            "TURSO_DATABASE_URL": None,
        }
        return self.runner.invoke(app, list(args), env=env, input=stdin)

    def ok(self, *args: str, stdin: str | None = None) -> Result:
        result = self(*args, stdin=stdin)
        assert result.exit_code == 0, result.output
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json").stdout)

    def fails(self, *args: str) -> Result:
        result = self(*args)
        assert result.exit_code == 1, result.output
        assert result.stdout == "", "errors go to stderr only"
        return result
