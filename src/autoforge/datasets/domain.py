"""Rules of the dataset aggregate: item naming, uniqueness within a version, events.

Pure: imports neither SQLAlchemy nor FastAPI.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from autoforge.errors import ValidationFailed
from autoforge.events.base import DomainEvent, register

MAX_ITEMS = 100_000
MAX_ITEM_NAME = 255
MAX_REPORTED_ERRORS = 100
DEFAULT_ITEMS_PAGE = 100
MAX_ITEMS_PAGE = 1000
VersionMode = Literal["replace", "append"]
FieldError = dict[str, str]


def auto_name(position: int) -> str:
    """The name of an unnamed item: `case-0001` for the item at position 0."""
    return f"case-{position + 1:04d}"


def name_items(
    names: Sequence[str | None],
    labels: Sequence[str],
    *,
    start: int = 0,
    taken: Collection[str] = (),
) -> tuple[list[str], list[FieldError]]:
    """Final names for new items at positions `start`, `start + 1`, ...: given names are
    kept, missing ones become `case-NNNN` (skipping any name in use). A given name that is
    in `taken` (the items copied from the previous version) or repeats an earlier new item
    is an error, reported under the item's label (`line 7`, `items.3`)."""
    errors: list[FieldError] = []
    first: dict[str, str] = {}
    for name, label in zip(names, labels, strict=True):
        if name is None:
            continue
        if name in taken:
            errors.append({"field": label, "message": f"name {name!r} is already in the dataset"})
        elif name in first:
            message = f"name {name!r} already used by {first[name]}"
            errors.append({"field": label, "message": message})
        else:
            first[name] = label
    used = set(taken) | set(first)
    final: list[str] = []
    for offset, given in enumerate(names):
        name = given
        if name is None:
            # A given name may already hold this item's natural auto name: count on.
            number = start + offset
            while (candidate := auto_name(number)) in used:
                number += 1
            used.add(candidate)
            name = candidate
        final.append(name)
    return final, errors


def rejected(errors: list[FieldError], total: int, unit: str) -> ValidationFailed:
    """All-or-nothing: one 422 listing (up to MAX_REPORTED_ERRORS of) the rejected entries."""
    shown = errors[:MAX_REPORTED_ERRORS]
    more = f" (first {len(shown)} listed)" if len(errors) > len(shown) else ""
    return ValidationFailed(
        f"{len(errors)} of {total} {unit} rejected{more}; nothing was written", errors=shown
    )


def check_size(count: int) -> None:
    if count > MAX_ITEMS:
        raise ValidationFailed(
            f"at most {MAX_ITEMS} items per version, got {count}",
            errors=[{"field": "items", "message": "too many items; split the dataset"}],
        )


@dataclass(frozen=True, kw_only=True)
class DatasetEvent(DomainEvent):
    """Every dataset event belongs to the stream of its dataset."""

    dataset_id: str
    owner_id: str
    stream_prefix: ClassVar[str] = "dataset"

    @property
    def stream_id(self) -> str:
        return f"dataset-{self.dataset_id}"


@register
@dataclass(frozen=True, kw_only=True)
class DatasetCreated(DatasetEvent):
    name: str


@register
@dataclass(frozen=True, kw_only=True)
class DatasetVersionCreated(DatasetEvent):
    """`source` says how: `create`, `replace`, `append`, `import-jsonl`, `import-csv`."""

    version: int
    version_id: str
    item_count: int
    source: str


@register
@dataclass(frozen=True, kw_only=True)
class DatasetDeleted(DatasetEvent):
    name: str
