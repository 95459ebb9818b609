"""FastAPI dependencies as `Annotated` aliases: the container, transactions, the principal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from autoforge.bootstrap import Container
from autoforge.db.unit_of_work import UnitOfWork


# Cheap dependencies are `async def` so FastAPI runs them on the event loop instead of
# paying a thread-pool hop each; only the ones that touch the database stay sync.
async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def write_transaction(container: ContainerDep) -> Iterator[UnitOfWork]:
    """One write transaction per request: committed when the endpoint returns normally."""
    with container.database.transaction() as uow:
        yield uow


def read_transaction(container: ContainerDep) -> Iterator[UnitOfWork]:
    with container.database.transaction(read_only=True) as uow:
        yield uow


WriteUoW = Annotated[UnitOfWork, Depends(write_transaction)]
ReadUoW = Annotated[UnitOfWork, Depends(read_transaction)]


async def current_principal(container: ContainerDep) -> str:
    """Local mode has one user; the auth issue replaces only this function."""
    return container.settings.local_user_id


Principal = Annotated[str, Depends(current_principal)]
