"""What every resolver gets: the caller, and the request's one transaction with its loaders."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from strawberry.fastapi import BaseContext
from strawberry.types import Info as StrawberryInfo

from autoforge.bootstrap import Container
from autoforge.db.unit_of_work import UnitOfWork
from autoforge.identity.caller import Caller

if TYPE_CHECKING:
    from autoforge.graphql.loaders import Loaders


class GraphQLContext(BaseContext):
    """Built per request by the router; `transaction.py` opens the unit of work once the
    operation is known to be a query (read-only) or a mutation (write) and sets it here."""

    def __init__(self, container: Container, caller: Caller) -> None:
        super().__init__()
        self.container = container
        self.caller = caller
        self._uow: UnitOfWork | None = None
        self._loaders: Loaders | None = None

    @property
    def owner(self) -> str:
        return self.caller.project_id

    @property
    def uow(self) -> UnitOfWork:
        if self._uow is None:
            raise RuntimeError("no transaction: is RequestTransaction in the schema's extensions?")
        return self._uow

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            raise RuntimeError("no loaders: is RequestTransaction in the schema's extensions?")
        return self._loaders

    def begin(self, uow: UnitOfWork, loaders: Loaders) -> None:
        self._uow = uow
        self._loaders = loaders


Info: TypeAlias = StrawberryInfo[GraphQLContext, None]
