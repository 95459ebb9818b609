"""A cached read use case: its response body from the cache, or from a read-only transaction
of the caller's project on a miss. A hit opens no transaction at all."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

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
