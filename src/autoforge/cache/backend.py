"""What the cache-aside layer needs of a store, and the one error a store may raise."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class CacheUnavailable(Exception):
    """The store cannot be reached (or is resting after a failure): read the database."""


class CacheBackend(Protocol):
    """Entries live in namespaces (one kind of data of one project). Invalidating a
    namespace moves its *token* on: entries stored under an older token are never read
    again, and a value loaded before the invalidation cannot be stored under the new one."""

    # True when `read` does no network I/O (this process's memory): the event loop may then
    # call it itself, and a hit costs no thread-pool hop.
    reads_in_memory: bool

    def read(self, namespace: str, field: str) -> tuple[str, bytes | None]:
        """The namespace's current token, and the entry stored under it (None: a miss)."""
        ...

    def write(self, namespace: str, token: str, field: str, value: bytes, ttl_s: float) -> None:
        """Stores `value` under `token`; a write for a token that has moved on is dropped."""
        ...

    def invalidate(self, namespaces: Sequence[str]) -> None: ...

    def clear(self) -> None:
        """Retires every entry: after a write that bypassed the services (a restored
        backup, a test emptying its tables)."""
        ...

    def close(self) -> None: ...
