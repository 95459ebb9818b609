"""The one transaction boundary: commit on success, rollback on error, events via the outbox."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

from autoforge.db import tenancy
from autoforge.db.engine import BEGIN_MODE
from autoforge.db.tenancy import Scope
from autoforge.errors import DatabaseBusyError, ReadOnlyTransactionError
from autoforge.events.base import DomainEvent
from autoforge.events.outbox import write_to_outbox

log = logging.getLogger(__name__)
T = TypeVar("T")

_TRANSIENT_MARKERS = (
    "database is locked",
    "database table is locked",
    "database is busy",
    "SQLITE_BUSY",
    "connection reset",
    "Connection reset",
    "broken pipe",
    "Broken pipe",
    "stream expired",
    "timed out",
)


def is_transient(exc: BaseException) -> bool:
    """Lock contention and dropped connections are worth retrying; nothing else is."""
    if not isinstance(exc, DBAPIError):
        return False
    message = str(exc.orig) if exc.orig is not None else str(exc)
    return any(marker in message for marker in _TRANSIENT_MARKERS)


def _retrying(attempts: int) -> Retrying:
    return Retrying(
        retry=retry_if_exception(is_transient),
        stop=stop_after_attempt(attempts),
        wait=wait_random_exponential(multiplier=0.02, max=1.0),
        before_sleep=lambda state: log.warning(
            "transient database error, retry %d: %s",
            state.attempt_number,
            state.outcome.exception() if state.outcome else "",
        ),
        reraise=True,
    )


class UnitOfWork:
    """What a service sees of a transaction: the session, event collection, savepoints, and
    the ids of the jobs queued in it, which are handed to a worker only after the commit."""

    def __init__(self, session: Session, *, read_only: bool) -> None:
        self.session = session
        self.read_only = read_only
        # The project every statement is filtered to (`db/tenancy.py`); None: a system
        # transaction (job runner, relay) that loads its targets by id across projects.
        self.scope: Scope | None = tenancy.scope_of(session)
        self.events: list[DomainEvent] = []
        self.jobs: list[str] = []
        # Cache namespaces this transaction changes, invalidated right after the commit.
        self.invalidations: list[str] = []

    def invalidate(self, *namespaces: str) -> None:
        self.invalidations.extend(namespaces)

    def collect(self, *events: DomainEvent) -> None:
        if self.read_only and events:
            raise ReadOnlyTransactionError("a read-only transaction cannot raise events")
        self.events.extend(events)

    @contextmanager
    def savepoint(self) -> Iterator[SessionTransaction]:
        """Nested work that can fail alone: its rollback keeps the outer transaction alive."""
        collected, queued, changed = len(self.events), len(self.jobs), len(self.invalidations)
        try:
            with self.session.begin_nested() as nested:
                yield nested
        except Exception:
            del self.events[collected:]
            del self.jobs[queued:]
            del self.invalidations[changed:]
            raise


class AutoforgeSession(Session):
    """Our session class; the read-only guards are registered on it once, not per session."""


def _refuse_writes(state: ORMExecuteState) -> None:
    if state.session.info.get("read_only") and (
        state.is_insert or state.is_update or state.is_delete
    ):
        raise ReadOnlyTransactionError("write attempted in a read-only transaction")


def _refuse_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get("read_only") and (session.new or session.dirty or session.deleted):
        raise ReadOnlyTransactionError("write attempted in a read-only transaction")


event.listen(AutoforgeSession, "do_orm_execute", _refuse_writes)
event.listen(AutoforgeSession, "before_flush", _refuse_flush)
tenancy.install(AutoforgeSession)


JobDispatch = Callable[[Sequence[str]], None]
Invalidate = Callable[[Sequence[str]], None]


class Database:
    """Engine plus transaction factory. After a commit, `after_commit` wakes the outbox relay
    and `dispatch_jobs` hands the jobs queued in the transaction to a worker: never before
    the commit, so no worker looks for a row that is not there yet, and nothing runs for a
    transaction that rolled back."""

    def __init__(
        self,
        engine: Engine,
        *,
        after_commit: Callable[[], None] | None = None,
        dispatch_jobs: JobDispatch | None = None,
        invalidate: Invalidate | None = None,
        retry_attempts: int = 6,
    ) -> None:
        self.engine = engine
        self.dispatch_jobs = dispatch_jobs
        self.invalidate = invalidate
        self._writer = engine.execution_options(**{BEGIN_MODE: "IMMEDIATE"})
        self._reader = engine.execution_options(**{BEGIN_MODE: "DEFERRED"})
        self.after_commit = after_commit
        self.retry_attempts = retry_attempts
        # SQLite has one writer at a time anyway. Queueing this process's writers here matters
        # because libsql holds the GIL while it waits on a database lock: a second in-process
        # writer waiting in BEGIN IMMEDIATE would freeze the thread that holds the lock until
        # busy_timeout expires (measured: a full 5 s stall per overlap). Other processes are
        # unaffected and still meet busy_timeout plus the retry policy.
        self._write_lock = threading.Lock()
        self.write_lock_timeout_s = 30.0

    def _open(self, read_only: bool, scope: Scope | None) -> Session:
        return AutoforgeSession(
            bind=self._reader if read_only else self._writer,
            expire_on_commit=False,
            info={"read_only": read_only, tenancy.SCOPE_KEY: scope},
        )

    @contextmanager
    def transaction(
        self, *, read_only: bool = False, scope: Scope | None = None
    ) -> Iterator[UnitOfWork]:
        """Commit on success, rollback on any error. Read-only transactions always roll back.
        With a `scope`, every statement sees and writes only that project's rows."""
        if read_only:
            with self._transaction(read_only=True, scope=scope) as uow:
                yield uow
            return
        # FastAPI may enter and leave a dependency on different pool threads, so this is a
        # plain Lock (releasable by any thread) with a timeout instead of an ownership check.
        if not self._write_lock.acquire(timeout=self.write_lock_timeout_s):
            raise DatabaseBusyError(
                f"no write slot free after {self.write_lock_timeout_s:.0f} s: another write "
                "transaction in this process is still open (a nested write transaction in the "
                "same thread would wait forever; nest with savepoint() instead)"
            )
        try:
            with self._transaction(read_only=False, scope=scope) as uow:
                yield uow
        finally:
            self._write_lock.release()

    @contextmanager
    def _transaction(self, *, read_only: bool, scope: Scope | None) -> Iterator[UnitOfWork]:
        session = self._open(read_only, scope)
        # Start the transaction now: taking the write lock is the step that meets contention,
        # and retrying it is safe because nothing has been done yet.
        for attempt in _retrying(self.retry_attempts):
            with attempt:
                try:
                    session.connection()
                except Exception:
                    session.rollback()
                    raise
        uow = UnitOfWork(session, read_only=read_only)
        try:
            yield uow
            if read_only:
                # Detach first: a rollback would expire what was read, and callers keep it.
                session.expunge_all()
                session.rollback()
            else:
                write_to_outbox(session, uow.events)
                session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
        # First, before the response is sent: the next read anywhere sees this commit.
        if uow.invalidations and self.invalidate is not None:
            self.invalidate(uow.invalidations)
        if uow.events and self.after_commit is not None:
            self.after_commit()
        if uow.jobs and self.dispatch_jobs is not None:
            self._dispatch(uow.jobs)

    def _dispatch(self, job_ids: Sequence[str]) -> None:
        # The jobs are committed, so a failed hand-over must not turn the caller's success
        # into an error. Embedded workers find committed jobs at their next poll anyway; with
        # Celery the job stays `queued`, and this log line names it.
        assert self.dispatch_jobs is not None
        try:
            self.dispatch_jobs(list(job_ids))
        except Exception:
            log.exception("could not hand committed job(s) %s to a worker", ", ".join(job_ids))

    def run(
        self,
        work: Callable[[UnitOfWork], T],
        *,
        read_only: bool = False,
        scope: Scope | None = None,
    ) -> T:
        """Runs `work` in a transaction, re-running it whole after a transient failure."""
        for attempt in _retrying(self.retry_attempts):
            with attempt, self.transaction(read_only=read_only, scope=scope) as uow:
                return work(uow)
        raise AssertionError("unreachable: tenacity reraises")
