"""BodyLimitMiddleware: oversized bodies get a 413 problem without being read or buffered."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Request
from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from autoforge.api.body_limit import BodyLimitMiddleware

pytestmark = pytest.mark.anyio

MiB = 1024 * 1024
LIMIT = 10 * MiB
IMPORT_LIMIT = 64 * MiB


class ReceiveSpy:
    """Outermost layer: records every receive() the stack below makes and the request headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.reads = 0
        self.bytes_read = 0
        self.headers: dict[bytes, bytes] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.headers = dict(scope.get("headers", ()))

        async def counting_receive() -> Message:
            self.reads += 1
            message = await receive()
            self.bytes_read += len(message.get("body", b""))
            return message

        await self.app(scope, counting_receive, send)


class Item(BaseModel):
    text: str


def build_app(calls: list[str]) -> FastAPI:
    app = FastAPI()

    @app.post("/raw")
    async def raw(request: Request) -> dict[str, object]:
        calls.append("raw")
        body = await request.body()
        return {"size": len(body), "sha256": hashlib.sha256(body).hexdigest()}

    @app.post("/model")
    async def model(item: Item) -> dict[str, int]:
        calls.append("model")
        return {"size": len(item.text)}

    @app.post("/import")
    async def bulk(request: Request) -> dict[str, int]:
        calls.append("import")
        return {"size": len(await request.body())}

    # Added the way app.py will add it: inside Starlette's error middleware.
    app.add_middleware(
        BodyLimitMiddleware, max_bytes=LIMIT, path_limits=[("/import", IMPORT_LIMIT)]
    )
    return app


@pytest.fixture
def calls() -> list[str]:
    return []


@pytest.fixture
def spy(calls: list[str]) -> ReceiveSpy:
    return ReceiveSpy(build_app(calls))


def client(app: ASGIApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def chunks(total: int, size: int = 256 * 1024) -> AsyncIterator[bytes]:
    sent = 0
    while sent < total:
        piece = min(size, total - sent)
        sent += piece
        yield b"x" * piece


def assert_413(response: httpx.Response) -> dict[str, object]:
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, object] = response.json()
    assert problem["type"] == "about:blank"
    assert problem["title"] == "Payload Too Large"
    assert problem["status"] == 413
    return problem


async def test_declared_oversize_is_refused_before_anything_reads_it(
    spy: ReceiveSpy, calls: list[str]
) -> None:
    body = bytes(60 * 1000 * 1000)
    async with client(spy) as http:
        response = await http.post("/raw", content=body)

    problem = assert_413(response)
    assert problem["detail"] == (
        f"the request body is {len(body)} bytes; the limit is {LIMIT} bytes (MAX_BODY_BYTES)"
    )
    assert response.headers["connection"] == "close"
    assert calls == []  # the endpoint never ran
    assert spy.reads == 0  # and not one byte was taken off the wire


@pytest.mark.parametrize("path", ["/raw", "/model"])
async def test_chunked_oversize_is_cut_off_with_413(
    spy: ReceiveSpy, calls: list[str], path: str
) -> None:
    total = 3 * LIMIT
    async with client(spy) as http:
        response = await http.post(path, content=chunks(total))

    assert b"content-length" not in spy.headers
    assert spy.headers[b"transfer-encoding"] == b"chunked"
    problem = assert_413(response)
    assert f"limit of {LIMIT} bytes (MAX_BODY_BYTES)" in str(problem["detail"])
    # FastAPI reads a model body before the endpoint; a raw endpoint reads it itself.
    assert calls == (["raw"] if path == "/raw" else [])
    # Reading stopped at the first chunk past the limit, not at the end of the body.
    assert LIMIT < spy.bytes_read <= LIMIT + 256 * 1024
    assert spy.bytes_read < total


@pytest.mark.parametrize("chunked", [False, True])
async def test_body_at_the_limit_passes_intact(
    spy: ReceiveSpy, calls: list[str], chunked: bool
) -> None:
    body = os.urandom(LIMIT)
    content: bytes | AsyncIterator[bytes] = body
    if chunked:
        content = (piece async for piece in _split(body, 64 * 1024))
    async with client(spy) as http:
        response = await http.post("/raw", content=content)

    assert response.status_code == 200
    assert response.json() == {"size": LIMIT, "sha256": hashlib.sha256(body).hexdigest()}
    assert calls == ["raw"]


async def test_one_byte_over_is_refused(spy: ReceiveSpy) -> None:
    async with client(spy) as http:
        response = await http.post("/raw", content=bytes(LIMIT + 1))
    assert_413(response)
    assert spy.reads == 0


async def test_model_body_under_the_limit_reaches_the_endpoint(
    spy: ReceiveSpy, calls: list[str]
) -> None:
    async with client(spy) as http:
        response = await http.post("/model", json={"text": "hello"})
    assert response.status_code == 200
    assert response.json() == {"size": 5}
    assert calls == ["model"]


async def test_a_path_limit_overrides_the_default(spy: ReceiveSpy, calls: list[str]) -> None:
    async with client(spy) as http:
        allowed = await http.post("/import", content=bytes(LIMIT + 1))
        refused = await http.post("/import", content=bytes(IMPORT_LIMIT + 1))

    assert allowed.json() == {"size": LIMIT + 1}
    problem = assert_413(refused)
    assert f"the limit is {IMPORT_LIMIT} bytes (this endpoint's limit)" in str(problem["detail"])
    assert calls == ["import"]


async def _split(body: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]
