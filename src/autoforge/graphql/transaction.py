"""One transaction per GraphQL request, opened once the operation's type is known: a query
reads in a read-only transaction, a mutation writes in one that commits before the answer
is sent (the REST idiom of `api/deps.py`), and a mutation needs the member role."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from autoforge.api.deps import scope_of
from autoforge.graphql.context import GraphQLContext
from autoforge.graphql.loaders import Loaders
from autoforge.identity.roles import Role


class _RollBack(Exception):
    """Raised inside the write transaction to undo a mutation that reported an error."""


class RequestTransaction(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        context = execution.context
        assert isinstance(context, GraphQLContext)
        writes = execution.operation_type is OperationType.MUTATION
        if execution.result is not None:  # refused before it ran (`limits.ListBudget`)
            yield
            return
        if writes and not context.caller.may(Role.MEMBER):
            # A preset result: Strawberry skips executing the operation.
            execution.result = GraphQLExecutionResult(data=None, errors=[_forbidden(context)])
            yield
            return
        database = context.container.database
        # A transaction that cannot begin or commit raises out of here: Strawberry answers
        # it as an error with no data, which the router words for the client.
        try:
            with database.transaction(read_only=not writes, scope=scope_of(context.caller)) as uow:
                context.begin(uow, Loaders(uow, context.owner))
                yield
                # All of a mutation request's fields commit together or not at all.
                if writes and execution.result is not None and execution.result.errors:
                    raise _RollBack
        except _RollBack:
            assert execution.result is not None
            execution.result.data = None


def _forbidden(context: GraphQLContext) -> GraphQLError:
    role = context.caller.role.value
    return GraphQLError(
        f"a mutation needs the member role or above; you are {role} in this project",
        extensions={"code": "FORBIDDEN", "status": 403},
    )
