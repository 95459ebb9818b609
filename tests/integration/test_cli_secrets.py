"""`autoforge secret` in-process on a real libSQL file: values come from stdin and are never
printed, the local key file is made once, admins only, and `rotate` moves every project's
secrets to the newest key so the older ones can go."""

from __future__ import annotations

import json
import sqlite3
import stat
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from autoforge.cli.main import app
from autoforge.secrets.vault import SecretsUnavailable, Vault, new_key

VALUE = "sk-proj-CLI-STORED-VALUE-5c1e9d0a7f3b"
OTHER_VALUE = "sk-proj-CLI-OTHER-VALUE-0b4d2e6f8a1c"


class Cli:
    """`autoforge` on a data directory of its own, with SECRET_KEYS as given (none: unset)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.keys: list[str] | None = None
        self.runner = CliRunner()

    def __call__(
        self, *args: str, stdin: str | None = None, api_key: str | None = None, **env: str
    ) -> Result:
        return self.runner.invoke(
            app,
            list(args),
            input=stdin,
            env={
                "AUTOFORGE_DATA_DIR": str(self.data_dir),
                "DATABASE_URL": None,
                "TURSO_DATABASE_URL": None,
                "AUTOFORGE_API_KEY": api_key,
                "AUTOFORGE_PROJECT": None,
                "AUTH_MODE": None,
                "SECRET_KEYS": json.dumps(self.keys) if self.keys is not None else None,
                **env,
            },
        )

    def ok(self, *args: str, stdin: str | None = None) -> Result:
        result = self(*args, stdin=stdin)
        assert result.exit_code == 0, result.output
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json").stdout)

    def ciphertexts(self) -> dict[tuple[str, str], str]:
        with closing(sqlite3.connect(self.data_dir / "autoforge.db")) as conn:
            rows = conn.execute("SELECT project_id, name, ciphertext FROM project_secrets")
            return {(project, name): token for project, name, token in rows}


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "data")


def test_a_value_read_from_stdin_is_stored_encrypted_and_never_printed(cli: Cli) -> None:
    stored = cli.ok("secret", "set", "OPENAI_API_KEY", stdin=f"{VALUE}\n")
    listed = cli.ok("secret", "list")
    as_json = cli.json("secret", "list")

    assert f"…{VALUE[-4:]}" in stored.stdout
    assert "OPENAI_API_KEY" in listed.stdout
    assert as_json == [
        {
            "name": "OPENAI_API_KEY",
            "display": f"…{VALUE[-4:]}",
            "created_at": as_json[0]["created_at"],
            "updated_at": as_json[0]["updated_at"],
        }
    ]
    for result in (stored, listed):
        assert VALUE not in result.output
    # Local mode without SECRET_KEYS: a key made once, for its owner's eyes only.
    key_file = cli.data_dir / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    [token] = cli.ciphertexts().values()
    assert Vault([key_file.read_text().strip()]).decrypt(token) == VALUE
    files = b"".join(p.read_bytes() for p in cli.data_dir.glob("autoforge.db*"))
    assert VALUE.encode() not in files

    cli.ok("secret", "delete", "OPENAI_API_KEY")
    assert cli.json("secret", "list") == []
    missing = cli("secret", "delete", "OPENAI_API_KEY")
    assert missing.exit_code == 1
    assert "no secret named 'OPENAI_API_KEY'" in missing.output


def test_a_value_is_never_taken_as_an_argument(cli: Cli) -> None:
    refused = cli("secret", "set", "OPENAI_API_KEY", VALUE)

    assert refused.exit_code == 2
    assert cli.json("secret", "list") == []


def test_only_an_admin_manages_secrets(cli: Cli) -> None:
    member = cli.json("key", "create", "--role", "member")
    secret = member["secret"]

    for args in (("secret", "list"), ("secret", "set", "OPENAI_API_KEY"), ("secret", "rotate")):
        refused = cli(*args, stdin=VALUE, api_key=secret)
        assert refused.exit_code == 1
        assert "admin role" in refused.output


def test_a_server_requiring_credentials_names_the_setting_it_lacks(cli: Cli) -> None:
    refused = cli("secret", "set", "OPENAI_API_KEY", stdin=VALUE, AUTH_MODE="required")

    assert refused.exit_code == 1
    assert "SECRET_KEYS" in refused.output
    assert not (cli.data_dir / "secret.key").exists()


def test_rotate_moves_every_project_to_the_newest_key(cli: Cli) -> None:
    old, new = new_key(), new_key()
    cli.keys = [old]
    cli.ok("secret", "set", "OPENAI_API_KEY", stdin=VALUE)
    cli.ok("project", "create", "research")
    cli.ok("project", "use", "research")
    cli.ok("secret", "set", "OPENAI_API_KEY", stdin=OTHER_VALUE)
    cli.ok("secret", "set", "GEMINI_API_KEY", stdin=OTHER_VALUE)

    cli.keys = [new, old]
    rotated = cli.json("secret", "rotate")
    cli.keys = [new]
    again = cli.json("secret", "rotate")

    no_values = {"reencrypted": 0, "current": 0}
    assert rotated == {"reencrypted": 3, "current": 0, "projects": 2, "dataset_values": no_values}
    assert again == {"reencrypted": 0, "current": 3, "projects": 2, "dataset_values": no_values}
    values = {name: Vault([new]).decrypt(token) for name, token in cli.ciphertexts().items()}
    assert sorted(values.values()) == sorted([VALUE, OTHER_VALUE, OTHER_VALUE])
    for token in cli.ciphertexts().values():
        with pytest.raises(SecretsUnavailable):
            Vault([old]).decrypt(token)
    # The new key alone still serves them: the project's list needs no old key.
    assert {s["name"] for s in cli.json("secret", "list")} == {
        "OPENAI_API_KEY",
        "GEMINI_API_KEY",
    }
    assert "re-encrypted 0 secret(s)" in cli.ok("secret", "rotate").stdout


def test_rotate_without_the_key_that_encrypted_a_secret_changes_nothing(cli: Cli) -> None:
    old, new = new_key(), new_key()
    cli.keys = [old]
    cli.ok("secret", "set", "OPENAI_API_KEY", stdin=VALUE)
    before = cli.ciphertexts()

    cli.keys = [new]
    refused = cli("secret", "rotate")

    assert refused.exit_code == 1
    assert "OPENAI_API_KEY of project default-project" in refused.output
    assert "cannot be decrypted" in refused.output
    assert cli.ciphertexts() == before


def test_rotate_moves_sensitive_dataset_values_too(cli: Cli, tmp_path: Path) -> None:
    old, new = new_key(), new_key()
    cli.keys = [old]
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        "".join(json.dumps({"input": {"text": "t", "ssn": v}}) + "\n" for v in (VALUE, OTHER_VALUE))
    )
    cli.ok("dataset", "create", "people", "--file", str(cases), "--sensitive", "ssn")

    cli.keys = [new, old]
    rotated = cli.ok("secret", "rotate")
    cli.keys = [new]
    again = cli.json("secret", "rotate")

    assert "re-encrypted 2 sensitive dataset value(s); 0 already were" in rotated.stdout
    assert again["dataset_values"] == {"reencrypted": 0, "current": 2}
    items = cli.json("dataset", "items", "people")["items"]
    assert [item["input"]["ssn"] for item in items] == [VALUE, OTHER_VALUE]
    with closing(sqlite3.connect(cli.data_dir / "autoforge.db")) as conn:
        stored = [json.loads(raw) for (raw,) in conn.execute("SELECT input FROM dataset_items")]
    for inputs in stored:
        with pytest.raises(SecretsUnavailable):
            Vault([old]).decrypt(inputs["ssn"]["$fernet"])


def test_keygen_prints_a_key_the_vault_accepts(cli: Cli) -> None:
    key = cli.ok("secret", "keygen").stdout.strip()

    assert Vault([key]).decrypt(Vault([key]).encrypt(VALUE)) == VALUE
