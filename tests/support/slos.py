"""OTLP/JSON exports of gen_ai spans naming a prompt (ending now, so inside any SLO window),
and a real HTTP receiver for signed webhook alerts."""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_SPAN_IDS = itertools.count(1)


def _value(raw: Any) -> dict[str, Any]:
    if isinstance(raw, bool):
        return {"boolValue": raw}
    if isinstance(raw, int):
        return {"intValue": str(raw)}
    if isinstance(raw, float):
        return {"doubleValue": raw}
    return {"stringValue": str(raw)}


def genai_span(
    prompt: str,
    *,
    latency_ms: float,
    version: int | None = None,
    error: str | None = None,
    cost_usd: float = 0.0,
) -> dict[str, Any]:
    """One chat span of `prompt` that ended just now and took `latency_ms`."""
    end = time.time_ns()
    attributes: dict[str, Any] = {
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.provider.name": "openai",
        "gen_ai.usage.input_tokens": 10,
        "gen_ai.usage.output_tokens": 5,
        "gen_ai.prompt.name": prompt,
        "autoforge.cost_usd": float(cost_usd),
    }
    if version is not None:
        attributes["gen_ai.prompt.version"] = version
    span: dict[str, Any] = {
        "traceId": f"{next(_SPAN_IDS):032x}",
        "spanId": f"{next(_SPAN_IDS):016x}",
        "name": "chat",
        "kind": 3,
        "startTimeUnixNano": str(end - int(latency_ms * 1e6)),
        "endTimeUnixNano": str(end),
        "attributes": [{"key": k, "value": _value(v)} for k, v in attributes.items()],
        "status": {"code": 2, "message": error} if error else {},
    }
    return span


def otlp_json(spans: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceSpans": [{"scopeSpans": [{"spans": spans}]}]}


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A real HTTP server on a free local port. `fail_next` requests are answered 500."""

    fail_next: int = 0
    received: list[Received] = field(default_factory=list)
    failed: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _arrived: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self._arrived = threading.Condition(self._lock)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                got = Received({k.lower(): v for k, v in self.headers.items()}, body)
                with receiver._arrived:
                    failing = receiver.fail_next > 0
                    if failing:
                        receiver.fail_next -= 1
                        receiver.failed.append(got)
                    else:
                        receiver.received.append(got)
                    receiver._arrived.notify_all()
                self.send_response(500 if failing else 204)
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, count: int, timeout_s: float = 60) -> list[Received]:
        """The first `count` accepted requests, waiting for them up to `timeout_s`."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.received) >= count, timeout_s):
                raise AssertionError(
                    f"{len(self.received)} of {count} webhook requests arrived in {timeout_s} s"
                )
            return list(self.received[:count])
