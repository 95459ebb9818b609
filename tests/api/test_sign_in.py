"""People sign in with Clerk session tokens, verified against a real JWKS served on
127.0.0.1: their organization, user and role come from the token, and a token that does not
verify (wrong signature, expired, another issuer) is a 401 that never echoes it."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from autoforge.app import create_app
from autoforge.bootstrap import Container
from tests.support.jwks import JwksServer, Signer, new_signer

API = "/api/v1"
ISSUER = "https://clerk.sign-in.test"


@dataclasses.dataclass
class Clerk:
    client: TestClient
    signer: Signer
    jwks: JwksServer

    def token(self, signer: Signer | None = None, **claims: Any) -> str:
        now = int(time.time())
        base = {
            "sub": "user_alice",
            "iss": ISSUER,
            "iat": now,
            "exp": now + 600,
            "email": "alice@example.test",
            "o": {"id": "org_acme", "rol": "admin", "slg": "acme"},
        }
        return (signer or self.signer).sign({**base, **claims})

    def get(self, path: str, token: str, **headers: str) -> Any:
        return self.client.get(
            f"{API}{path}", headers={"Authorization": f"Bearer {token}", **headers}
        )


@pytest.fixture
def clerk(file_container: Container) -> Iterator[Clerk]:
    signer = new_signer("ins_sign_in")
    jwks = JwksServer(keys=[signer.jwk()])
    jwks.start()
    settings = file_container.settings.model_copy(
        update={
            "auth_mode": "required",
            "clerk_jwks_url": jwks.url,
            "clerk_issuer": ISSUER,
            "clerk_jwks_refetch_s": 0.0,
        }
    )
    with TestClient(create_app(dataclasses.replace(file_container, settings=settings))) as client:
        yield Clerk(client, signer, jwks)
    jwks.stop()


def test_a_first_sign_in_makes_the_organization_its_project_and_the_member(clerk: Clerk) -> None:
    token = clerk.token()

    me = clerk.get("/me", token)
    projects = clerk.get("/projects", token)
    members = clerk.get("/members", token)

    assert me.status_code == 200, me.text
    assert me.json()["via"] == "clerk"
    assert me.json()["role"] == "admin"
    assert [p["name"] for p in projects.json()] == ["Default"]
    assert [(m["email"], m["role"]) for m in members.json()] == [("alice@example.test", "admin")]


def test_the_role_follows_the_token_and_another_org_is_another_tenant(clerk: Clerk) -> None:
    admin = clerk.token()
    created = clerk.client.post(
        f"{API}/prompts",
        json={"name": "acme-only", "title": "t", "content": "c"},
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert created.status_code == 201, created.text

    as_viewer = clerk.token(o={"id": "org_acme", "rol": "org:viewer"}, iat=int(time.time()) - 1)
    refused = clerk.client.post(
        f"{API}/prompts",
        json={"name": "x", "title": "t", "content": "c"},
        headers={"Authorization": f"Bearer {as_viewer}"},
    )
    other_org = clerk.token(
        sub="user_bob", email="bob@example.test", o={"id": "org_other", "rol": "admin"}
    )

    assert refused.status_code == 403
    assert [p["name"] for p in clerk.get("/prompts", as_viewer).json()["items"]] == ["acme-only"]
    assert clerk.get("/prompts", other_org).json()["items"] == []
    assert clerk.get(f"/prompts/{created.json()['id']}", other_org).status_code == 404


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"exp": int(time.time()) - 3600}, "expired"),
        ({"iss": "https://evil.example"}, "issuer"),
        ({"o": None}, "no active organization"),
    ],
)
def test_tokens_that_are_not_accepted_are_401(
    clerk: Clerk, claims: dict[str, Any], reason: str
) -> None:
    token = clerk.token(**claims)

    response = clerk.get("/prompts", token)

    assert response.status_code == 401
    assert reason in response.json()["detail"]
    assert token not in response.text


def test_a_token_signed_by_another_key_is_401(clerk: Clerk) -> None:
    forged = clerk.token(signer=new_signer("ins_sign_in"))  # the published kid, another key

    response = clerk.get("/me", forged)

    assert response.status_code == 401
    assert "signature" in response.json()["detail"]


def test_a_rotated_key_is_fetched_when_a_token_names_it(clerk: Clerk) -> None:
    assert clerk.get("/me", clerk.token()).status_code == 200
    fetches = clerk.jwks.requests
    rotated = new_signer("ins_rotated")
    clerk.jwks.serve(clerk.signer, rotated)

    response = clerk.get("/me", clerk.token(signer=rotated))

    assert response.status_code == 200, response.text
    assert clerk.jwks.requests == fetches + 1


def test_credentials_never_reach_the_logs(clerk: Clerk, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    token = clerk.token()
    created = clerk.client.post(
        f"{API}/keys", json={}, headers={"Authorization": f"Bearer {token}"}
    )
    secret = created.json()["secret"]
    clerk.get("/prompts", secret)
    clerk.get("/prompts", secret + "x")  # a wrong one, logged as refused
    clerk.get("/prompts", clerk.token(exp=1))

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert secret not in logged
    assert secret[len("sk-afn-") :][:16] not in logged  # not even the lookup part
    assert token not in logged


def test_a_member_added_by_email_is_the_same_person_when_they_sign_in(clerk: Clerk) -> None:
    admin = clerk.token()
    added = clerk.client.post(
        f"{API}/members",
        json={"email": "Carol@Example.test", "role": "viewer"},
        headers={"Authorization": f"Bearer {admin}"},
    )
    carol = clerk.token(
        sub="user_carol", email="carol@example.test", o={"id": "org_acme", "rol": "org:member"}
    )

    me = clerk.get("/me", carol)

    assert added.status_code == 201, added.text
    assert me.status_code == 200, me.text
    assert me.json()["user_id"] == added.json()["user_id"]
    assert me.json()["role"] == "member"  # Clerk manages the role: the token's wins


def test_a_project_role_replaces_the_organization_role_in_that_project(clerk: Clerk) -> None:
    admin = {"Authorization": f"Bearer {clerk.token()}"}
    erin = clerk.token(
        sub="user_erin", email="erin@example.test", o={"id": "org_acme", "rol": "org:member"}
    )
    me = clerk.get("/me", erin).json()
    assert me["role"] == "member"

    lowered = clerk.client.put(
        f"{API}/members/{me['user_id']}/project-role", json={"role": "viewer"}, headers=admin
    )
    after = clerk.client.post(
        f"{API}/prompts",
        json={"name": "x", "title": "t", "content": "c"},
        headers={"Authorization": f"Bearer {erin}"},  # the same token: forgotten at once
    )

    assert lowered.status_code == 200, lowered.text
    assert lowered.json()["project_role"] == "viewer"
    assert after.status_code == 403
    listed = clerk.client.get(f"{API}/members", headers=admin).json()
    assert {m["email"]: m["project_role"] for m in listed}["erin@example.test"] == "viewer"


def test_clerks_session_cookie_signs_the_browser_in(clerk: Clerk) -> None:
    """Clerk's frontend keeps the session token in the `__session` cookie of the app's
    domain: the server reads it like the header (writes then need the UI's CSRF header)."""
    clerk.client.cookies.set("__session", clerk.token())

    me = clerk.client.get(f"{API}/me")
    body = {"name": "from-cookie", "title": "t", "content": "c"}
    forged = clerk.client.post(f"{API}/prompts", json=body)
    made = clerk.client.post(f"{API}/prompts", json=body, headers={"X-Autoforge-Csrf": "1"})

    assert me.status_code == 200, me.text
    assert me.json()["via"] == "clerk"
    assert forged.status_code == 403
    assert made.status_code == 201
