"""The local model's supervised child process, with the real model: a child killed during a
call fails that call with a clear error and the next call gets a new child; a child that
cannot start is reported, with its reason, and is not started again and again."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from autoforge.bootstrap import Container
from autoforge.llm.errors import ModelCrashed, ModelUnavailable
from autoforge.llm.local_model import GGUF_FILE, LocalModelConfig, LocalResult, ensure_model_file
from autoforge.llm.model_process import MAX_START_FAILURES, LocalModelProcess

COUNTING = "1, 2, 3, 4, 5, 6, 7, 8,"  # a base model goes on counting: a long answer for sure
LONG = {"max_tokens": 400, "temperature": 0}


@pytest.fixture(scope="module")
def model_file(file_container_session: Container) -> Path:
    return ensure_model_file(file_container_session.settings.data_dir / "models" / GGUF_FILE)


@pytest.fixture
def model(model_file: Path) -> Iterator[LocalModelProcess]:
    process = LocalModelProcess(LocalModelConfig(path=model_file, threads=1))
    yield process
    process.close()


def test_a_call_is_answered_by_the_child_and_the_weights_load_once(
    model: LocalModelProcess,
) -> None:
    first = model.complete("Q: What is the capital of France?\nA:", LONG, chat=False, timeout_s=60)
    parts = list(model.stream(COUNTING, {"max_tokens": 8}, chat=False, timeout_s=60))
    status = model.status()

    assert isinstance(first, LocalResult)
    assert first.tokens_out > 0
    deltas, final = parts[:-1], parts[-1]
    assert isinstance(final, LocalResult)
    assert "".join(str(d) for d in deltas) == final.text
    assert (status.state, status.starts, status.crashes) == ("ready", 1, 0)
    assert status.pid is not None
    assert status.pid != os.getpid()
    # The build the child runs reports no AVX-512 and no AMX (see test_portable_build).
    assert "AVX2 = 1" in (status.system_info or "")


def test_sigkill_during_a_call_fails_it_and_the_next_call_gets_a_new_child(
    model: LocalModelProcess,
) -> None:
    stream = model.stream(COUNTING, LONG, chat=False, timeout_s=60)
    next(stream)  # the child is generating now
    victim = model.status().pid
    assert victim is not None
    os.kill(victim, signal.SIGKILL)

    with pytest.raises(ModelCrashed) as crashed:
        list(stream)
    assert "SIGKILL" in crashed.value.detail
    assert "local/gemma-3-270m" in crashed.value.detail
    assert crashed.value.status == 503
    assert model.status().state == "crashed"

    answer = model.complete(COUNTING, {"max_tokens": 4}, chat=False, timeout_s=60)
    status = model.status()
    assert answer.tokens_out > 0
    assert (status.state, status.starts, status.crashes) == ("ready", 2, 1)
    assert status.pid not in (None, victim)


def test_an_abandoned_stream_does_not_leak_into_the_next_call(model: LocalModelProcess) -> None:
    stream = model.stream(COUNTING, LONG, chat=False, timeout_s=60)
    next(stream)
    stream.close()  # the caller went away: the child is told to stop

    question, short = "Q: What is the capital of France?\nA:", {"max_tokens": 6, "temperature": 0}
    direct = model.complete(question, short, chat=False, timeout_s=60)
    again = model.complete(question, short, chat=False, timeout_s=60)
    assert direct == again
    assert model.status().starts == 1


def test_a_file_that_is_not_gguf_is_a_clear_error_then_unavailable(tmp_path: Path) -> None:
    bogus = tmp_path / "model.gguf"
    bogus.write_text("this is not a model")
    clock = ManualClock()
    model = LocalModelProcess(LocalModelConfig(path=bogus), clock=clock, sleep=clock.sleep)
    errors = []
    for _ in range(MAX_START_FAILURES + 1):
        with pytest.raises(ModelUnavailable) as failed:
            model.complete("x", {}, chat=False, timeout_s=30)
        errors.append(failed.value.detail)

    assert f"Failed to load model from file: {bogus}" in errors[0]
    assert clock.slept == [0.5, 1.0]  # the back-off doubles between starts
    assert "is unavailable: its process failed to start 3x" in errors[-1]
    status = model.status()
    assert (status.state, status.starts) == ("unavailable", MAX_START_FAILURES)
    available, detail = model.availability()
    assert not available
    assert "failed to start 3x" in detail


def test_a_child_killed_by_sigill_at_start_is_named_and_explained(tmp_path: Path) -> None:
    """What a build with instructions this CPU lacks does: the signal is real, sent by the
    child to itself before it loads anything."""
    suicide = "import os, signal; os.kill(os.getpid(), signal.SIGILL)"
    model = LocalModelProcess(
        LocalModelConfig(path=tmp_path / "unused.gguf"),
        command=lambda _config: [sys.executable, "-c", suicide],
    )
    (tmp_path / "unused.gguf").write_bytes(b"")
    with pytest.raises(ModelUnavailable) as failed:
        model.complete("x", {}, chat=False, timeout_s=30)

    assert "SIGILL (illegal instruction)" in failed.value.detail
    assert model.status().last_exit == "SIGILL (illegal instruction)"


class ManualClock:
    """A monotonic clock that moves only when the back-off sleeps: retries need no waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
