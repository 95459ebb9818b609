"""Clerk token verification against a real JWKS served over HTTP on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from autoforge.identity.clerk import ClerkIdentity, ClerkVerifier, TokenRejected
from autoforge.identity.roles import Role
from tests.support.jwks import JwksServer, Signer, new_signer

ISSUER = "https://clerk.example.test"
REFETCH_S = 10.0


@pytest.fixture(scope="module")
def key_a() -> Signer:
    return new_signer("ins_key_a")


@pytest.fixture(scope="module")
def key_b() -> Signer:
    return new_signer("ins_key_b")


@pytest.fixture(scope="module")
def intruder() -> Signer:
    return new_signer("ins_key_a")  # claims key A's kid, but Clerk never published this key


@pytest.fixture
def jwks(key_a: Signer) -> Iterator[JwksServer]:
    server = JwksServer(keys=[key_a.jwk()])
    server.start()
    yield server
    server.stop()


class Clock:
    """Drives the verifier's refetch timing, so the tests never sleep."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _verifier(jwks: JwksServer, clock: Clock, **options: Any) -> ClerkVerifier:
    return ClerkVerifier(jwks.url, ISSUER, refetch_interval_s=REFETCH_S, clock=clock, **options)


@pytest.fixture
def verifier(jwks: JwksServer, clock: Clock) -> ClerkVerifier:
    return _verifier(jwks, clock)


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "sub": "user_2abc",
        "sid": "sess_2xyz",
        "iat": now,
        "nbf": now - 10,
        "exp": now + 60,
        "azp": "https://app.example.test",
        "v": 2,
        "o": {"id": "org_2team", "rol": "admin", "slg": "the-team"},
    }
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


