"""Concurrency limits per model, or per provider when a provider prefix is configured."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from autoforge.llm.errors import ModelBusy


class Slot:
    """One held place under a limit; releasing twice is harmless (streams end in many ways)."""

    def __init__(self, semaphore: threading.BoundedSemaphore) -> None:
        self._semaphore = semaphore
        self._lock = threading.Lock()
        self._held = True

    def release(self) -> None:
        with self._lock:
            if not self._held:
                return
            self._held = False
        self._semaphore.release()


class ConcurrencyLimits:
    """`limits` maps a model (`openai/gpt-4o`) or a provider (`openai`) to its parallel calls.

    A model named exactly wins over its provider; models with neither get their own
    semaphore of `default` size. Models under one provider key share its semaphore, which is
    what a provider-wide rate limit needs.
    """

    def __init__(self, limits: Mapping[str, int], default: int) -> None:
        self._limits = dict(limits)
        self._default = default
        self._semaphores: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()

    def key(self, model: str) -> str:
        if model in self._limits:
            return model
        provider = model.split("/", 1)[0]
        return provider if provider in self._limits else model

    def _semaphore(self, model: str) -> threading.BoundedSemaphore:
        key = self.key(model)
        semaphore = self._semaphores.get(key)
        if semaphore is None:
            with self._lock:
                semaphore = self._semaphores.get(key)
                if semaphore is None:
                    size = self._limits.get(key, self._default)
                    semaphore = threading.BoundedSemaphore(max(1, size))
                    self._semaphores[key] = semaphore
        return semaphore

    def acquire(self, model: str, timeout_s: float) -> Slot:
        semaphore = self._semaphore(model)
        if not semaphore.acquire(timeout=timeout_s):
            raise ModelBusy(f"no free slot for {model} within {timeout_s:g}s")
        return Slot(semaphore)

    @contextmanager
    def slot(self, model: str, timeout_s: float) -> Iterator[None]:
        held = self.acquire(model, timeout_s)
        try:
            yield
        finally:
            held.release()
