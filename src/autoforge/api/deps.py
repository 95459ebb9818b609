"""FastAPI dependencies as `Annotated` aliases: the container, transactions, the principal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from autoforge.api.access import caller_of
from autoforge.bootstrap import Container
from autoforge.db.tenancy import Scope
from autoforge.db.unit_of_work import UnitOfWork
from autoforge.identity.caller import Caller


# Cheap dependencies are `async def` so FastAPI runs them on the event loop instead of
# paying a thread-pool hop each; only the ones that touch the database stay sync.
async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


async def current_caller(request: Request) -> Caller:
    """Who calls, as `AccessMiddleware` authenticated them (and checked their role)."""
    return caller_of(request.scope.setdefault("state", {}))


CallerDep = Annotated[Caller, Depends(current_caller)]


def scope_of(caller: Caller) -> Scope:
    """The project every statement of the caller's transactions is confined to."""
    return Scope(
        project_id=caller.project_id, actor=caller.actor, organization_id=caller.organization_id
    )


def write_transaction(container: ContainerDep, caller: CallerDep) -> Iterator[UnitOfWork]:
    """One write transaction per request, committed when the endpoint returns normally.

    Used with `scope="function"`: FastAPI's default scope for a dependency with `yield` is
    the request, whose exit code runs after the response has been sent, so a client was
    told "created" before the commit, and never heard of a commit that then failed. With the
    function scope the commit runs as the endpoint returns, before anything is sent, and a
    failed commit reaches the client as a problem. Jobs queued in the transaction are
    dispatched, and events published, only after that commit (see `Database.transaction`).
    """
    with container.database.transaction(scope=scope_of(caller)) as uow:
        yield uow


def read_transaction(container: ContainerDep, caller: CallerDep) -> Iterator[UnitOfWork]:
    """One read-only transaction, closed as the endpoint returns (scope "function"): the
    connection goes back to the pool before the response is serialized and sent. Streaming
    endpoints do not use it; they open a transaction inside the stream, for its lifetime."""
    with container.database.transaction(read_only=True, scope=scope_of(caller)) as uow:
        yield uow


WriteUoW = Annotated[UnitOfWork, Depends(write_transaction, scope="function")]
ReadUoW = Annotated[UnitOfWork, Depends(read_transaction, scope="function")]


async def current_principal(caller: CallerDep) -> str:
    """The caller's project: what the services call the owner of what they store."""
    return caller.project_id


Principal = Annotated[str, Depends(current_principal)]
