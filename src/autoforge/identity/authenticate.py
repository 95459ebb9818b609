"""From a request's credentials to a `Caller`: API keys (Bearer or Basic), Clerk tokens, or
the local owner when the server allows requests without credentials.

Verified answers are remembered per process for `auth_cache_s` (keyed by a hash of the
credential, never the credential itself), failed ones too, so that an authenticated request
usually costs a dictionary lookup and a flood of wrong keys costs no database reads.
Revoking a key in this process forgets it at once; another process's memory of it lasts at
most `auth_cache_s`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from autoforge.db.unit_of_work import Database
from autoforge.identity import service
from autoforge.identity.caller import Caller, Via, local_caller
from autoforge.identity.clerk import ClerkIdentity
from autoforge.identity.keys import SECRET_PREFIX
from autoforge.identity.service import Rejected

_MAX_REMEMBERED = 10_000
# Stands for "no credentials" in the memory of answers (the local owner in a chosen project).
_LOCAL = "\x00local owner"
# last_used_at is written at most this often per key: a write per request would cost more
# than the request.
_TOUCH_EVERY_S = 60.0


class Unauthenticated(Exception):
    """No usable credentials: the message says what to send (never echoing what was sent)."""


@dataclass(frozen=True, slots=True)
class _Remembered:
    until: float
    caller: Caller | None
    reason: str


class Authenticator:
    def __init__(
        self,
        database: Database,
        *,
        allow_local: bool,
        cache_s: float,
        anonymous_public: bool = False,
        verify_token: Callable[[str], ClerkIdentity] | None = None,
        sign_in: Callable[[ClerkIdentity, str | None], Caller] | None = None,
    ) -> None:
        self._database = database
        self._allow_local = allow_local
        self.anonymous_public = anonymous_public
        self._cache_s = cache_s
        self._verify_token = verify_token
        self._sign_in = sign_in
        self._remembered: dict[tuple[str, str | None], _Remembered] = {}
        self._touched: dict[str, float] = {}
        self._lock = threading.Lock()

    def remembered(self, authorization: str | None, project: str | None) -> Caller | None:
        """The answer for these credentials if it is remembered and still fresh (cheap, no
        I/O); raises Unauthenticated for remembered rejections."""
        if not authorization or self._foreign_bearer(authorization):
            if not self._allow_local:
                return None
            # The local owner in the default project needs no lookup at all.
            if project is None:
                return local_caller()
            authorization = _LOCAL
        found = self._remembered.get((_digest(authorization), project))
        if found is None or found.until < time.monotonic():
            return None
        if found.caller is None:
            raise Unauthenticated(found.reason)
        return found.caller

    def authenticate(self, authorization: str | None, project: str | None) -> Caller:
        """May read the database: call it off the event loop."""
        if not authorization or self._foreign_bearer(authorization):
            if not self._allow_local or project is None:
                return self._anonymous(project)
            authorization = _LOCAL
        remembered = self.remembered(authorization, project)
        if remembered is not None:
            return remembered
        key = (_digest(authorization), project)
        try:
            if authorization == _LOCAL:
                caller = self._anonymous(project)
            else:
                caller = self._verify(authorization, project)
        except Rejected as exc:
            self._remember(key, None, str(exc))
            raise Unauthenticated(str(exc)) from None
        self._remember(key, caller, "")
        self._touch(caller)
        return caller

    @property
    def accepts_tokens(self) -> bool:
        """Whether sign-in tokens (Clerk) are configured here."""
        return self._verify_token is not None

    def _foreign_bearer(self, authorization: str) -> bool:
        """In local mode, a bearer value that is none of ours is no credential at all: OpenAI
        clients must send some key (`api_key="local"`), and on loopback none is needed.
        Our keys and, when sign-in is configured, tokens are always checked."""
        if not self._allow_local:
            return False
        scheme, _, value = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or value.strip().startswith(SECRET_PREFIX):
            return False
        return self._verify_token is None or value.count(".") != 2

    def forget(self) -> None:
        """After a revocation in this process: every remembered answer is checked again."""
        with self._lock:
            self._remembered.clear()

    def _anonymous(self, project: str | None) -> Caller:
        if not self._allow_local:
            raise Unauthenticated(
                "this server needs credentials: an API key as `Authorization: Bearer sk-afn-…` "
                "(or HTTP Basic `pk-afn-…:sk-afn-…`), or a Clerk session token"
            )
        if project is None:
            return local_caller()
        return self._database.run(
            lambda uow: service.caller_for_user(
                uow,
                local_caller().user_id or "",
                local_caller().organization_id,
                project,
                Via.LOCAL,
            ),
            read_only=True,
        )

    def _verify(self, authorization: str, project: str | None) -> Caller:
        scheme, _, value = authorization.strip().partition(" ")
        value = value.strip()
        now = datetime.now(UTC)
        if scheme.lower() == "basic":
            public_key, secret = _basic(value)
            return self._key(secret, public_key, now)
        if scheme.lower() != "bearer" or not value:
            raise Rejected("use `Authorization: Bearer <key or token>` or HTTP Basic")
        if value.startswith(SECRET_PREFIX):
            return self._key(value, None, now)
        if self._verify_token is None or self._sign_in is None:
            raise Rejected(
                "the bearer value is not an API key (sk-afn-…), and sign-in tokens are not "
                "configured on this server (CLERK_JWKS_URL, CLERK_ISSUER)"
            )
        identity = self._verify_token(value)
        return self._sign_in(identity, project)

    def _key(self, secret: str, public_key: str | None, now: datetime) -> Caller:
        return self._database.run(
            lambda uow: service.caller_for_key(uow, secret, public_key, now), read_only=True
        )

    def _remember(self, key: tuple[str, str | None], caller: Caller | None, reason: str) -> None:
        with self._lock:
            if len(self._remembered) >= _MAX_REMEMBERED:
                self._remembered.clear()  # crude, and rare: a flood of distinct credentials
            self._remembered[key] = _Remembered(time.monotonic() + self._cache_s, caller, reason)

    def _touch(self, caller: Caller) -> None:
        if caller.key_id is None:
            return
        now = time.monotonic()
        if now - self._touched.get(caller.key_id, -_TOUCH_EVERY_S) < _TOUCH_EVERY_S:
            return
        self._touched[caller.key_id] = now
        key_id = caller.key_id
        self._database.run(lambda uow: service.touch_key(uow, key_id, datetime.now(UTC)))


def _digest(authorization: str) -> str:
    return hashlib.sha256(authorization.encode()).hexdigest()


def _basic(value: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise Rejected("HTTP Basic credentials are not base64 of `public:secret`") from None
    public_key, sep, secret = decoded.partition(":")
    if not sep or not secret:
        raise Rejected("HTTP Basic credentials must be `public_key:secret_key`")
    return public_key, secret
