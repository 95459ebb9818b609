"""The local model in a child process that the server starts and watches, as Ollama and
llama.cpp's own server do.

llama.cpp runs native code that can die on a signal: a build whose instructions this CPU
cannot run (SIGILL), a bug (SIGSEGV), the OOM killer, a `kill -9`. In the server's own
process any of those took the whole API down. Here they end the child only:

- the call in flight fails with `ModelCrashed` (a 503 naming the model, the signal and what
  to do); calls waiting their turn wait on and are served by the next child;
- the next call starts a new child, after a back-off that doubles with each crash in a row;
- a child that dies before it is ready, `MAX_START_FAILURES` times in a row, makes the model
  `unavailable` with the reason, shown in `/api/v1/models`, `/health/ready` and
  `autoforge models list`; calls then fail at once instead of starting it again and again,
  until `UNAVAILABLE_RETRY_S` have passed.

The weights are loaded once per child. Calls take turns (llama.cpp has one context): the
gateway's queue orders them, and the lock here keeps any other caller in this process to
one call at a time as well.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from autoforge.llm import model_wire
from autoforge.llm.errors import ModelCallError, ModelCrashed, ModelTimeout, ModelUnavailable
from autoforge.llm.local_model import (
    GATEWAY_NAME,
    LocalModelConfig,
    LocalResult,
    ensure_model_file,
    runtime_availability,
)

log = logging.getLogger(__name__)

MAX_START_FAILURES = 3
UNAVAILABLE_RETRY_S = 300.0
LOAD_TIMEOUT_S = 180.0
# How long past a call's own timeout the child may take to answer before it counts as hung
# (the child checks the deadline between tokens, so a healthy one answers well within this).
HUNG_GRACE_S = 30.0
_BACKOFF_FIRST_S = 0.5
_BACKOFF_MAX_S = 30.0
_STDERR_LINES = 40


def describe_exit(returncode: int) -> str:
    """`SIGILL (illegal instruction)` for a signal, `exit code 3` otherwise."""
    if returncode < 0:
        number = -returncode
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        reason = signal.strsignal(number) or ""
        return f"{name} ({reason.lower()})" if reason else name
    return f"exit code {returncode}"


def advice(returncode: int | None) -> str:
    if returncode == -signal.SIGILL:
        return (
            "llama.cpp was built for CPU instructions this machine cannot run: reinstall "
            "with `make install` (a portable build) and run `autoforge doctor`"
        )
    if returncode == -signal.SIGKILL:
        return "it was killed (by the OOM killer or by hand); it restarts on the next call"
    return "it restarts on the next call; run `autoforge doctor` if this repeats"


@dataclass
class ProcessState:
    """What `/api/v1/models` and `autoforge doctor` show about the model's process."""

    state: str = "stopped"  # stopped | starting | ready | crashed | unavailable
    pid: int | None = None
    starts: int = 0
    crashes: int = 0
    crashes_in_a_row: int = 0
    start_failures_in_a_row: int = 0
    last_exit: str | None = None
    reason: str | None = None
    load_s: float | None = None
    system_info: str | None = None
    unavailable_since: float | None = None
    next_start_at: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "pid": self.pid,
            "starts": self.starts,
            "crashes": self.crashes,
            "last_exit": self.last_exit,
            "reason": self.reason,
            "load_s": self.load_s,
        }


@dataclass
class _Child:
    process: subprocess.Popen[bytes]
    frames: queue.Queue[dict[str, Any] | None] = field(default_factory=queue.Queue)
    stderr: deque[str] = field(default_factory=lambda: deque(maxlen=_STDERR_LINES))

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        model_wire.write_frame(self.process.stdin, message)


