"""No cache (`CACHE_ENABLED=false`): every read goes to the database. For debugging a
suspected stale answer, and for measuring the uncached read path."""

from __future__ import annotations

from collections.abc import Sequence


class CacheOff:
    reads_in_memory = True  # it answers every read with a miss at once

    def read(self, namespace: str, field: str) -> tuple[str, bytes | None]:
        return "off", None

    def write(self, namespace: str, token: str, field: str, value: bytes, ttl_s: float) -> None:
        return None

    def invalidate(self, namespaces: Sequence[str]) -> None:
        return None

    def clear(self) -> None:
        return None

    def close(self) -> None:
        return None
