"""`/api/v1/session`: how a browser signs in. The web UI cannot add an Authorization header
to every request (EventSource cannot at all), so a verified API key is kept in an HTTP-only,
same-site cookie, which the access middleware reads like the header; Clerk's own `__session`
cookie works the same way. These routes are open: they are how one gets credentials."""

from __future__ import annotations

from typing import Literal

import anyio.to_thread
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from autoforge.api.access import KEY_COOKIE, PROJECT_COOKIE
from autoforge.api.deps import ContainerDep
from autoforge.api.responses import problems
from autoforge.errors import UnauthorizedError
from autoforge.identity.authenticate import Unauthenticated
from autoforge.identity.caller import Caller
from autoforge.identity.keys import SECRET_PREFIX

router = APIRouter(prefix="/api/v1", tags=["identity"])

_YEAR_S = 365 * 24 * 3600


class SignInOptions(BaseModel):
    auth_mode: Literal["local", "required"]
    clerk_sign_in_url: str | None = Field(description="Clerk's sign-in page, when configured")


class KeySignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    secret: str = Field(min_length=1, max_length=200, description="an API key's secret, sk-afn-…")


@router.get("/session", response_model=SignInOptions, responses=problems(422))
def sign_in_options(container: ContainerDep) -> SignInOptions:
    """How to sign in to this server (no credentials needed)."""
    settings = container.settings
    return SignInOptions(auth_mode=settings.auth_mode, clerk_sign_in_url=settings.clerk_sign_in_url)


@router.post("/session", status_code=204, responses=problems(401, 422))
async def sign_in(data: KeySignIn, container: ContainerDep, request: Request) -> Response:
    """Check an API key and keep it in an HTTP-only cookie for this browser."""
    secret = data.secret.strip()
    if not secret.startswith(SECRET_PREFIX):
        raise UnauthorizedError("that is not an API key's secret (sk-afn-…)")
    try:
        caller: Caller = await anyio.to_thread.run_sync(
            container.authenticator.authenticate, f"Bearer {secret}", None
        )
    except Unauthenticated as exc:
        raise UnauthorizedError(str(exc)) from None
    response = Response(status_code=204)
    response.set_cookie(
        KEY_COOKIE,
        secret,
        max_age=_YEAR_S,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    response.set_cookie(PROJECT_COOKIE, caller.project_id, max_age=_YEAR_S, samesite="strict")
    return response


@router.delete("/session", status_code=204)
def sign_out() -> Response:
    """Forget this browser's key (and chosen project)."""
    response = Response(status_code=204)
    response.delete_cookie(KEY_COOKIE)
    response.delete_cookie(PROJECT_COOKIE)
    return response
