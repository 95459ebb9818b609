"""The sensitive fields of a dataset version: chosen when it is written, its items' values
sealed on the way in and opened on the way out, and every sealed value moved to the newest
key by `autoforge secret rotate`.

Encryption protects the storage, not access: whoever may read a dataset reads its values in
plaintext. Nothing here logs a value or puts one in a message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache, partial
from typing import Any

from autoforge.datasets import sealing
from autoforge.datasets.models import DatasetItemRow, DatasetVersionRow
from autoforge.datasets.repository import COPIED_COLUMNS, DatasetRepository
from autoforge.datasets.schemas import DatasetItem, DatasetItemIn, ItemMetadata
from autoforge.db.tenancy import scope_of
from autoforge.db.unit_of_work import UnitOfWork
from autoforge.secrets.schemas import DatasetValuesRotation
from autoforge.secrets.vault import SecretsUnavailable, Vault


def fields_of(version: DatasetVersionRow | None) -> list[str]:
    return list(version.sensitive or []) if version is not None else []


def next_fields(
    given: Sequence[str] | None,
    previous: DatasetVersionRow | None,
    inputs: Iterable[Mapping[str, Any]],
) -> list[str]:
    """A new version's sensitive fields: those `given`, each the key of some item's input
    (else a 422), or else the previous version's. Those are kept even when no new item has
    them, so that a later append of such an item is still sealed."""
    if given is None:
        return fields_of(previous)
    fields = sealing.checked_fields(given)
    sealing.require_present(fields, inputs)
    return fields


def item_rows(
    version_id: str,
    copied: Sequence[Any],
    named: Sequence[tuple[str, DatasetItemIn]],
    *,
    was: Sequence[str],
    now: Sequence[str],
    vault: sealing.VaultSource | None,
) -> list[dict[str, Any]]:
    """The rows of a new version, as the bulk insert takes them: the `copied` items
    (COPIED_COLUMNS, sealed under the fields `was`) first, re-sealed only when the fields
    changed; then the new (name, item) pairs, sealed under the fields `now`. The vault is
    opened only if a value is to be sealed or opened."""
    key = cache(partial(sealing.open_vault, vault))
    moved = set(was) != set(now)
    rows: list[dict[str, Any]] = []
    for position, row in enumerate(copied):
        values = dict(zip(COPIED_COLUMNS, row, strict=True))
        if moved:
            plain = sealing.unseal(values["input"], was, key()) if was else values["input"]
            values["input"] = sealing.seal(plain, now, key()) if now else plain
        rows.append({"dataset_version_id": version_id, "position": position, **values})
    for index, (name, item) in enumerate(named):
        rows.append(
            {
                "dataset_version_id": version_id,
                "position": len(copied) + index,
                "name": name,
                "input": sealing.seal(item.input, now, key()) if now else item.input,
                "expected": item.expected,
                "metadata": item.metadata.model_dump(exclude_none=True),
            }
        )
    return rows


def opened_items(
    rows: Sequence[DatasetItemRow], fields: Sequence[str], vault: sealing.VaultSource | None
) -> list[DatasetItem]:
    """The items as their readers see them: sealed values decrypted."""
    key = sealing.open_vault(vault) if fields else None
    return [
        DatasetItem(
            name=row.name,
            position=row.position,
            input=row.input if key is None else sealing.unseal(row.input, fields, key),
            expected=row.expected,
            metadata=ItemMetadata.model_validate(row.metadata_),
        )
        for row in rows
    ]


def reencrypt_items(uow: UnitOfWork, vault: Vault) -> DatasetValuesRotation:
    """Every sealed value of every project's datasets that an older key encrypted,
    re-encrypted under the newest. One value no key decrypts stops the whole rotation (the
    caller's transaction rolls back), naming its dataset, version and item, never the value."""
    if scope_of(uow.session) is not None:
        raise RuntimeError("reencrypt_items runs in a system transaction: it spans every project")
    reencrypted = current = 0
    for item, version, dataset in DatasetRepository(uow.session, "system").sealed_items():
        try:
            resealed = sealing.reseal(item.input, version.sensitive or [], vault)
        except SecretsUnavailable as exc:
            raise SecretsUnavailable(
                f"a sensitive value of item {item.name!r} in dataset {dataset.name!r} "
                f"v{version.version_number} of project {dataset.project_id}: {exc.detail}"
            ) from None
        if resealed.reencrypted:
            item.input = resealed.inputs
        reencrypted += resealed.reencrypted
        current += resealed.current
    uow.session.flush()
    return DatasetValuesRotation(reencrypted=reencrypted, current=current)
