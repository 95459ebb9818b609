"""A cached read use case: its response body from the cache, or from a read-only transaction
of the caller's project on a miss. A hit opens no transaction at all."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from autoforge.cache.aside import Cache, Loaded
from autoforge.cache.keys import CacheKey
from autoforge.db.tenancy import Scope
from autoforge.db.unit_of_work import Database, UnitOfWork

# The use case's answer, and whether it may be kept (False: serve it, do not cache it).
Read = Callable[[UnitOfWork], tuple[BaseModel, bool]]


def body(model: BaseModel) -> bytes:
    """What FastAPI would send for the model as a response."""
    return model.model_dump_json(by_alias=True).encode()


def read_through(
    cache: Cache, database: Database, scope: Scope, key: CacheKey, read: Read
) -> bytes:
    def load() -> Loaded:
        with database.transaction(read_only=True, scope=scope) as uow:
            answer, keep = read(uow)
        return Loaded(body(answer), keep=keep)

    return cache.get_or_load(key, load)


async def read_through_async(
    cache: Cache, database: Database, scope: Scope, key: CacheKey, read: Read
) -> bytes:
    """The same, for an `async def` endpoint: a hit in this process's memory is answered on
    the event loop, with no thread-pool hop (measured: bench.prompts, cached reads); a miss
    or a Redis read takes one hop, as the database and the network block."""
    hit = cache.peek(key)
    if hit is not None:
        return hit
    return await run_in_threadpool(read_through, cache, database, scope, key, read)
