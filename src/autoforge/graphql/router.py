"""`/graphql`: POST (or GET, queries only) a GraphQL document. Behind `AccessMiddleware`
like `/api/`: any request needs the viewer role, and a mutation the member role
(`transaction.py`). A browser opening it is sent to the local GraphiQL page."""

from __future__ import annotations

from typing import Any

from cross_web import HTTPException
from fastapi import Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.routing import APIWebSocketRoute
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from autoforge.api.deps import CallerDep, ContainerDep
from autoforge.graphql.context import GraphQLContext
from autoforge.graphql.errors import client_errors
from autoforge.graphql.schema import schema

PATH = "/graphql"
GRAPHIQL_PAGE = "/graphiql/"
_GRAPHQL_JSON = {
    "description": "A GraphQL response: `data`, and `errors` for what went wrong "
    "(`extensions.code`: NOT_FOUND, FORBIDDEN, VALIDATION_FAILED, CONFLICT, ...)",
    "content": {"application/json": {"schema": {"type": "object"}}},
}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: _GRAPHQL_JSON,
    307: {"description": "a browser (Accept: text/html) is sent to the GraphiQL page"},
    400: {
        "description": "no query, a body that is not JSON, or a mutation sent by GET",
        "content": {"application/json": {"schema": {"type": "object"}}},
    },
    405: {"description": "only GET and POST", "content": {"application/json": {}}},
}


async def _context(container: ContainerDep, caller: CallerDep) -> GraphQLContext:
    return GraphQLContext(container, caller)


class AutoforgeGraphQLRouter(GraphQLRouter[GraphQLContext, None]):
    async def run(  # type: ignore[override]
        self, request: Request, context: Any = None, root_value: Any = None
    ) -> Response:
        if request.method == "GET" and _wants_page(request):
            return RedirectResponse(GRAPHIQL_PAGE, status_code=307)
        try:
            return await super().run(request, context=context, root_value=root_value)
        except HTTPException as exc:
            # GraphQL clients read `errors`, on a 400 too (Strawberry would answer text).
            body = {"errors": [{"message": exc.reason}]}
            return JSONResponse(body, status_code=exc.status_code)

    def should_render_graphql_ide(self, request: Any) -> bool:
        return False  # no built-in IDE: `run` redirects browsers to the web UI's page

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        if result.errors:
            result.errors = client_errors(result.errors)
        return await super().process_result(request, result)


def _wants_page(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "") and "query" not in request.query_params


router = AutoforgeGraphQLRouter(
    schema,
    path=PATH,
    graphql_ide=None,  # Strawberry's GraphiQL loads from a CDN
    context_getter=_context,
    subscription_protocols=(),
    responses=_RESPONSES,
    tags=["graphql"],
)
# No subscriptions, and AccessMiddleware guards HTTP only: no WebSocket route at all.
router.routes = [route for route in router.routes if not isinstance(route, APIWebSocketRoute)]
