"""The vault and where its keys come from: Fernet under the newest key, every listed key
decrypts, rotation moves a token to the newest key, and errors never quote a key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from autoforge.config import Settings
from autoforge.secrets.keys import KEY_FILE, vault_of
from autoforge.secrets.vault import SecretsUnavailable, Vault, last4, new_key

VALUE = "sk-proj-unit-test-value-0123456789abcd"


def settings(data_dir: Path, **values: object) -> Settings:
    return Settings(autoforge_data_dir=data_dir, _env_file=None, **values)  # type: ignore[call-arg]


def test_a_value_round_trips_and_the_token_does_not_contain_it() -> None:
    vault = Vault([new_key()])

    token = vault.encrypt(VALUE)

    assert VALUE not in token
    assert vault.decrypt(token) == VALUE


def test_the_newest_key_encrypts_and_any_listed_key_decrypts() -> None:
    old, new = new_key(), new_key()
    under_old = Vault([old]).encrypt(VALUE)

    both = Vault([new, old])

    assert both.decrypt(under_old) == VALUE
    assert not both.is_current(under_old)
    assert Vault([new]).decrypt(both.encrypt(VALUE)) == VALUE
    rotated = both.rotate(under_old)
    assert both.is_current(rotated)
    assert Vault([new]).decrypt(rotated) == VALUE


def test_a_token_no_key_decrypts_is_a_clear_error() -> None:
    token = Vault([new_key()]).encrypt(VALUE)

    with pytest.raises(SecretsUnavailable, match="cannot be decrypted"):
        Vault([new_key()]).decrypt(token)


def test_a_malformed_key_is_named_by_position_not_quoted() -> None:
    bad = "not-a-fernet-key-but-secret-looking"

    with pytest.raises(SecretsUnavailable) as raised:
        Vault([new_key(), bad])

    assert "SECRET_KEYS[1]" in raised.value.detail
    assert bad not in str(raised.value)
    assert raised.value.__cause__ is None


def test_last4_shows_nothing_of_a_short_value() -> None:
    assert last4(VALUE) == "abcd"
    assert last4("short-value") == ""


def test_secret_keys_come_from_the_environment_as_a_json_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = new_key(), new_key()
    monkeypatch.setenv("SECRET_KEYS", f'["{new}", "{old}"]')

    configured = settings(tmp_path)

    assert [k.get_secret_value() for k in configured.secret_keys] == [new, old]
    assert new not in repr(configured)
    assert vault_of(configured).decrypt(Vault([old]).encrypt(VALUE)) == VALUE
    assert not (tmp_path / KEY_FILE).exists()


def test_local_mode_makes_one_key_file_readable_by_its_owner_only(tmp_path: Path) -> None:
    local = settings(tmp_path / "data")

    first = vault_of(local).encrypt(VALUE)
    again = vault_of(local)

    path = tmp_path / "data" / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert again.decrypt(first) == VALUE
    assert [p.name for p in path.parent.iterdir()] == [KEY_FILE]  # no staging file left


def test_required_mode_never_makes_a_key_and_says_what_to_set(tmp_path: Path) -> None:
    required = settings(tmp_path, auth_mode="required")

    with pytest.raises(SecretsUnavailable, match="SECRET_KEYS"):
        vault_of(required)

    assert not (tmp_path / KEY_FILE).exists()
    keyed = settings(tmp_path, auth_mode="required", secret_keys=[SecretStr(new_key())])
    assert vault_of(keyed).decrypt(vault_of(keyed).encrypt(VALUE)) == VALUE
