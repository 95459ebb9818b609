"""Live progress of a background run as Server-Sent Events, the one way both evaluations
and optimizations stream it: poll the committed state, send what changed, end at the end."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from fastapi.sse import ServerSentEvent

from autoforge.evaluations.domain import TERMINAL_STATUSES

T = TypeVar("T")


async def progress_stream(
    read: Callable[[], T],
    progress_of: Callable[[T], dict[str, Any]],
    status_of: Callable[[T], str],
    poll_s: float,
) -> AsyncIterator[ServerSentEvent]:
    """A `progress` event whenever `progress_of` changes, then one `completed` or `failed`
    event with the whole object. Each poll reads in its own short transaction (`read`, on a
    thread): a transaction held for the whole stream would pin a connection."""
    last = None
    while True:
        current = await asyncio.to_thread(read)
        status = status_of(current)
        progress = {"status": status, **progress_of(current)}
        if progress != last:
            yield ServerSentEvent(event="progress", data=progress)
            last = progress
        if status in TERMINAL_STATUSES:
            yield ServerSentEvent(event=status, data=current)
            return
        await asyncio.sleep(poll_s)
