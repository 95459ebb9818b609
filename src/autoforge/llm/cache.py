"""The response cache: answers stored in the database under a hash of what shapes them."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from typing import Any

import orjson
from sqlalchemy import select, update
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from autoforge.db.base import utcnow
from autoforge.db.unit_of_work import Database, UnitOfWork
from autoforge.llm.models import CachedResponseRow
from autoforge.llm.types import Completion, CompletionRequest
from autoforge.llm.write_behind import WriteBehind

_KEY_VERSION = 1  # bump when the key's recipe changes, so old entries are simply never hit
# JSON tells 0 from 0.0; a model does not, and callers write either.
_FLOAT_PARAMS = frozenset({"temperature", "top_p", "presence_penalty", "frequency_penalty"})


def cache_key(request: CompletionRequest) -> str:
    """sha256 of canonical JSON: sorted keys, no whitespace, so equal requests hash equally.

    Everything in `params` is output-affecting by construction (see OUTPUT_PARAMS); a param
    left unset and a param set to null are the same request, so nulls are dropped, and
    sampling numbers are compared as floats.
    """
    params = {
        k: float(v) if k in _FLOAT_PARAMS else v for k, v in request.params.items() if v is not None
    }
    body: dict[str, Any] = {"v": _KEY_VERSION, "model": request.model, "params": params}
    if request.project_id is not None:
        # Every cache entry belongs to a project: one project's answers are never served
        # to another (nor does a hit tell it what another asked).
        body["project"] = request.project_id
    if request.messages is not None:
        body["messages"] = [dict(m) for m in request.messages]
    else:
        body["prompt"] = request.prompt
    try:
        canonical = orjson.dumps(body, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    except TypeError:
        # orjson refuses integers beyond 64 bits, which a client may put in a message; the
        # standard library writes them, as deterministically.
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hashlib.sha256(canonical).hexdigest()


class ResponseCache:
    """Reads are direct (one indexed lookup); hit counters are bumped write-behind."""

    def __init__(self, database: Database, writes: WriteBehind) -> None:
        self._database = database
        self._writes = writes
        self._select = select(CachedResponseRow.response)
        # Hits are summed per key until the writer gets to them: one UPDATE per key and
        # batch, however many hits a hot key takes meanwhile.
        self._pending_hits: Counter[str] = Counter()
        self._hits_lock = threading.Lock()

    def get(self, key: str) -> Completion | None:
        # A plain connection, not a transaction: one autocommit SELECT is already consistent
        # and skips the BEGIN/ROLLBACK round trips of a unit of work.
        with self._database.engine.connect() as conn:
            row = conn.execute(self._select.where(CachedResponseRow.key == key)).first()
        if row is None:
            return None
        self._count_hit(key)
        return Completion.from_json(row[0])

    def put(self, key: str, model: str, completion: Completion) -> None:
        """Stored synchronously, so the very next identical call is already a hit."""
        statement = (
            insert(CachedResponseRow)
            .values(
                key=key,
                model=model,
                response=completion.to_json(),
                created_at=utcnow(),
                hit_count=0,
            )
            .on_conflict_do_nothing(index_elements=["key"])
        )

        def work(uow: UnitOfWork) -> None:
            uow.session.execute(statement)

        self._database.run(work)

    def _count_hit(self, key: str) -> None:
        with self._hits_lock:
            first = not self._pending_hits
            self._pending_hits[key] += 1
        if first:
            self._writes.submit(self._write_hits)

    def _write_hits(self, session: Session) -> None:
        with self._hits_lock:
            hits, self._pending_hits = self._pending_hits, Counter()
        for key, count in hits.items():
            session.execute(
                update(CachedResponseRow)
                .where(CachedResponseRow.key == key)
                .values(hit_count=CachedResponseRow.hit_count + count)
            )

    def hit_count(self, key: str) -> int | None:
        self._writes.flush()
        with self._database.engine.connect() as conn:
            row = conn.execute(
                select(CachedResponseRow.hit_count).where(CachedResponseRow.key == key)
            ).first()
        return None if row is None else int(row[0])