class LocalModelProcess:
    """The same face as `LocalModel` (complete, stream, availability, close), served by a
    supervised child process."""

    def __init__(
        self,
        config: LocalModelConfig,
        *,
        command: Callable[[str], list[str]] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self._command = command or _child_command
        self._clock = clock
        self._sleep = sleep
        self._child: _Child | None = None
        self._turn = threading.Lock()  # one call at a time in the child
        self._state_lock = threading.Lock()
        self._status = ProcessState()
        self._call_ids = iter(range(1, sys.maxsize))

    # -- what callers see -------------------------------------------------------------

    def availability(self) -> tuple[bool, str]:
        status = self.status()
        if status.state == "unavailable":
            return False, f"unavailable: {status.reason}"
        available, detail = runtime_availability(self.config.path)
        if not available:
            return False, detail
        if status.state == "ready":
            return True, f"running in process {status.pid}"
        if status.state == "crashed":
            return True, f"restarting after {status.last_exit}"
        return True, detail

    def status(self) -> ProcessState:
        with self._state_lock:
            if (
                self._status.state == "unavailable"
                and self._status.unavailable_since is not None
                and self._clock() - self._status.unavailable_since > UNAVAILABLE_RETRY_S
            ):
                self._status.state = "stopped"
                self._status.start_failures_in_a_row = 0
            return ProcessState(**vars(self._status))

    def warm(self, timeout_s: float = LOAD_TIMEOUT_S) -> ProcessState:
        """Starts the child now (if it is not running) and waits until it is ready."""
        with self._turn:
            self._ready_child(self._clock() + timeout_s)
        return self.status()

    def complete(
        self, prompt: str, params: Mapping[str, Any], *, chat: bool, timeout_s: float
    ) -> LocalResult:
        result: LocalResult | None = None
        for part in self._call("complete", prompt, params, chat=chat, timeout_s=timeout_s):
            if isinstance(part, LocalResult):
                result = part
        assert result is not None
        return result

    def stream(
        self, prompt: str, params: Mapping[str, Any], *, chat: bool, timeout_s: float
    ) -> Iterator[str | LocalResult]:
        """Text deltas, then a `LocalResult` with the totals."""
        return self._call("stream", prompt, params, chat=chat, timeout_s=timeout_s)

    def close(self) -> None:
        with self._state_lock:
            child, self._child = self._child, None
            if self._status.state in ("ready", "starting", "crashed"):
                self._status.state = "stopped"
            self._status.pid = None
        if child is not None:
            _stop(child)

    # -- one call ---------------------------------------------------------------------

    def _call(
        self, op: str, prompt: str, params: Mapping[str, Any], *, chat: bool, timeout_s: float
    ) -> Iterator[str | LocalResult]:
        deadline = self._clock() + timeout_s
        if not self._turn.acquire(timeout=max(0.0, timeout_s)):
            raise ModelTimeout(f"{GATEWAY_NAME} stayed busy until the call's timeout")
        try:
            child = self._ready_child(deadline)
            call_id = next(self._call_ids)
            request = {
                "id": call_id,
                "op": op,
                "prompt": prompt,
                "params": {k: v for k, v in params.items() if _is_plain(v)},
                "chat": chat,
                "timeout_s": max(0.001, deadline - self._clock()),
            }
            try:
                child.send(request)
            except OSError:
                raise self._crashed(child, "while a call was sent") from None
            yield from self._replies(child, call_id, deadline)
        finally:
            self._turn.release()

    def _replies(self, child: _Child, call_id: int, deadline: float) -> Iterator[str | LocalResult]:
        finished = False
        try:
            while True:
                wait = deadline + HUNG_GRACE_S - self._clock()
                try:
                    frame = child.frames.get(timeout=max(0.0, wait))
                except queue.Empty:
                    self._kill_hung(child)
                    raise ModelTimeout(
                        f"{GATEWAY_NAME} stopped answering; its process was restarted"
                    ) from None
                if frame is None:
                    raise self._crashed(child, "during the call")
                if frame.get("id") != call_id:
                    continue  # the tail of a call whose caller went away
                if "delta" in frame:
                    yield str(frame["delta"])
                    continue
                finished = True
                if not frame.get("ok"):
                    raise _error_of(frame.get("error") or {})
                with self._state_lock:
                    self._status.crashes_in_a_row = 0
                yield LocalResult(**frame["result"])
                return
        finally:
            if not finished and child.process.poll() is None:
                # The caller stopped reading (a closed stream): the child stops generating.
                with contextlib.suppress(OSError):
                    child.send({"op": "cancel", "id": call_id})

    # -- the child's life -------------------------------------------------------------

    def _ready_child(self, deadline: float) -> _Child:
        """The running child, or a new one once the back-off has passed. Holds the turn."""
        child = self._child
        if child is not None and child.process.poll() is None:
            return child
        if child is not None:
            self._crashed(child, "while idle")
        with self._state_lock:
            status = self._status
            if status.state == "unavailable":
                raise ModelUnavailable(f"{GATEWAY_NAME} is unavailable: {status.reason}")
            wait = status.next_start_at - self._clock()
        if wait > 0:
            if self._clock() + wait > deadline:
                raise ModelUnavailable(
                    f"{GATEWAY_NAME} is restarting after {status.last_exit}; retry in {wait:.1f} s"
                )
            self._sleep(wait)
        return self._start(deadline)

    def _start(self, deadline: float) -> _Child:
        ensure_model_file(self.config.path)
        settings = {
            "path": str(self.config.path),
            "threads": self.config.threads,
            "context": self.config.context,
            "default_max_tokens": self.config.default_max_tokens,
        }
        process = subprocess.Popen(
            self._command(model_wire.encode_config(settings)),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_child_env(),
        )
        child = _Child(process)
        with self._state_lock:
            self._status.state = "starting"
            self._status.pid = process.pid
            self._status.starts += 1
        _pump(child)
        wait = min(LOAD_TIMEOUT_S, max(1.0, deadline - self._clock()))
        try:
            ready = child.frames.get(timeout=wait)
        except queue.Empty:
            _stop(child)
            raise self._start_failed(child, f"it did not load within {wait:.0f} s") from None
        if ready is None or not ready.get("ok"):
            process.wait(5)
            reason = (ready or {}).get("error") or describe_exit(process.returncode)
            raise self._start_failed(child, str(reason))
        with self._state_lock:
            self._child = child
            self._status.start_failures_in_a_row = 0
            self._status.state = "ready"
            self._status.load_s = float(ready["load_s"])
            self._status.system_info = str(ready.get("system_info") or "")
            self._status.reason = None
        log.info("%s ready in process %d (%.2f s)", GATEWAY_NAME, process.pid, ready["load_s"])
        return child

    def _start_failed(self, child: _Child, reason: str) -> ModelUnavailable:
        tail = _last_line(child)
        detail = f"{reason}; {tail}" if tail and tail not in reason else reason
        with self._state_lock:
            status = self._status
            status.start_failures_in_a_row += 1
            status.last_exit = describe_exit(child.process.returncode or 0)
            status.pid = None
            status.reason = (
                f"its process failed to start {status.start_failures_in_a_row}x: {detail}"
            )
            if status.start_failures_in_a_row >= MAX_START_FAILURES:
                status.state = "unavailable"
                status.unavailable_since = self._clock()
            else:
                status.state = "crashed"
                status.next_start_at = self._clock() + _backoff(status.start_failures_in_a_row)
        log.error("%s could not start: %s", GATEWAY_NAME, detail)
        return ModelUnavailable(f"{GATEWAY_NAME} could not start: {detail}")

    def _crashed(self, child: _Child, when: str) -> ModelCrashed:
        child.process.wait()
        returncode = child.process.returncode
        exit_text = describe_exit(returncode)
        with self._state_lock:
            if self._child is child:
                self._child = None
                status = self._status
                status.crashes += 1
                status.crashes_in_a_row += 1
                status.state = "crashed"
                status.pid = None
                status.last_exit = exit_text
                status.reason = f"its process died with {exit_text} {when}"
                status.next_start_at = self._clock() + _backoff(status.crashes_in_a_row)
        log.error("%s's process died with %s %s", GATEWAY_NAME, exit_text, when)
        return ModelCrashed(
            f"{GATEWAY_NAME}'s process died with {exit_text} {when}; {advice(returncode)}",
            model=GATEWAY_NAME,
            signal=exit_text,
        )

    def _kill_hung(self, child: _Child) -> None:
        child.process.kill()
        self._crashed(child, "after it stopped answering")


def _backoff(in_a_row: int) -> float:
    return float(min(_BACKOFF_MAX_S, _BACKOFF_FIRST_S * 2 ** max(0, in_a_row - 1)))


def _is_plain(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool | list | tuple)


def _error_of(error: Mapping[str, Any]) -> ModelCallError:
    detail = str(error.get("detail") or "the local model failed")
    if error.get("kind") in ("ModelTimeout", "ModelBusy"):
        return ModelTimeout(detail)
    return ModelUnavailable(detail)


def _child_command(config: str) -> list[str]:
    return [sys.executable, "-m", "autoforge.llm.model_child", config]


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    # The child must import this very package, also when it runs from a source tree.
    source = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, env.get("PYTHONPATH")]))
    return env


