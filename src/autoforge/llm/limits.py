"""Concurrency limits per model, or per provider when a provider prefix is configured."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from autoforge.llm.errors import ModelBusy


class Slot:
    """One held place under a limit; releasing twice is harmless (streams end in many ways)."""

    def __init__(
        self,
        semaphore: threading.BoundedSemaphore,
        on_release: Callable[[], None] | None = None,
    ) -> None:
        self._semaphore = semaphore
        self._on_release = on_release
        self._lock = threading.Lock()
        self._held = True

    def release(self) -> None:
        with self._lock:
            if not self._held:
                return
            self._held = False
        if self._on_release is not None:
            self._on_release()
        self._semaphore.release()


@dataclass(frozen=True)
class QueueDepth:
    """A limit's state: calls running under it, calls waiting for a place, its size."""

    running: int
    waiting: int
    limit: int


class ConcurrencyLimits:
    """`limits` maps a model (`openai/gpt-4o`) or a provider (`openai`) to its parallel calls.

    A model named exactly wins over its provider; models with neither get their own
    semaphore of `default` size. Models under one provider key share its semaphore, which is
    what a provider-wide rate limit needs.

    Calls past the limit wait in a bounded queue. The wait has its own deadline
    (`queue_timeout_s`), apart from the call's timeout: a local model serving one call at a
    time keeps a long queue moving, and a call that waits its turn is not a call that hangs.
    Only a full queue, or a wait past that deadline, fails the call.
    """

    def __init__(
        self,
        limits: Mapping[str, int],
        default: int,
        *,
        queue_max: int = 1000,
        queue_timeout_s: float = 600.0,
    ) -> None:
        self._limits = dict(limits)
        self._default = default
        self.queue_max = queue_max
        self.queue_timeout_s = queue_timeout_s
        self._semaphores: dict[str, threading.BoundedSemaphore] = {}
        self._waiting: dict[str, int] = {}
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()

    def key(self, model: str) -> str:
        if model in self._limits:
            return model
        provider = model.split("/", 1)[0]
        return provider if provider in self._limits else model

    def size(self, model: str) -> int:
        return max(1, self._limits.get(self.key(model), self._default))

    def _semaphore(self, key: str) -> threading.BoundedSemaphore:
        semaphore = self._semaphores.get(key)
        if semaphore is None:
            with self._lock:
                semaphore = self._semaphores.get(key)
                if semaphore is None:
                    size = self._limits.get(key, self._default)
                    semaphore = threading.BoundedSemaphore(max(1, size))
                    self._semaphores[key] = semaphore
        return semaphore

    def depth(self, model: str) -> QueueDepth:
        key = self.key(model)
        with self._lock:
            return QueueDepth(
                self._running.get(key, 0), self._waiting.get(key, 0), self.size(model)
            )

    def acquire(self, model: str, timeout_s: float | None = None) -> Slot:
        """A place under the model's limit, waiting in its queue up to `timeout_s` (by
        default `queue_timeout_s`)."""
        key = self.key(model)
        semaphore = self._semaphore(key)
        wait_s = self.queue_timeout_s if timeout_s is None else timeout_s
        if not semaphore.acquire(blocking=False):
            with self._lock:
                waiting = self._waiting.get(key, 0)
                if waiting >= self.queue_max:
                    raise ModelBusy(
                        f"the queue for {model} is full ({waiting} calls waiting); retry later"
                    )
                self._waiting[key] = waiting + 1
            try:
                acquired = semaphore.acquire(timeout=wait_s)
            finally:
                with self._lock:
                    self._waiting[key] -= 1
            if not acquired:
                raise ModelBusy(f"waited {wait_s:g}s in the queue for {model} without a turn")
        with self._lock:
            self._running[key] = self._running.get(key, 0) + 1
        return Slot(semaphore, on_release=lambda: self._released(key))

    def _released(self, key: str) -> None:
        with self._lock:
            self._running[key] -= 1

    @contextmanager
    def slot(self, model: str, timeout_s: float | None = None) -> Iterator[None]:
        held = self.acquire(model, timeout_s)
        try:
            yield
        finally:
            held.release()
