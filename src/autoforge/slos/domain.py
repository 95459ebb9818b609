"""The events of a prompt SLO: it started missing its targets, or met them again."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from autoforge.events.base import DomainEvent, register


@dataclass(frozen=True, kw_only=True)
class PromptSLOEvent(DomainEvent):
    """Every event of one SLO belongs to its stream."""

    slo_id: str
    project_id: str
    prompt_id: str
    prompt_name: str
    label: str | None
    window_s: int
    figures: dict[str, Any] = field(default_factory=dict)
    stream_prefix: ClassVar[str] = "slo"

    @property
    def stream_id(self) -> str:
        return f"slo-{self.slo_id}"


@register
@dataclass(frozen=True, kw_only=True)
class PromptSLOViolated(PromptSLOEvent):
    """`breached`: the objectives that missed their targets (e.g. `p95_latency_ms`)."""

    breached: tuple[str, ...] = ()


@register
@dataclass(frozen=True, kw_only=True)
class PromptSLORecovered(PromptSLOEvent):
    """Every measured objective meets its target again."""
