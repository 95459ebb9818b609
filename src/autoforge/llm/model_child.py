"""The local model's own process: `python -m autoforge.llm.model_child CONFIG_JSON`.

It loads the weights once, says `ready` (or why not) and then answers one request at a time
from its standard input on its standard output, in the frames of `model_wire`. It imports
llama.cpp and nothing of the server: a crash here (SIGILL from a build this CPU cannot run,
SIGSEGV, the OOM killer) ends this process only, and the server reports it and starts
another. It exits when its standard input closes, so it never outlives the server.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path
from queue import Queue
from typing import IO, Any

from autoforge.llm import model_wire
from autoforge.llm.errors import ModelCallError
from autoforge.llm.local_model import LocalModel, LocalModelConfig, LocalResult


def system_info() -> str:
    """The CPU features llama.cpp was compiled to use, as it reports them."""
    import llama_cpp

    raw = llama_cpp.llama_print_system_info()
    return raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)


class _Requests:
    """Reads requests on a thread of its own, so a `cancel` arrives while a call generates."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self.queue: Queue[dict[str, Any] | None] = Queue()
        self.cancelled: set[int] = set()
        threading.Thread(target=self._read, name="model-requests", daemon=True).start()

    def _read(self) -> None:
        while (frame := model_wire.read_frame(self._stream)) is not None:
            if frame.get("op") == "cancel":
                self.cancelled.add(int(frame["id"]))
            else:
                self.queue.put(frame)
        self.queue.put(None)


def serve(config: LocalModelConfig, stdin: IO[bytes], stdout: IO[bytes]) -> int:
    model = LocalModel(config)
    started = time.perf_counter()
    try:
        model.llama()
        info = system_info()
    except Exception as exc:
        model_wire.write_frame(stdout, {"op": "ready", "ok": False, "error": str(exc)})
        return 3
    model_wire.write_frame(
        stdout,
        {
            "op": "ready",
            "ok": True,
            "pid": os.getpid(),
            "load_s": round(time.perf_counter() - started, 3),
            "system_info": info,
        },
    )
    requests = _Requests(stdin)
    while (request := requests.queue.get()) is not None:
        _answer(model, request, requests.cancelled, stdout)
    model.close()
    return 0


def _answer(
    model: LocalModel, request: dict[str, Any], cancelled: set[int], out: IO[bytes]
) -> None:
    call_id = int(request["id"])
    op = request.get("op")
    if op == "ping":
        model_wire.write_frame(out, {"id": call_id, "ok": True})
        return
    params = dict(request.get("params") or {})
    # A cancelled call (its caller went away) stops at the next token, like a timeout.
    params["_should_stop"] = lambda: call_id in cancelled
    try:
        if op == "stream":
            result: LocalResult | None = None
            for part in model.stream(
                request["prompt"],
                params,
                chat=bool(request["chat"]),
                timeout_s=request["timeout_s"],
            ):
                if isinstance(part, str):
                    model_wire.write_frame(out, {"id": call_id, "delta": part})
                else:
                    result = part
            assert result is not None
        else:
            result = model.complete(
                request["prompt"],
                params,
                chat=bool(request["chat"]),
                timeout_s=request["timeout_s"],
            )
    except ModelCallError as exc:
        error = {"kind": type(exc).__name__, "detail": exc.detail}
        model_wire.write_frame(out, {"id": call_id, "ok": False, "error": error})
    else:
        model_wire.write_frame(out, {"id": call_id, "ok": True, "result": asdict(result)})
    finally:
        cancelled.discard(call_id)


def main(argv: list[str]) -> int:
    settings = model_wire.decode_config(argv[1])
    config = LocalModelConfig(
        path=Path(settings["path"]),
        threads=settings.get("threads"),
        context=int(settings["context"]),
        default_max_tokens=int(settings["default_max_tokens"]),
    )
    # The frames own stdout: anything else printed there (by llama.cpp, say) goes to stderr.
    protocol_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb", buffering=0)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return serve(config, sys.stdin.buffer, protocol_out)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
