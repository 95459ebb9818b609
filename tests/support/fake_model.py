"""The test fake in place of every model, for a whole `autoforge` process started by a test
(`python -m tests.support.fake_autoforge ...`) or for CLI commands run in the test's own
process (`use_fake_model`). This lives in the tests, not in the package: no setting of a
deployment can switch a real server to the fake.

Every model echoes its prompt with the words reversed, after `delay_ms`. With a call log,
each model call appends one JSON line to that file and syncs it before answering, so the
count survives a SIGKILL of the process: a test can prove how often the model was called.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from autoforge.llm.fake import FakeModelClient
from autoforge.llm.gateway import StreamPart
from autoforge.llm.types import Completion, CompletionRequest

# Read only by `tests/support/fake_autoforge.py`, the test entry point.
DELAY_ENV = "AUTOFORGE_TEST_FAKE_DELAY_MS"
CALL_LOG_ENV = "AUTOFORGE_TEST_FAKE_CALL_LOG"
UNPRICED_ENV = "AUTOFORGE_TEST_FAKE_UNPRICED"  # comma-separated models without a price


class RecordingFake(FakeModelClient):
    def __init__(
        self,
        delay_s: float = 0.0,
        call_log: Path | None = None,
        unpriced: tuple[str, ...] = (),
    ) -> None:
        super().__init__(delay_s=delay_s, unpriced=unpriced)
        self._call_log = call_log
        self._log_lock = threading.Lock()

    def complete(self, request: CompletionRequest, *, timeout_s: float) -> Completion:
        answer = super().complete(request, timeout_s=timeout_s)
        self._record(request)
        return answer

    def stream(self, request: CompletionRequest, *, timeout_s: float) -> Iterator[StreamPart]:
        yield from super().stream(request, timeout_s=timeout_s)
        self._record(request)

    def _record(self, request: CompletionRequest) -> None:
        if self._call_log is None:
            return
        line = json.dumps({"model": request.model, "input": request.as_input()}) + "\n"
        with self._log_lock, self._call_log.open("a", encoding="utf-8") as log:
            log.write(line)
            log.flush()
            os.fsync(log.fileno())


@dataclass(frozen=True)
class FakeModel:
    """How a process started by a test fakes its models."""

    delay_ms: int = 0
    call_log: Path | None = None
    # Models the fake has no price for: their calls are unpriced, as LiteLLM's would be.
    unpriced: tuple[str, ...] = ()

    def env(self) -> dict[str, str]:
        env = {DELAY_ENV: str(self.delay_ms)}
        if self.call_log is not None:
            env[CALL_LOG_ENV] = str(self.call_log)
        if self.unpriced:
            env[UNPRICED_ENV] = ",".join(self.unpriced)
        return env

    def client(self) -> RecordingFake:
        return RecordingFake(self.delay_ms / 1000, self.call_log, self.unpriced)


def calls_in(call_log: Path) -> list[dict[str, Any]]:
    if not call_log.exists():
        return []
    return [json.loads(line) for line in call_log.read_text().splitlines()]


def install(fake: FakeModel) -> None:
    """Every container bootstrapped from now on in this process answers with `fake`."""
    import autoforge.bootstrap

    autoforge.bootstrap._model_client = (  # type: ignore[attr-defined]
        lambda settings, local, database: fake.client()
    )


def from_env() -> FakeModel:
    log = os.environ.get(CALL_LOG_ENV)
    unpriced = tuple(m for m in os.environ.get(UNPRICED_ENV, "").split(",") if m)
    return FakeModel(int(os.environ.get(DELAY_ENV, "0")), Path(log) if log else None, unpriced)


def use_fake_model(monkeypatch: pytest.MonkeyPatch, fake: FakeModel | None = None) -> None:
    """For CLI commands run in the test's process: their containers answer with the fake,
    until the test ends."""
    import autoforge.bootstrap

    chosen = fake or FakeModel()
    monkeypatch.setattr(
        autoforge.bootstrap, "_model_client", lambda settings, local, database: chosen.client()
    )
