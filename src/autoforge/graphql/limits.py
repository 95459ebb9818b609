"""What one GraphQL document may ask for, checked before anything runs.

- `MAX_TOKENS`: the parser stops counting at this many tokens, so a 10,000-deep query is
  refused while it is read, before the parser's own recursion could reach Python's limit.
- `MAX_DEPTH`: field nesting; the deepest useful query (prompts, items, evaluations,
  results, a field) is 5 deep.
- `MAX_ALIASES`: aliases in the whole document, so one request cannot repeat a costly field
  hundreds of times under different names.
- Cyclic fragments are refused by GraphQL's own validation (`NoFragmentCyclesRule`).
- Every list takes a bounded `limit` (`types.py`): pages 100, versions 50, evaluations 20,
  results 100; and `MAX_LIST_ITEMS` bounds what the limits multiply to in one document
  (`prompts(limit: 100) { items { evaluations(limit: 20) { results(limit: 100) ...` asks
  for 200,000 results), counted with the request's variables before anything runs.
- Request bodies are bounded by the server's body limit (`MAX_BODY_BYTES`), like REST.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)

MAX_TOKENS = 2_000
MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_LIST_ITEMS = 5_000


# Factories, not instances: Strawberry builds each request its own extension objects.
LIMITS: tuple[Callable[[], SchemaExtension], ...] = (
    partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
    partial(QueryDepthLimiter, max_depth=MAX_DEPTH),
    partial(MaxAliasesLimiter, max_alias_count=MAX_ALIASES),
)


class ListBudget(SchemaExtension):
    """Refuses, before execution, a document whose `limit` arguments multiply (down the
    tree) and add up (across fields and aliases) to more than `MAX_LIST_ITEMS` objects."""

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        document = execution.graphql_document
        operation = _operation(document, execution.operation_name)
        root = execution.schema._schema.get_root_type(operation.operation) if operation else None
        if operation is not None and isinstance(root, GraphQLObjectType):
            fragments = {
                d.name.value: d
                for d in document.definitions  # type: ignore[union-attr]
                if isinstance(d, FragmentDefinitionNode)
            }
            budget = _Budget(execution.schema._schema, fragments, execution.variables or {})
            asked = budget.count(operation.selection_set, root, 1, frozenset())
            if asked > MAX_LIST_ITEMS:
                message = (
                    f"the query asks for up to {asked:,} list items; at most "
                    f"{MAX_LIST_ITEMS:,} per request: lower the `limit` arguments, or page"
                )
                error = GraphQLError(message, extensions={"code": "QUERY_TOO_LARGE"})
                execution.result = ExecutionResult(data=None, errors=[error])
        yield


def _operation(document: DocumentNode | None, name: str | None) -> OperationDefinitionNode | None:
    for definition in document.definitions if document else ():
        if isinstance(definition, OperationDefinitionNode) and (
            name is None or (definition.name is not None and definition.name.value == name)
        ):
            return definition
    return None


class _Budget:
    def __init__(
        self,
        schema: Any,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def count(
        self,
        selections: SelectionSetNode,
        parent: GraphQLObjectType,
        times: int,
        seen: frozenset[str],
    ) -> int:
        total = 0
        for node in selections.selections:
            if isinstance(node, FieldNode):
                total += self._field(node, parent, times, seen)
            elif isinstance(node, InlineFragmentNode):
                total += self.count(node.selection_set, parent, times, seen)
            elif isinstance(node, FragmentSpreadNode):
                fragment = self.fragments.get(node.name.value)
                if fragment is not None and node.name.value not in seen:
                    on = self.schema.get_type(fragment.type_condition.name.value)
                    if isinstance(on, GraphQLObjectType):
                        inner = seen | {node.name.value}
                        total += self.count(fragment.selection_set, on, times, inner)
        return total

    def _field(
        self, node: FieldNode, parent: GraphQLObjectType, times: int, seen: frozenset[str]
    ) -> int:
        field = parent.fields.get(node.name.value)
        if field is None or node.selection_set is None:
            return 0
        items = 0
        limit = field.args.get("limit")
        if limit is not None:
            times *= self._limit(node, limit.default_value)
            items = times
        below = get_named_type(field.type)
        if not isinstance(below, GraphQLObjectType):
            return items
        return items + self.count(node.selection_set, below, times, seen)

    def _limit(self, node: FieldNode, default: Any) -> int:
        value: Any = default
        for argument in node.arguments or ():
            if argument.name.value != "limit":
                continue
            if isinstance(argument.value, IntValueNode):
                value = int(argument.value.value)
            elif isinstance(argument.value, VariableNode):
                value = self.variables.get(argument.value.name.value, default)
        # A value out of its field's bounds is refused by the resolver; count it as 1 here.
        return value if isinstance(value, int) and value >= 1 else 1
