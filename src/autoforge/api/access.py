"""Who may call what, decided in one place for every route: an ASGI middleware that
authenticates the request (`identity/authenticate.py`) and checks the role its method and
path need, before any endpoint, body parsing or transaction.

The API (`/api/...`) and the OpenAI-compatible routes (`/v1/...`) are guarded; health, the
OpenAPI document and the web UI's static files are not. A caller's project scopes every
query it makes (`db/tenancy.py`), so an id from another project is simply not found: 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio.to_thread
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from autoforge.api.problems import problem
from autoforge.api.rate_limit import RateLimiter, too_many_requests
from autoforge.identity.authenticate import Authenticator, Unauthenticated
from autoforge.identity.caller import Caller, Via, anonymous_reader
from autoforge.identity.roles import Role

GUARDED = ("/api/", "/v1/", "/graphql")
# How one gets credentials: open to all (`identity/session.py`).
OPEN = frozenset({"/api/v1/session"})
PROJECT_HEADER = "x-autoforge-project"
CSRF_HEADER = "x-autoforge-csrf"
# A browser's credentials: an API key the UI signed in with, or Clerk's session token.
KEY_COOKIE = "afn_key"
CLERK_COOKIE = "__session"
PROJECT_COOKIE = "afn_project"
# Managing who may call, the project's stored provider keys and its alert webhooks (their
# signing secrets) needs admin; reading members does not.
_ADMIN_ALWAYS = ("/api/v1/keys", "/api/v1/secrets", "/api/v1/webhooks")
_ADMIN_TO_CHANGE = ("/api/v1/members", "/api/v1/projects")
_READS = frozenset({"GET", "HEAD", "OPTIONS"})
# POSTs that only read (a body too rich for a query string). A GraphQL POST may hold a query
# or a mutation: it needs viewer here, and the GraphQL layer asks member of a mutation.
_READ_POSTS = frozenset({"/api/v1/evaluations:compare", "/graphql"})


def needed_role(method: str, path: str) -> Role:
    if path.startswith(_ADMIN_ALWAYS):
        return Role.ADMIN
    if method in _READS or (method == "POST" and path in _READ_POSTS):
        return Role.VIEWER
    if path.startswith(_ADMIN_TO_CHANGE):
        return Role.ADMIN
    return Role.MEMBER


def is_guarded(path: str) -> bool:
    return path.startswith(GUARDED) and path not in OPEN


class AccessMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        authenticator: Callable[[], Authenticator],
        limiter: RateLimiter | None = None,
    ) -> None:
        self.app = app
        # Resolved per request: the container (and its authenticator) is built by the
        # lifespan, after Starlette has built the middleware stack.
        self.authenticator = authenticator
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_guarded(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        authenticator = self.authenticator()
        cookies = cookie_parser(headers["cookie"]) if "cookie" in headers else {}
        authorization = headers.get("authorization")
        from_cookie = False
        if not authorization:
            token = cookies.get(KEY_COOKIE) or (
                cookies.get(CLERK_COOKIE) if authenticator.accepts_tokens else None
            )
            authorization, from_cookie = (f"Bearer {token}", True) if token else (None, False)
        project = headers.get(PROJECT_HEADER) or cookies.get(PROJECT_COOKIE) or None
        try:
            caller = authenticator.remembered(authorization, project)
            if caller is None:
                caller = await anyio.to_thread.run_sync(
                    authenticator.authenticate, authorization, project
                )
        except Unauthenticated as exc:
            if authorization is None and _public_read(authenticator, scope):
                caller = anonymous_reader()
                scope.setdefault("state", {})["caller"] = caller
                if not await self._limited(scope, receive, send, None):
                    await self.app(scope, receive, send)
                return
            # Guessing keys costs the guesser's address its budget: 429 before 401.
            if await self._limited(scope, receive, send, None):
                return
            response = problem(
                401,
                "Unauthorized",
                str(exc),
                {"WWW-Authenticate": 'Bearer, Basic realm="autoforge"'},
            )
            await response(scope, receive, send)
            return
        # A cookie goes with any request the browser makes, another site's too: a write
        # made with one must carry the header only this UI's scripts add.
        if from_cookie and scope["method"] not in _READS and headers.get(CSRF_HEADER) != "1":
            response = problem(
                403,
                "Forbidden",
                "a write signed in by cookie needs the `X-Autoforge-Csrf: 1` header "
                "(the web UI sends it); other clients send an Authorization header",
            )
            await response(scope, receive, send)
            return
        needed = needed_role(scope["method"], scope["path"])
        if not caller.may(needed):
            response = problem(
                403,
                "Forbidden",
                f"{scope['method']} {scope['path']} needs the {needed.value} role or above; "
                f"you are {caller.role.value} in this project",
            )
            await response(scope, receive, send)
            return
        # The local owner (no credentials, loopback) is not limited; keys and people are.
        if caller.via is not Via.LOCAL and await self._limited(scope, receive, send, caller):
            return
        scope.setdefault("state", {})["caller"] = caller
        await self.app(scope, receive, send)

    async def _limited(
        self, scope: Scope, receive: Receive, send: Send, caller: Caller | None
    ) -> bool:
        if self.limiter is None:
            return False
        bucket = None
        if caller is not None:
            bucket = caller.key_id or f"user:{caller.user_id}"
        client = scope.get("client")
        ip = client[0] if client else "unknown"
        wait = await anyio.to_thread.run_sync(
            lambda: self.limiter.hit(key_id=bucket, ip=ip) if self.limiter else None
        )
        if wait is None:
            return False
        await too_many_requests(self.limiter, key_id=bucket, retry_after=wait)(scope, receive, send)
        return True


def _public_read(authenticator: Authenticator, scope: Scope) -> bool:
    """A read of prompts by a caller without credentials, on a server that shows public
    prompts to anyone: such a caller belongs to no project, so it sees those alone."""
    return (
        authenticator.anonymous_public
        and scope["method"] in _READS
        and scope["path"].startswith("/api/v1/prompts")
    )


def caller_of(scope_state: dict[str, Any]) -> Caller:
    caller = scope_state.get("caller")
    if not isinstance(caller, Caller):
        raise RuntimeError("no caller: is AccessMiddleware installed in front of this route?")
    return caller


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
