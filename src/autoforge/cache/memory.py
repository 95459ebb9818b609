"""The in-process store: a bounded LRU of entries with TTLs, for one `autoforge serve`.

Processes sharing a data dir without Redis (the server and the CLI in embedded mode) learn
of each other's writes through a stamp file in the data dir: every invalidation replaces
it, and a reader that sees it changed (one `stat`) drops everything it holds.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path

from autoforge.observability.metrics import cache_event

log = logging.getLogger(__name__)
Clock = Callable[[], float]
_Key = tuple[str, str, str]  # namespace, token, field


class InProcessBackend:
    reads_in_memory = True

    def __init__(
        self,
        *,
        max_entries: int = 10_000,
        stamp_file: Path | None = None,
        clock: Clock = time.monotonic,
        cache_of: Callable[[str], str] = lambda namespace: namespace.split(":", 1)[0],
    ) -> None:
        self.max_entries = max_entries
        self.stamp_file = stamp_file
        self._clock = clock
        self._cache_of = cache_of  # the metric name of a namespace, for eviction counts
        self._lock = threading.Lock()
        self._entries: OrderedDict[_Key, tuple[float, bytes]] = OrderedDict()
        self._generations: dict[str, int] = {}
        self._stamp = self._read_stamp()

    def _read_stamp(self) -> str:
        if self.stamp_file is None:
            return "-"
        try:
            st = os.stat(self.stamp_file)
        except OSError:  # not made yet (or unreadable: then invalidations are logged)
            return "none"
        return f"{st.st_ino}.{st.st_mtime_ns}.{st.st_size}"

    def _sync_stamp(self) -> None:
        """Called with the lock held: another process invalidated, so nothing here is sure."""
        stamp = self._read_stamp()
        if stamp != self._stamp:
            self._stamp = stamp
            self._entries.clear()

    def _token(self, namespace: str) -> str:
        return f"{self._stamp}/{self._generations.get(namespace, 0)}"

    def read(self, namespace: str, field: str) -> tuple[str, bytes | None]:
        with self._lock:
            self._sync_stamp()
            token = self._token(namespace)
            key = (namespace, token, field)
            entry = self._entries.get(key)
            if entry is None:
                return token, None
            expires_at, value = entry
            if expires_at <= self._clock():
                del self._entries[key]
                return token, None
            self._entries.move_to_end(key)
            return token, value

    def write(self, namespace: str, token: str, field: str, value: bytes, ttl_s: float) -> None:
        evicted: list[str] = []
        with self._lock:
            self._sync_stamp()
            if token != self._token(namespace):
                return  # invalidated while the value was loading: it may be stale
            self._entries[(namespace, token, field)] = (self._clock() + ttl_s, value)
            while len(self._entries) > self.max_entries:
                (oldest, _token, _field), _entry = self._entries.popitem(last=False)
                evicted.append(oldest)
        for namespace_evicted in evicted:
            cache_event(self._cache_of(namespace_evicted), "eviction")

    def invalidate(self, namespaces: Sequence[str]) -> None:
        with self._lock:
            gone = set(namespaces)
            for namespace in gone:
                self._generations[namespace] = self._generations.get(namespace, 0) + 1
            for key in [k for k in self._entries if k[0] in gone]:
                del self._entries[key]
        if self.stamp_file is not None:
            try:
                self._replace_stamp(self.stamp_file)
            except OSError:
                # The commit stands; other processes on this data dir keep entries up to
                # their TTL. This process has dropped its own already.
                log.exception("cache: could not replace %s", self.stamp_file)

    @staticmethod
    def _replace_stamp(path: Path) -> None:
        # A new file (new inode) each time: a change is seen even where mtimes are coarse.
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
        temporary.write_text(uuid.uuid4().hex)
        os.replace(temporary, path)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._generations.clear()
        if self.stamp_file is not None:
            self._replace_stamp(self.stamp_file)

    def close(self) -> None:
        with self._lock:
            self._entries.clear()
