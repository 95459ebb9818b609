"""Sensitive input fields of dataset items: sealed with the vault at rest, opened for those
who may read the dataset or run it, and masked in whatever a run stores about a case.

A sealed value is `{"$fernet": "<token>"}`, the token encrypting the value's JSON, so a
number or a list comes back as what it was. Pure: no web, no database. Messages name
fields, never values: they end up in logs and problem answers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

from autoforge.errors import ValidationFailed
from autoforge.secrets.vault import SecretsUnavailable, Vault

SEALED = "$fernet"
# What a stored run result or a trace shows in place of a sensitive value.
REDACTED = "[redacted]"
MAX_FIELDS = 100
MAX_FIELD_CHARS = 200

# The vault is only built when a value is to be sealed or opened: a server without any
# encryption key still serves every dataset that marks no field sensitive.
VaultSource = Callable[[], Vault]


def open_vault(source: VaultSource | None) -> Vault:
    """The vault of `source`; None stands for a caller without keys (503, like a server
    without SECRET_KEYS)."""
    if source is None:
        raise SecretsUnavailable("sensitive dataset fields need an encryption key; none is set")
    return source()


def checked_fields(fields: Sequence[str]) -> list[str]:
    """The names, unique and sorted; 422 for a blank or overlong name, or too many."""
    errors = [
        {"field": "sensitive", "message": f"{name[:MAX_FIELD_CHARS]!r} is not a field name"}
        for name in fields
        if not name.strip() or len(name) > MAX_FIELD_CHARS
    ]
    if len(set(fields)) > MAX_FIELDS:
        errors.append({"field": "sensitive", "message": f"at most {MAX_FIELDS} fields"})
    if errors:
        raise ValidationFailed("invalid sensitive fields", errors=errors)
    return sorted(set(fields))


def require_present(fields: Collection[str], inputs: Iterable[Mapping[str, Any]]) -> None:
    """422 naming each field that is no key of any item's input: most likely a typo, which
    would otherwise leave the real field in plaintext."""
    missing = set(fields)
    for item in inputs:
        missing -= item.keys()
        if not missing:
            return
    names = ", ".join(repr(name) for name in sorted(missing))
    raise ValidationFailed(
        f"sensitive field(s) {names} in no item's input; nothing was written",
        errors=[
            {"field": "sensitive", "message": f"{name!r} is in no item's input"}
            for name in sorted(missing)
        ],
    )


def is_sealed(value: Any) -> TypeGuard[dict[str, str]]:
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get(SEALED), str)


def seal(inputs: Mapping[str, Any], fields: Collection[str], vault: Vault) -> dict[str, Any]:
    """`inputs` with the value of each field in `fields` encrypted."""
    return {
        key: {SEALED: vault.encrypt(json.dumps(value, ensure_ascii=False))}
        if key in fields
        else value
        for key, value in inputs.items()
    }


def unseal(inputs: Mapping[str, Any], fields: Collection[str], vault: Vault) -> dict[str, Any]:
    """`inputs` with each sealed value of a field in `fields` decrypted."""
    return {
        key: json.loads(vault.decrypt(value[SEALED]))
        if key in fields and is_sealed(value)
        else value
        for key, value in inputs.items()
    }


def redact(inputs: Mapping[str, Any], fields: Collection[str]) -> dict[str, Any]:
    """`inputs` as a run may store or trace them: each field in `fields` masked."""
    return {key: REDACTED if key in fields else value for key, value in inputs.items()}


@dataclass(frozen=True, slots=True)
class Resealed:
    """One item's input after a key rotation, and how many of its values had to move."""

    inputs: dict[str, Any]
    reencrypted: int
    current: int


def reseal(inputs: Mapping[str, Any], fields: Collection[str], vault: Vault) -> Resealed:
    """Each sealed value that an older key encrypted, re-encrypted under the newest one."""
    moved = current = 0
    result = dict(inputs)
    for key in fields:
        value = inputs.get(key)
        if not is_sealed(value):
            continue
        token = value[SEALED]
        if vault.is_current(token):
            current += 1
        else:
            result[key] = {SEALED: vault.rotate(token)}
            moved += 1
    return Resealed(result, moved, current)
