"""Verifies Clerk-issued session tokens (RS256 JWTs) against the instance's JWKS.

The key set is cached and refetched when it grows old or when a token names a `kid` it
lacks (that is how Clerk rotates keys). Fetches are spaced at least `refetch_interval_s`
apart, whatever triggered them and whether they succeeded, so tokens with made-up kids
cannot turn into a flood of requests to the JWKS server. PyJWT's `PyJWKClient` is not used:
its per-kid LRU cache never forgets a key Clerk has dropped, and its clock cannot be driven
by tests.

The organization comes from the token's org claims: v2 session tokens carry
`o: {id, rol, slg}`, v1 tokens `org_id` / `org_role` / `org_slug`. Rejections never quote
the token or any part of it (a kid or alg included): they end up in logs.
"""

from __future__ import annotations

import http.client
import json
import logging
import threading
import time
import urllib.request
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from autoforge.identity.roles import Role, role_from_clerk

log = logging.getLogger(__name__)

_ALGORITHM: Final = "RS256"
# Clerk's tokens are about 1 KB; anything far larger is not one, and is not worth decoding.
_MAX_TOKEN_CHARS: Final = 16_384
_MAX_KID_CHARS: Final = 256
_MAX_JWKS_BYTES: Final = 1_048_576


class TokenRejected(Exception):
    """The token is not one we accept. `reason` is a short code, the message says why.

    Reasons: malformed, algorithm, unknown_key, jwks_unavailable, signature, expired,
    not_yet_valid, issuer, audience, authorized_party, session_pending, claims.
    Only jwks_unavailable is our side's fault (a caller may answer 503 rather than 401).
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ClerkIdentity:
    """Who a verified token speaks for, and in which organization if one is active."""

    user_id: str  # Clerk's user id, the token's `sub`
    session_id: str | None
    organization_id: str | None
    organization_slug: str | None
    clerk_role: str | None  # the role key as Clerk sent it, e.g. "org:billing"
    role: Role | None  # our mapping of clerk_role; None when no organization is active
    email: str | None  # only present when the Clerk instance's token template adds it
    expires_at: int


class _JwksUnavailable(Exception):
    pass


class _KeySet:
    """Clerk's signing keys by kid, fetched lazily and refetched at a bounded rate."""

    def __init__(
        self,
        url: str,
        *,
        max_age_s: float,
        refetch_interval_s: float,
        timeout_s: float,
        clock: Callable[[], float],
    ) -> None:
        self._url = url
        self._max_age_s = max_age_s
        self._refetch_interval_s = refetch_interval_s
        self._timeout_s = timeout_s
        self._clock = clock
        self._keys: dict[str, RSAPublicKey] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self.fetches = 0
        # Held across the fetch so that a burst of requests after a rotation causes one fetch.
        self._lock = threading.Lock()

    def key(self, kid: str) -> RSAPublicKey:
        with self._lock:
            self._refresh_if_old()
            key = self._keys.get(kid)
            if key is None and self._may_fetch():
                self._fetch()
                key = self._keys.get(kid)
            if key is None:
                raise TokenRejected(
                    "unknown_key", "the token names a signing key Clerk does not list"
                )
            return key

    def _refresh_if_old(self) -> None:
        fresh = self._fetched_at is not None and self._clock() - self._fetched_at < self._max_age_s
        if fresh:
            return
        if not self._may_fetch():
            if not self._keys:
                raise _JwksUnavailable(
                    "the JWKS could not be fetched a moment ago; not retrying yet"
                )
            return
        try:
            self._fetch()
        except _JwksUnavailable:
            if not self._keys:
                raise
            # Clerk rotates keys rarely: riding out an outage on the last good set beats
            # signing everybody out.
            log.warning("JWKS refresh failed; keeping the %d keys fetched before", len(self._keys))

    def _may_fetch(self) -> bool:
        return (
            self._attempted_at is None
            or self._clock() - self._attempted_at >= self._refetch_interval_s
        )

    def _fetch(self) -> None:
        self._attempted_at = self._clock()
        self.fetches += 1
        keys = _parse_jwks(_download(self._url, self._timeout_s))
        if not keys:
            raise _JwksUnavailable("the JWKS lists no RS256 signing keys")
        self._keys = keys
        self._fetched_at = self._clock()


