"""An event type for tests, importable by child processes too."""

from __future__ import annotations

from dataclasses import dataclass

from autoforge.events.base import DomainEvent, register


@register
@dataclass(frozen=True, kw_only=True)
class SomethingHappened(DomainEvent):
    subject: str
    amount: int = 0

    @property
    def stream_id(self) -> str:
        return f"thing-{self.subject}"
