"""The event base class. Pure: no framework, no database."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Something that happened. `stream_id` names the aggregate it belongs to."""

    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    stream_prefix: ClassVar[str] = "system"

    @property
    def event_type(self) -> str:
        return type(self).__name__

    @property
    def stream_id(self) -> str:
        return self.stream_prefix

    def payload(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data.pop("event_id")
        data.pop("occurred_at")
        return data


_REGISTRY: dict[str, type[DomainEvent]] = {}


def register(cls: type[DomainEvent]) -> type[DomainEvent]:
    """Lets the relay turn stored rows back into typed events."""
    _REGISTRY[cls.__name__] = cls
    return cls


def rebuild(
    event_type: str, event_id: str, occurred_at: datetime, data: dict[str, Any]
) -> DomainEvent:
    cls = _REGISTRY.get(event_type)
    if cls is None:
        return UnknownEvent(event_id=event_id, occurred_at=occurred_at, name=event_type, data=data)
    return cls(event_id=event_id, occurred_at=occurred_at, **data)


@dataclass(frozen=True, kw_only=True)
class UnknownEvent(DomainEvent):
    """A stored event whose class this process does not know (written by a newer version)."""

    name: str
    data: dict[str, Any]
