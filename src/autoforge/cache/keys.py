"""Cache keys: which namespace (kind of data, project) an entry lives in, and its TTL.

Every namespace carries the reader's project, so an entry is never served to another
project; what a project reads of another's shared or public prompts is not cached at all.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import orjson


@dataclass(frozen=True, slots=True)
class CacheKey:
    namespace: str  # "<kind>:<project>"; invalidated as one
    field: str  # the entry within it
    ttl_s: float

    @property
    def cache(self) -> str:
        """The metric name: the kind of data, never an id."""
        return self.namespace.split(":", 1)[0]


def prompts(project_id: str) -> str:
    """A project's prompt details, by-name resolutions and listings: any prompt write in the
    project invalidates all of them (writes are rare next to reads, and a coarse namespace
    cannot miss a name, a label or a listing that a write changed)."""
    return f"prompts:{project_id}"


def templates(project_id: str) -> str:
    return f"templates:{project_id}"


def evaluations(project_id: str) -> str:
    return f"evaluations:{project_id}"


def digest(*parts: object) -> str:
    """A short, fixed-length field for arbitrary arguments (filters, names, cursors)."""
    return hashlib.blake2b(orjson.dumps(parts, default=str), digest_size=16).hexdigest()