def _pump(child: _Child) -> None:
    """One thread turns the child's stdout into frames (None at its end), another keeps
    the last lines of its stderr for the error that explains a failed start."""

    def frames() -> None:
        assert child.process.stdout is not None
        try:
            while (frame := model_wire.read_frame(child.process.stdout)) is not None:
                child.frames.put(frame)
        except (OSError, ValueError):
            log.exception("the model process's output broke off")
        child.frames.put(None)

    def errors() -> None:
        stream: IO[bytes] | None = child.process.stderr
        assert stream is not None
        for raw in stream:
            line = raw.decode(errors="replace").rstrip()
            if line:
                child.stderr.append(line)
                log.debug("model process: %s", line)

    threading.Thread(target=frames, name="model-frames", daemon=True).start()
    threading.Thread(target=errors, name="model-stderr", daemon=True).start()


def _last_line(child: _Child) -> str:
    time.sleep(0.05)  # let the stderr reader catch the last words of a dying child
    return child.stderr[-1] if child.stderr else ""


def _stop(child: _Child) -> None:
    try:
        if child.process.stdin is not None:
            child.process.stdin.close()  # the child exits when its input ends
        child.process.wait(5)
    except (OSError, subprocess.TimeoutExpired):
        child.process.kill()
        child.process.wait(5)


_shared: dict[LocalModelConfig, LocalModelProcess] = {}
_shared_lock = threading.Lock()


def shared_model_process(config: LocalModelConfig) -> LocalModelProcess:
    """One child per configuration and server process: the weights are loaded once."""
    with _shared_lock:
        model = _shared.get(config)
        if model is None:
            model = _shared[config] = LocalModelProcess(config)
        return model


@atexit.register
def _stop_shared() -> None:
    for model in _shared.values():
        model.close()
