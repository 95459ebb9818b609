"""The frames between the server and the local model's process: a 4-byte big-endian length,
then that many bytes of JSON. Pipes carry them; nothing else is written to those pipes."""

from __future__ import annotations

import struct
from typing import IO, Any

import orjson

_HEADER = struct.Struct(">I")
MAX_FRAME = 64 * 1024 * 1024  # a frame past this means the stream is corrupt, not a big answer


def write_frame(stream: IO[bytes], message: dict[str, Any]) -> None:
    body = orjson.dumps(message)
    stream.write(_HEADER.pack(len(body)) + body)
    stream.flush()


def read_frame(stream: IO[bytes]) -> dict[str, Any] | None:
    """The next message, or None once the other side has closed the pipe (or died)."""
    header = _read_exactly(stream, _HEADER.size)
    if header is None:
        return None
    (length,) = _HEADER.unpack(header)
    if length > MAX_FRAME:
        raise ValueError(f"a frame of {length} bytes: the model process's output is corrupt")
    body = _read_exactly(stream, length)
    if body is None:
        return None
    message: dict[str, Any] = orjson.loads(body)
    return message


def _read_exactly(stream: IO[bytes], size: int) -> bytes | None:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def encode_config(settings: dict[str, Any]) -> str:
    return orjson.dumps(settings).decode()


def decode_config(text: str) -> dict[str, Any]:
    settings: dict[str, Any] = orjson.loads(text)
    return settings
