"""A streamed JSON Lines or CSV download, as every export endpoint answers it."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from fastapi.responses import StreamingResponse

from autoforge.exports import MEDIA_TYPES, ExportFormat


def download_responses(what: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI description of a download's 200."""
    return {
        200: {
            "description": f"JSON Lines ({what} per line) or CSV with a header row",
            "content": {media: {"schema": {"type": "string"}} for media in MEDIA_TYPES.values()},
        }
    }


def download(chunks: Iterator[bytes], fmt: ExportFormat, filename: str) -> StreamingResponse:
    # Reading the first chunk now turns a database failure or an unknown id into a
    # problem response, instead of a 200 that breaks off.
    first = next(chunks, b"")
    return StreamingResponse(
        itertools.chain([first], chunks),
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'},
    )