def _download(url: str, timeout_s: float) -> Any:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            body = response.read(_MAX_JWKS_BYTES + 1)
    except (OSError, http.client.HTTPException) as exc:
        raise _JwksUnavailable(f"fetching the JWKS failed ({type(exc).__name__}: {exc})") from exc
    if len(body) > _MAX_JWKS_BYTES:
        raise _JwksUnavailable("the JWKS response is too large")
    try:
        return json.loads(body)
    except ValueError as exc:
        raise _JwksUnavailable("the JWKS response is not JSON") from exc


def _parse_jwks(document: Any) -> dict[str, RSAPublicKey]:
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise _JwksUnavailable("the JWKS response has no `keys` list")
    keys: dict[str, RSAPublicKey] = {}
    for entry in entries:
        parsed = _signing_key(entry)
        if parsed is not None:
            keys[parsed[0]] = parsed[1]
    return keys


def _signing_key(entry: Any) -> tuple[str, RSAPublicKey] | None:
    """The (kid, key) of one JWKS entry, or None for entries we must not verify with."""
    if not isinstance(entry, dict):
        return None
    kid = entry.get("kid")
    usable = (
        isinstance(kid, str)
        and kid
        and entry.get("kty") == "RSA"
        and entry.get("use") in (None, "sig")
        and entry.get("alg") in (None, _ALGORITHM)
    )
    if not usable:
        return None
    try:
        key = jwt.PyJWK(entry, algorithm=_ALGORITHM).key
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):
        return None  # one malformed entry must not take the valid ones down with it
    return (str(kid), key) if isinstance(key, RSAPublicKey) else None