def _rejected(verifier: ClerkVerifier, token: str) -> TokenRejected:
    with pytest.raises(TokenRejected) as caught:
        verifier.verify(token)
    # Short garbage ("a.b.c") could match any word by chance; real token parts are long.
    for fragment in [token, *token.split(".")]:
        assert len(fragment) < 8 or fragment not in str(caught.value)
    return caught.value


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hs256_token(claims: dict[str, Any], kid: str, secret: bytes) -> str:
    """Written by hand: PyJWT refuses to use a PEM public key as an HMAC secret, attackers don't."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    payload = _b64(json.dumps(claims).encode())
    mac = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(mac)}"


# --- valid tokens and caching -------------------------------------------------------------


def test_a_valid_v2_token_yields_the_user_and_active_organization(
    verifier: ClerkVerifier, key_a: Signer
) -> None:
    claims = _claims()
    identity = verifier.verify(key_a.sign(claims))
    assert identity == ClerkIdentity(
        user_id="user_2abc",
        session_id="sess_2xyz",
        organization_id="org_2team",
        organization_slug="the-team",
        clerk_role="admin",
        role=Role.ADMIN,
        email=None,
        expires_at=claims["exp"],
    )


def test_the_jwks_is_fetched_once_and_then_served_from_the_cache(
    verifier: ClerkVerifier, jwks: JwksServer, key_a: Signer
) -> None:
    assert jwks.requests == 0  # nothing is fetched before a token needs it
    verifier.verify(key_a.sign(_claims()))
    verifier.verify(key_a.sign(_claims(sub="user_other")))
    assert jwks.requests == verifier.jwks_fetches == 1


def test_the_cache_is_refetched_once_it_is_old(
    jwks: JwksServer, clock: Clock, key_a: Signer
) -> None:
    verifier = _verifier(jwks, clock, max_age_s=600)
    verifier.verify(key_a.sign(_claims()))
    clock.advance(601)
    verifier.verify(key_a.sign(_claims()))
    assert jwks.requests == 2


def test_a_rotated_key_verifies_after_one_refetch_and_is_then_cached(
    verifier: ClerkVerifier, jwks: JwksServer, clock: Clock, key_a: Signer, key_b: Signer
) -> None:
    verifier.verify(key_a.sign(_claims()))
    jwks.serve(key_a, key_b)  # Clerk publishes a new key with a new kid
    clock.advance(REFETCH_S)

    assert verifier.verify(key_b.sign(_claims())).user_id == "user_2abc"
    assert jwks.requests == 2
    verifier.verify(key_b.sign(_claims()))
    verifier.verify(key_a.sign(_claims()))
    assert jwks.requests == 2


def test_a_key_clerk_stopped_listing_no_longer_verifies(
    verifier: ClerkVerifier, jwks: JwksServer, clock: Clock, key_a: Signer, key_b: Signer
) -> None:
    verifier.verify(key_a.sign(_claims()))
    jwks.serve(key_b)
    clock.advance(REFETCH_S)
    verifier.verify(key_b.sign(_claims()))

    assert _rejected(verifier, key_a.sign(_claims())).reason == "unknown_key"


def test_refetches_for_unknown_kids_are_rate_limited(
    verifier: ClerkVerifier, jwks: JwksServer, clock: Clock, key_a: Signer, key_b: Signer
) -> None:
    verifier.verify(key_a.sign(_claims()))
    for n in range(50):
        token = key_a.sign(_claims(), kid=f"made-up-{n}")
        assert _rejected(verifier, token).reason == "unknown_key"
    assert jwks.requests == 1  # all within the interval after the first fetch

    jwks.serve(key_a, key_b)
    new_key_token = key_b.sign(_claims())
    assert _rejected(verifier, new_key_token).reason == "unknown_key"  # still cooling down
    clock.advance(REFETCH_S)
    verifier.verify(new_key_token)
    assert jwks.requests == 2


def test_an_unknown_kid_that_stays_unknown_after_a_refetch_is_rejected(
    verifier: ClerkVerifier, jwks: JwksServer, clock: Clock, key_a: Signer, key_b: Signer
) -> None:
    verifier.verify(key_a.sign(_claims()))
    clock.advance(REFETCH_S)
    rejection = _rejected(verifier, key_b.sign(_claims()))
    assert rejection.reason == "unknown_key"
    assert jwks.requests == 2  # it did look again before giving up
    assert "ins_key_b" not in str(rejection)  # the kid comes from the token: never echoed


def test_a_malformed_entry_in_the_jwks_does_not_hide_the_valid_ones(
    verifier: ClerkVerifier, jwks: JwksServer, key_a: Signer
) -> None:
    jwks.keys = [
        "not a key",
        {"kid": "bad", "kty": "RSA", "n": "!!", "e": "AQAB"},
        {"kid": "ec", "kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"},
        key_a.jwk(),
    ]
    assert verifier.verify(key_a.sign(_claims())).user_id == "user_2abc"


# --- time ---------------------------------------------------------------------------------


def test_an_expired_token_is_rejected(verifier: ClerkVerifier, key_a: Signer) -> None:
    now = int(time.time())
    token = key_a.sign(_claims(iat=now - 600, nbf=now - 600, exp=now - 300))
    rejection = _rejected(verifier, token)
    assert rejection.reason == "expired"
    assert "expired" in str(rejection)


def test_a_token_expired_within_the_leeway_is_accepted(
    jwks: JwksServer, clock: Clock, key_a: Signer
) -> None:
    now = int(time.time())
    verifier = _verifier(jwks, clock, leeway_s=60)
    verifier.verify(key_a.sign(_claims(iat=now - 120, nbf=now - 120, exp=now - 30)))


def test_a_token_not_valid_yet_is_rejected(verifier: ClerkVerifier, key_a: Signer) -> None:
    now = int(time.time())
    token = key_a.sign(_claims(iat=now, nbf=now + 300, exp=now + 600))
    assert _rejected(verifier, token).reason == "not_yet_valid"


def test_a_token_without_an_expiry_is_rejected(verifier: ClerkVerifier, key_a: Signer) -> None:
    token = key_a.sign({k: v for k, v in _claims().items() if k != "exp"})
    assert _rejected(verifier, token).reason == "claims"


# --- issuer, audience, party, session -----------------------------------------------------


def test_a_token_from_another_issuer_is_rejected(verifier: ClerkVerifier, key_a: Signer) -> None:
    token = key_a.sign(_claims(iss="https://clerk.other.test"))
    assert _rejected(verifier, token).reason == "issuer"


def test_when_an_audience_is_configured_a_token_for_another_is_rejected(
    jwks: JwksServer, clock: Clock, key_a: Signer
) -> None:
    verifier = _verifier(jwks, clock, audience="autoforge")
    assert verifier.verify(key_a.sign(_claims(aud="autoforge"))).user_id == "user_2abc"
    assert _rejected(verifier, key_a.sign(_claims(aud="someone-else"))).reason == "audience"
    assert _rejected(verifier, key_a.sign(_claims())).reason == "audience"  # no aud at all


def test_without_a_configured_audience_the_aud_claim_is_not_checked(
    verifier: ClerkVerifier, key_a: Signer
) -> None:
    assert verifier.verify(key_a.sign(_claims(aud="anything"))).user_id == "user_2abc"


def test_a_token_for_an_unlisted_origin_is_rejected_when_parties_are_configured(
    jwks: JwksServer, clock: Clock, key_a: Signer
) -> None:
    verifier = _verifier(jwks, clock, authorized_parties=["https://app.example.test"])
    verifier.verify(key_a.sign(_claims()))
    verifier.verify(key_a.sign(_claims(azp=None)))  # Clerk omits azp when Origin was empty
    token = key_a.sign(_claims(azp="https://evil.example.test"))
    assert _rejected(verifier, token).reason == "authorized_party"


def test_a_pending_session_is_rejected_unless_accepted(
    jwks: JwksServer, clock: Clock, key_a: Signer
) -> None:
    token = key_a.sign(_claims(sts="pending"))
    assert _rejected(_verifier(jwks, clock), token).reason == "session_pending"
    assert _verifier(jwks, clock, accept_pending_sessions=True).verify(token).user_id


# --- signatures and algorithms ------------------------------------------------------------


def test_a_token_signed_by_a_key_not_in_the_jwks_is_rejected(
    verifier: ClerkVerifier, jwks: JwksServer, intruder: Signer
) -> None:
    rejection = _rejected(verifier, intruder.sign(_claims()))
    assert rejection.reason == "signature"
    assert jwks.requests == 1


def test_a_tampered_payload_is_rejected(verifier: ClerkVerifier, key_a: Signer) -> None:
    header, _, signature = key_a.sign(_claims()).split(".")
    forged = _b64(json.dumps(_claims(sub="user_admin")).encode())
    assert _rejected(verifier, f"{header}.{forged}.{signature}").reason == "signature"


def test_an_hs256_token_keyed_with_the_public_key_is_refused_before_any_fetch(
    verifier: ClerkVerifier, jwks: JwksServer, key_a: Signer
) -> None:
    public_pem = key_a.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    token = _hs256_token(_claims(), key_a.kid, public_pem)
    assert _rejected(verifier, token).reason == "algorithm"
    assert jwks.requests == 0


def test_an_unsigned_token_is_refused(
    verifier: ClerkVerifier, jwks: JwksServer, key_a: Signer
) -> None:
    token = jwt.encode(_claims(), "", algorithm="none", headers={"kid": key_a.kid})
    assert _rejected(verifier, token).reason == "algorithm"
    assert jwks.requests == 0


@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.b.c", "x" * 20_000])
def test_garbage_is_rejected_as_malformed(verifier: ClerkVerifier, token: str) -> None:
    assert _rejected(verifier, token).reason == "malformed"


def test_a_token_without_a_kid_is_rejected(verifier: ClerkVerifier, key_a: Signer) -> None:
    token = jwt.encode(_claims(), key_a.private_key, algorithm="RS256")
    assert _rejected(verifier, token).reason == "malformed"


# --- organization claims ------------------------------------------------------------------


def test_v1_org_claims_are_read(verifier: ClerkVerifier, key_a: Signer) -> None:
    claims = _claims(o=None, v=None, org_id="org_1", org_role="org:member", org_slug="ones")
    identity = verifier.verify(key_a.sign(claims))
    assert (identity.organization_id, identity.organization_slug) == ("org_1", "ones")
    assert (identity.clerk_role, identity.role) == ("org:member", Role.MEMBER)


def test_an_unknown_custom_role_becomes_viewer(verifier: ClerkVerifier, key_a: Signer) -> None:
    claims = _claims(o={"id": "org_2team", "rol": "billing", "slg": "the-team"})
    identity = verifier.verify(key_a.sign(claims))
    assert (identity.clerk_role, identity.role) == ("billing", Role.VIEWER)


def test_an_organization_without_a_role_claim_gets_viewer(
    verifier: ClerkVerifier, key_a: Signer
) -> None:
    identity = verifier.verify(key_a.sign(_claims(o={"id": "org_2team"})))
    assert identity.role is Role.VIEWER


def test_without_an_active_organization_there_is_no_role(
    verifier: ClerkVerifier, key_a: Signer
) -> None:
    identity = verifier.verify(key_a.sign(_claims(o=None, email="ada@example.test")))
    assert identity.organization_id is None
    assert identity.role is None
    assert identity.email == "ada@example.test"


# --- the JWKS server failing --------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_jwks_server_is_a_clear_rejection(clock: Clock, key_a: Signer) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/.well-known/jwks.json"
    verifier = ClerkVerifier(url, ISSUER, clock=clock, timeout_s=2)
    rejection = _rejected(verifier, key_a.sign(_claims()))
    assert rejection.reason == "jwks_unavailable"
    assert "JWKS" in str(rejection)


def test_an_erroring_jwks_server_is_retried_only_after_the_interval(
    verifier: ClerkVerifier, jwks: JwksServer, clock: Clock, key_a: Signer
) -> None:
    jwks.status = 503
    token = key_a.sign(_claims())
    assert _rejected(verifier, token).reason == "jwks_unavailable"
    assert _rejected(verifier, token).reason == "jwks_unavailable"
    assert jwks.requests == 1

    jwks.status = 200
    clock.advance(REFETCH_S)
    assert verifier.verify(token).user_id == "user_2abc"
    assert jwks.requests == 2


def test_a_jwks_without_usable_keys_is_unavailable_not_a_crash(
    verifier: ClerkVerifier, jwks: JwksServer, key_a: Signer
) -> None:
    jwks.keys = []
    assert _rejected(verifier, key_a.sign(_claims())).reason == "jwks_unavailable"


def test_known_keys_keep_working_when_a_refresh_fails(
    jwks: JwksServer, clock: Clock, key_a: Signer
) -> None:
    verifier = _verifier(jwks, clock, max_age_s=600)
    verifier.verify(key_a.sign(_claims()))
    jwks.status = 503
    clock.advance(601)
    assert verifier.verify(key_a.sign(_claims())).user_id == "user_2abc"
    assert jwks.requests == 2


# --- construction -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "issuer"),
    [("file:///etc/passwd", ISSUER), ("https://clerk.example.test/.well-known/jwks.json", "")],
)
def test_a_verifier_needs_an_http_url_and_an_issuer(url: str, issuer: str) -> None:
    with pytest.raises(ValueError, match=r"JWKS URL|issuer"):
        ClerkVerifier(url, issuer)
