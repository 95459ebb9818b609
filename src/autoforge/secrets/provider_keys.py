"""A project's stored provider keys, decrypted for its model calls and remembered briefly.

A model call asks for one key by name (OPENAI_API_KEY for `openai/...`). The answer, a
value or "none stored", is remembered per project and name for `remember_s` seconds, so a
batch of calls costs one read and one decryption; a key set or deleted takes effect within
that time. Values live only in this process's memory, never in a log line or an error.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from autoforge.db.tenancy import reading
from autoforge.db.unit_of_work import Database
from autoforge.secrets import service
from autoforge.secrets.vault import Vault

REMEMBER_S = 5.0
_MAX_REMEMBERED = 10_000


class ProviderKeys:
    """`vault` is called only when a stored key is to be decrypted: a server without any
    encryption key still serves projects that stored none."""

    def __init__(
        self,
        database: Database,
        vault: Callable[[], Vault],
        *,
        remember_s: float = REMEMBER_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._database = database
        self._vault = vault
        self._remember_s = remember_s
        self._clock = clock
        self._remembered: dict[tuple[str, str], tuple[float, str | None]] = {}
        self._lock = threading.Lock()

    def __call__(self, project_id: str, name: str) -> str | None:
        """The project's stored `name`, or None (the environment's key applies then)."""
        key = (project_id, name)
        now = self._clock()
        with self._lock:
            found = self._remembered.get(key)
        if found is not None and found[0] > now:
            return found[1]
        stored = self._database.run(
            lambda uow: service.ciphertext_of(uow, name),
            read_only=True,
            scope=reading(project_id),
        )
        value = self._vault().decrypt(stored) if stored is not None else None
        with self._lock:
            if len(self._remembered) >= _MAX_REMEMBERED:
                self._remembered.clear()
            self._remembered[key] = (now + self._remember_s, value)
        return value
