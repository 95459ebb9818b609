"""Setting, listing and deleting a project's secrets, and re-encrypting every project's (and
every sensitive dataset value) under the newest key. Never commits; never returns or logs a
value.

Set, list and delete run in the caller's scoped transaction (its project only); the roles
they need were checked before (`api/access.py`, the CLI's own check).
"""

from __future__ import annotations

import re

from autoforge.audit.log import record
from autoforge.datasets.sensitive import reencrypt_items
from autoforge.db.base import utcnow
from autoforge.db.tenancy import actor_of, scope_of
from autoforge.db.unit_of_work import UnitOfWork
from autoforge.errors import NotFoundError, ValidationFailed
from autoforge.secrets.models import ProjectSecretRow
from autoforge.secrets.repository import SecretRepository
from autoforge.secrets.schemas import MAX_VALUE_CHARS, NAME_PATTERN, Rotation, Secret
from autoforge.secrets.vault import SecretsUnavailable, Vault, last4

_ENTITY = "project_secret"


def _secret(row: ProjectSecretRow) -> Secret:
    return Secret(
        name=row.name,
        display=f"…{row.last4}",
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def checked_name(name: str) -> str:
    if not re.fullmatch(NAME_PATTERN, name):
        raise ValidationFailed(
            f"{name!r} is not a secret name: upper-case letters, digits and _, 2 to 64 "
            "characters, starting with a letter (e.g. OPENAI_API_KEY)",
            errors=[{"field": "name", "message": f"must match {NAME_PATTERN}"}],
        )
    return name


def set_secret(uow: UnitOfWork, vault: Vault, name: str, value: str) -> Secret:
    """Stores `value` under `name`, replacing what was there. Surrounding whitespace (the
    newline `echo` adds) is dropped: no provider key has any."""
    name = checked_name(name)
    value = value.strip()
    if not value or len(value) > MAX_VALUE_CHARS:
        raise ValidationFailed(
            f"a secret's value is 1 to {MAX_VALUE_CHARS} characters, not blank",
            errors=[{"field": "value", "message": "blank or too long"}],
        )
    repo = SecretRepository(uow.session)
    row = repo.named(name)
    ciphertext = vault.encrypt(value)
    if row is None:
        row = ProjectSecretRow(name=name, ciphertext=ciphertext, last4=last4(value))
        repo.add(row)
        action = "create"
    else:
        row.ciphertext, row.last4, row.updated_at = ciphertext, last4(value), utcnow()
        uow.session.flush()
        action = "update"
    record(
        uow.session,
        actor=actor_of(uow.session, "system"),
        action=action,
        entity_type=_ENTITY,
        entity_id=name,
    )
    return _secret(row)


def list_secrets(uow: UnitOfWork) -> list[Secret]:
    """Names and display forms, by name; no value is decrypted."""
    return [_secret(row) for row in SecretRepository(uow.session).listed()]


def delete_secret(uow: UnitOfWork, name: str) -> None:
    repo = SecretRepository(uow.session)
    row = repo.named(name)
    if row is None:
        raise NotFoundError(f"no secret named {name!r} in this project")
    repo.delete(row)
    record(
        uow.session,
        actor=actor_of(uow.session, "system"),
        action="delete",
        entity_type=_ENTITY,
        entity_id=name,
    )


def ciphertext_of(uow: UnitOfWork, name: str) -> str | None:
    """The scope's secret `name` as stored (encrypted), or None when it has none."""
    row = SecretRepository(uow.session).named(name)
    return row.ciphertext if row is not None else None


def reencrypt_all(uow: UnitOfWork, vault: Vault, *, actor: str) -> Rotation:
    """Every secret of every project that an older key encrypted, and every sensitive
    dataset value, re-encrypted under the newest: afterwards the older keys can leave
    SECRET_KEYS. One secret or value no key decrypts stops the whole rotation (nothing is
    changed), naming where it is."""
    if scope_of(uow.session) is not None:
        raise RuntimeError("reencrypt_all runs in a system transaction: it spans every project")
    rows = SecretRepository(uow.session).listed()
    stale = [row for row in rows if not vault.is_current(row.ciphertext)]
    for row in stale:
        try:
            row.ciphertext = vault.rotate(row.ciphertext)
        except SecretsUnavailable as exc:
            raise SecretsUnavailable(
                f"{row.name} of project {row.project_id}: {exc.detail}"
            ) from None
    uow.session.flush()
    rotation = Rotation(
        reencrypted=len(stale),
        current=len(rows) - len(stale),
        projects=len({row.project_id for row in rows}),
        dataset_values=reencrypt_items(uow, vault),
    )
    record(
        uow.session,
        actor=actor,
        action="reencrypt",
        entity_type=_ENTITY,
        entity_id="*",
        details=rotation.model_dump(),
    )
    return rotation