class ClerkVerifier:
    """Turns a Clerk session token into a ClerkIdentity, or raises TokenRejected.

    `verify` blocks while it fetches the JWKS (rarely: on first use, on rotation and every
    `max_age_s`); async callers should run it in a worker thread. Thread-safe.
    """

    def __init__(
        self,
        jwks_url: str,
        issuer: str,
        *,
        audience: str | None = None,
        authorized_parties: Collection[str] | None = None,
        accept_pending_sessions: bool = False,
        leeway_s: float = 5.0,
        max_age_s: float = 3600.0,
        refetch_interval_s: float = 10.0,
        timeout_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if urlparse(jwks_url).scheme not in ("http", "https"):
            raise ValueError("the JWKS URL must be http(s)")
        if not issuer:
            raise ValueError("an issuer is required: without it any Clerk instance's token passes")
        self._issuer = issuer
        self._audience = audience
        self._authorized_parties = frozenset(authorized_parties or ())
        self._accept_pending = accept_pending_sessions
        self._leeway_s = leeway_s
        self._keys = _KeySet(
            jwks_url,
            max_age_s=max_age_s,
            refetch_interval_s=refetch_interval_s,
            timeout_s=timeout_s,
            clock=clock,
        )

    @property
    def jwks_fetches(self) -> int:
        """How many times the JWKS was requested (successfully or not); for tests and metrics."""
        return self._keys.fetches

    def verify(self, token: str) -> ClerkIdentity:
        kid = _kid_of(token)
        try:
            key = self._keys.key(kid)
        except _JwksUnavailable as exc:
            raise TokenRejected("jwks_unavailable", f"cannot check the token: {exc}") from exc
        claims = self._decode(token, key)
        self._check_session(claims)
        return identity_from_claims(claims)

    def _decode(self, token: str, key: RSAPublicKey) -> dict[str, Any]:
        try:
            return jwt.decode(
                token,
                key,
                algorithms=[_ALGORITHM],
                issuer=self._issuer,
                audience=self._audience,
                leeway=self._leeway_s,
                options={
                    "require": ["exp", "iat", "iss", "sub"],
                    # Clerk's session tokens carry no `aud` unless a template adds one.
                    "verify_aud": self._audience is not None,
                },
            )
        except jwt.PyJWTError as exc:
            # `from None`: some PyJWT messages quote fragments of what they failed to decode.
            raise _rejection(exc) from None

    def _check_session(self, claims: Mapping[str, Any]) -> None:
        party = claims.get("azp")
        if self._authorized_parties and party is not None and party not in self._authorized_parties:
            raise TokenRejected("authorized_party", "the token was issued to another origin")
        if claims.get("sts") == "pending" and not self._accept_pending:
            # Clerk's own SDKs treat a session with unfinished tasks as signed out.
            raise TokenRejected("session_pending", "the session has tasks left to complete")


def _kid_of(token: str) -> str:
    """The token's kid, after refusing anything but RS256 before any key is looked up."""
    if not isinstance(token, str) or not token or len(token) > _MAX_TOKEN_CHARS:
        raise TokenRejected("malformed", "the token is not a JWT")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise TokenRejected("malformed", "the token is not a JWT") from None
    if header.get("alg") != _ALGORITHM:
        raise TokenRejected("algorithm", "only RS256-signed tokens are accepted")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid or len(kid) > _MAX_KID_CHARS:
        raise TokenRejected("malformed", "the token's header names no usable key id")
    return kid


_REJECTIONS: Final[tuple[tuple[type[jwt.PyJWTError], str, str], ...]] = (
    # Subclasses before their bases: ExpiredSignatureError is an InvalidTokenError, and so on.
    (jwt.ExpiredSignatureError, "expired", "the token has expired"),
    (jwt.ImmatureSignatureError, "not_yet_valid", "the token is not valid yet"),
    (jwt.InvalidIssuerError, "issuer", "the token was issued by another issuer"),
    (jwt.InvalidAudienceError, "audience", "the token is meant for another audience"),
    (jwt.InvalidSignatureError, "signature", "the token's signature does not verify"),
    (jwt.InvalidAlgorithmError, "algorithm", "only RS256-signed tokens are accepted"),
    (jwt.DecodeError, "malformed", "the token is not a well-formed JWT"),
)


def _rejection(exc: jwt.PyJWTError) -> TokenRejected:
    if isinstance(exc, jwt.MissingRequiredClaimError):
        reason = "audience" if exc.claim == "aud" else "claims"
        return TokenRejected(reason, f"the token lacks the `{exc.claim}` claim")
    for kind, reason, message in _REJECTIONS:
        if isinstance(exc, kind):
            return TokenRejected(reason, message)
    return TokenRejected("claims", f"the token's claims are invalid ({type(exc).__name__})")


def identity_from_claims(claims: Mapping[str, Any]) -> ClerkIdentity:
    """Reads a verified token's claims; v2 `o` wins over v1 `org_*` if a token had both."""
    org = claims.get("o")
    if isinstance(org, dict):
        organization_id, clerk_role, slug = org.get("id"), org.get("rol"), org.get("slg")
    else:
        organization_id = claims.get("org_id")
        clerk_role, slug = claims.get("org_role"), claims.get("org_slug")
    organization_id = _text(organization_id)
    clerk_role = _text(clerk_role)
    return ClerkIdentity(
        user_id=str(claims["sub"]),
        session_id=_text(claims.get("sid")),
        organization_id=organization_id,
        organization_slug=_text(slug) if organization_id else None,
        clerk_role=clerk_role if organization_id else None,
        # A role without an organization means nothing; a missing role in one means least power.
        role=role_from_clerk(clerk_role) if organization_id else None,
        email=_text(claims.get("email")),
        expires_at=int(claims["exp"]),
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
