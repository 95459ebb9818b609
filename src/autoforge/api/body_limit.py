"""Refuses request bodies over a size limit with a 413 problem, never buffering the body."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Same media type and fields as api/problems.py; not imported from there because that
# module pulls in SQLAlchemy and the database layer, which a byte counter has no use for.
PROBLEM_JSON = "application/problem+json"
SETTING = "MAX_BODY_BYTES"


@dataclass(frozen=True)
class _Limit:
    max_bytes: int
    source: str  # named in the 413 so an operator knows which knob to turn


class _BodyTooLargeError(Exception):
    """Raised into the app by the guarded receive(); the middleware turns it into the 413."""


class BodyLimitMiddleware:
    """413 for a declared Content-Length over the limit before any read; otherwise counts the
    bytes as the app reads them and cuts the body off once they pass the limit."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        *,
        path_limits: Sequence[tuple[str, int]] = (),
        setting: str = SETTING,
    ) -> None:
        if max_bytes < 0:
            raise ValueError("max_bytes must be >= 0")
        self.app = app
        self._default = _Limit(max_bytes, setting)
        # Bulk imports legitimately take more than ordinary JSON bodies; a path regex
        # (full match) gives those endpoints their own ceiling.
        self._by_path = [
            (re.compile(p), _Limit(n, "this endpoint's limit")) for p, n in path_limits
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(str(scope.get("path", "")))
        declared = declared_length(scope)
        if declared is not None and declared > limit.max_bytes:
            await send_413(send, _declared_detail(declared, limit))
            return
        guard = _Guard(receive, send, limit)
        try:
            await self.app(scope, guard.receive, guard.send)
        except Exception:
            # Frameworks often wrap a failing read in their own error (FastAPI: a 400); once
            # the limit was crossed, whatever the app raised is a consequence of the cut.
            if not guard.exceeded:
                raise
        await guard.finish()

    def _limit_for(self, path: str) -> _Limit:
        for pattern, limit in self._by_path:
            if pattern.fullmatch(path):
                return limit
        return self._default


class _Guard:
    """The receive/send pair handed to the app: counts body bytes, replaces the answer."""

    def __init__(self, receive: Receive, send: Send, limit: _Limit) -> None:
        self._receive = receive
        self._send = send
        self._limit = limit
        self.received = 0
        self.exceeded = False
        self.started = False

    async def receive(self) -> Message:
        if self.exceeded:
            raise _BodyTooLargeError
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self._limit.max_bytes:
                self.exceeded = True
                raise _BodyTooLargeError
        return message

    async def send(self, message: Message) -> None:
        if self.exceeded:
            # The app answered a truncated body (often with a 400); the client needs the 413.
            await self.finish()
            return
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)

    async def finish(self) -> None:
        """Sends the 413 if the limit was crossed and nothing has gone out yet."""
        if self.exceeded and not self.started:
            self.started = True
            await send_413(self._send, _streamed_detail(self.received, self._limit))


def declared_length(scope: Scope) -> int | None:
    """The Content-Length header as an int, or None when absent or malformed."""
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


def _declared_detail(declared: int, limit: _Limit) -> str:
    return (
        f"the request body is {declared} bytes; the limit is {limit.max_bytes} bytes "
        f"({limit.source})"
    )


def _streamed_detail(received: int, limit: _Limit) -> str:
    return (
        f"the request body passed the limit of {limit.max_bytes} bytes ({limit.source}) "
        f"after {received} bytes; send less or split it"
    )


async def send_413(send: Send, detail: str) -> None:
    body = json.dumps(
        {"type": "about:blank", "title": "Payload Too Large", "status": 413, "detail": detail}
    ).encode()
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
        # The unread rest of the body is still on the wire: closing is the only way to
        # discard it without reading it, and it tells the client to stop sending.
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
