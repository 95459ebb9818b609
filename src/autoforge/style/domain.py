"""The event of a prompt's style genome: a new version's outputs drifted from the labelled one's.

Pure: imports neither SQLAlchemy nor FastAPI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from autoforge.events.base import DomainEvent, register

# The label whose version is the style reference of a prompt.
REFERENCE_LABEL = "production"


@register
@dataclass(frozen=True, kw_only=True)
class StyleDriftDetected(DomainEvent):
    """An evaluation of `version` completed and its genome lies farther than `threshold`
    from that of the latest completed evaluation of the labelled `baseline_version`.
    `genes` holds the normalized difference of every gene that moved."""

    prompt_id: str
    evaluation_id: str
    version: int
    model: str
    label: str
    baseline_version: int
    baseline_evaluation_id: str
    distance: float
    threshold: float
    genes: dict[str, Any] = field(default_factory=dict)
    stream_prefix: ClassVar[str] = "style"

    @property
    def stream_id(self) -> str:
        return f"style-{self.prompt_id}"
