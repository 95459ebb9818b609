"""The authorization matrix, generated from the OpenAPI document: every route and method, for
every kind of caller, gets the answer its role allows, and a second project's key learns
nothing of the first project's data.

The callers: anonymous, viewer, member and admin keys of project A, an admin key of project
B (another organization), a revoked key, an expired key, and a sign-in token whose signature
does not verify. Each route's needed role is written down here, not derived from the code
that enforces it; a route added later without a line here fails the test.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import update

from autoforge.app import create_app
from autoforge.bootstrap import Container
from autoforge.identity import service
from autoforge.identity.caller import Caller, Via, local_caller
from autoforge.identity.models import ApiKeyRow, MembershipRow, OrganizationRow, ProjectRow, UserRow
from autoforge.identity.roles import Role
from autoforge.identity.schemas import KeyCreate
from autoforge.secrets.vault import new_key
from tests.support.jwks import JwksServer, new_signer
from tests.support.optimizations import with_oracle

API = "/api/v1"
MARKER = "MARKER-of-project-A"
SECRET_VALUE = "sk-proj-SECRET-of-project-A-0123456789"
ISSUER = "https://clerk.matrix.test"

# What each route needs. Health and the OpenAPI document are open, and not listed.
V, M, A = Role.VIEWER, Role.MEMBER, Role.ADMIN
EXPECTED: dict[tuple[str, str], Role] = {
    ("GET", "/api/v1/models"): V,
    ("GET", "/api/v1/traces"): V,
    ("GET", "/api/public/projects"): V,
    ("GET", "/api/public/v2/prompts"): V,
    ("POST", "/api/public/v2/prompts"): M,
    ("GET", "/api/public/v2/prompts/{name}"): V,
    ("DELETE", "/api/public/v2/prompts/{name}"): M,
    ("PATCH", "/api/public/v2/prompts/{name}/versions/{version}"): M,
    ("POST", "/v1/chat/completions"): M,
    ("POST", "/v1/completions"): M,
    ("GET", "/v1/models"): V,
    ("POST", "/v1/traces"): M,
    ("POST", "/api/public/otel/v1/traces"): M,
    ("POST", "/api/v1/prompts"): M,
    ("GET", "/api/v1/prompts"): V,
    ("GET", "/api/v1/prompts/by-name/{name}"): V,
    ("POST", "/api/v1/prompts:import"): M,
    ("GET", "/api/v1/prompts:export"): V,
    ("GET", "/api/v1/prompts/{prompt_id}"): V,
    ("PATCH", "/api/v1/prompts/{prompt_id}"): M,
    ("DELETE", "/api/v1/prompts/{prompt_id}"): M,
    ("POST", "/api/v1/prompts/{prompt_id}/restore"): M,
    ("POST", "/api/v1/prompts/{prompt_id}/status"): M,
    ("GET", "/api/v1/prompts/{prompt_id}/versions"): V,
    ("GET", "/api/v1/prompts/{prompt_id}/versions/{version}"): V,
    ("GET", "/api/v1/prompts/{prompt_id}/diff"): V,
    ("GET", "/api/v1/prompts/{prompt_id}/similar"): V,
    ("GET", "/api/v1/prompts:search"): V,
    ("POST", "/api/v1/prompts/{prompt_id}/rollback"): M,
    ("PUT", "/api/v1/prompts/{prompt_id}/labels/{label}"): M,
    ("DELETE", "/api/v1/prompts/{prompt_id}/labels/{label}"): M,
    ("POST", "/api/v1/prompts/{prompt_id}/run"): M,
    ("POST", "/api/v1/prompts/by-name/{name}/run"): M,
    ("POST", "/api/v1/templates"): M,
    ("GET", "/api/v1/templates"): V,
    ("GET", "/api/v1/templates/{template_id}"): V,
    ("PATCH", "/api/v1/templates/{template_id}"): M,
    ("DELETE", "/api/v1/templates/{template_id}"): M,
    ("POST", "/api/v1/templates/{template_id}/render"): M,
    ("POST", "/api/v1/evaluations"): M,
    ("GET", "/api/v1/evaluations"): V,
    ("POST", "/api/v1/evaluations:compare"): V,
    ("GET", "/api/v1/evaluations/{evaluation_id}"): V,
    ("GET", "/api/v1/evaluations/{evaluation_id}/results"): V,
    ("GET", "/api/v1/evaluations/{evaluation_id}/diffoscope"): V,
    ("GET", "/api/v1/evaluations/{evaluation_id}/events"): V,
    ("GET", "/api/v1/evaluations/{evaluation_id}/genome"): V,
    ("GET", "/api/v1/prompts/{prompt_id}/genome"): V,
    ("GET", "/api/v1/evaluations/{evaluation_id}/results:export"): V,
    ("GET", "/api/v1/datasets/{dataset_id}/versions/{version}/items:export"): V,
    ("POST", "/api/v1/datasets"): M,
    ("GET", "/api/v1/datasets"): V,
    ("POST", "/api/v1/datasets:install-examples"): M,
    ("POST", "/api/v1/promptfoo:import"): M,
    ("GET", "/api/v1/datasets/by-name/{name}"): V,
    ("GET", "/api/v1/datasets/{dataset_id}"): V,
    ("DELETE", "/api/v1/datasets/{dataset_id}"): M,
    ("GET", "/api/v1/datasets/{dataset_id}/versions"): V,
    ("POST", "/api/v1/datasets/{dataset_id}/versions"): M,
    ("GET", "/api/v1/datasets/{dataset_id}/versions/{version}/items"): V,
    ("POST", "/api/v1/datasets/{dataset_id}:import"): M,
    ("POST", "/api/v1/optimizations"): M,
    ("GET", "/api/v1/optimizations"): V,
    ("GET", "/api/v1/optimizations/{optimization_id}"): V,
    ("GET", "/api/v1/optimizations/{optimization_id}/candidates"): V,
    ("GET", "/api/v1/optimizations/{optimization_id}/events"): V,
    ("GET", "/api/v1/dashboard"): V,
    ("GET", "/api/v1/slos"): V,
    ("POST", "/api/v1/slos"): M,
    ("GET", "/api/v1/slos/{slo_id}"): V,
    ("DELETE", "/api/v1/slos/{slo_id}"): M,
    ("GET", "/api/v1/slos/{slo_id}/history"): V,
    ("POST", "/api/v1/slos/{slo_id}/check"): M,
    ("GET", "/api/v1/webhooks"): A,
    ("POST", "/api/v1/webhooks"): A,
    ("GET", "/api/v1/webhooks/deliveries"): A,
    ("DELETE", "/api/v1/webhooks/{webhook_id}"): A,
    ("GET", "/api/v1/me"): V,
    ("GET", "/api/v1/projects"): V,
    ("POST", "/api/v1/projects"): A,
    ("GET", "/api/v1/keys"): A,
    ("POST", "/api/v1/keys"): A,
    ("DELETE", "/api/v1/keys/{key_id}"): A,
    ("GET", "/api/v1/members"): V,
    ("POST", "/api/v1/members"): A,
    ("DELETE", "/api/v1/members/{user_id}"): A,
    ("PUT", "/api/v1/members/{user_id}/project-role"): A,
    ("GET", "/api/v1/secrets"): A,
    ("PUT", "/api/v1/secrets/{name}"): A,
    ("DELETE", "/api/v1/secrets/{name}"): A,
    # A mutation needs member: the GraphQL layer decides by operation (tests/api/test_graphql.py).
    ("GET", "/graphql"): V,
    ("POST", "/graphql"): V,
}
# How one gets credentials: open to every caller.
OPEN = {("GET", "/api/v1/session"), ("POST", "/api/v1/session"), ("DELETE", "/api/v1/session")}
UNAUTHENTICATED = ("anonymous", "revoked key", "expired key", "bad token signature")
# Least to most powerful: the destructive cells (an admin deleting) come last.
CALLERS = (*UNAUTHENTICATED, "other project's admin key", "viewer", "member", "admin")


@dataclasses.dataclass
class World:
    client: TestClient
    headers: dict[str, dict[str, str]]
    params: dict[str, str]
    secrets: list[str]  # ids and texts of project A that no other project may see


def routes(client: TestClient) -> list[tuple[str, str]]:
    found = []
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        if path.startswith(("/api/", "/v1/", "/graphql")):
            found.extend((method.upper(), path) for method in operations)
    return found


def key(container: Container, caller: Caller, role: Role, **extra: Any) -> Any:
    data = KeyCreate(role=role.value, **extra)  # type: ignore[arg-type]
    return container.database.run(lambda uow: service.create_key(uow, caller, data))


def other_organization(container: Container) -> Caller:
    """Project B, in an organization of its own, with an owner who is nobody in A's."""

    def make(uow: Any) -> Caller:
        organization = OrganizationRow(name="Other org")
        uow.session.add(organization)
        uow.session.flush()
        project = ProjectRow(organization_id=organization.id, name="B")
        user = UserRow(email="b@example.test")
        uow.session.add_all([project, user])
        uow.session.flush()
        membership = MembershipRow(organization_id=organization.id, user_id=user.id, role="owner")
        uow.session.add(membership)
        return Caller(project.id, organization.id, Role.OWNER, Via.LOCAL, user_id=user.id)

    return container.database.run(make)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def seed(client: TestClient, admin: dict[str, str]) -> dict[str, str]:
    """Project A's data, made by its admin key: one of everything a route can name."""
    prompt = ok(
        client.post(
            f"{API}/prompts",
            json={"name": "a-prompt", "title": MARKER, "content": f"{MARKER} {{{{text}}}}"},
            headers=admin,
        ),
        201,
    )
    ok(
        client.put(
            f"{API}/prompts/{prompt['id']}/labels/production", json={"version": 1}, headers=admin
        )
    )
    template = ok(
        client.post(
            f"{API}/templates",
            json={
                "name": "a-template",
                "content": f"{MARKER} {{{{x}}}}",
                "parameters": [{"name": "x"}],
            },
            headers=admin,
        ),
        201,
    )
    # Named like nothing another project could install: "sentiment" is a shipped example.
    items = [{"input": {"text": f"{MARKER} {i}"}, "expected": "yes"} for i in range(4)]
    dataset = ok(
        client.post(f"{API}/datasets", json={"name": "a-dataset", "items": items}, headers=admin),
        201,
    )
    evaluation = ok(
        client.post(
            f"{API}/evaluations",
            json={"prompt_id": prompt["id"], "dataset_id": dataset["id"]},
            headers=admin,
        ),
        202,
    )["evaluations"][0]
    optimization = ok(
        client.post(
            f"{API}/optimizations",
            json={"prompt": "review", "dataset": "sentiment", "budget": {"calls": 200}},
            headers=admin,
        ),
        202,
    )
    member = ok(client.post(f"{API}/members", json={"email": "m@example.test"}, headers=admin), 201)
    doomed = ok(client.post(f"{API}/keys", json={"role": "viewer"}, headers=admin), 201)
    ok(client.put(f"{API}/secrets/OPENAI_API_KEY", json={"value": SECRET_VALUE}, headers=admin))
    # Targets no traffic misses: no alert ever leaves for the webhook's (unresolvable) host.
    slo = ok(
        client.post(f"{API}/slos", json={"prompt": "a-prompt", "max_error_rate": 1}, headers=admin),
        201,
    )
    webhook = ok(
        client.post(f"{API}/webhooks", json={"url": "https://hooks.a.invalid/"}, headers=admin),
        201,
    )
    for url in (
        f"{API}/evaluations/{evaluation['id']}",
        f"{API}/optimizations/{optimization['id']}",
    ):
        finished(client, url, admin)
    return {
        "prompt_id": prompt["id"],
        "version": "1",
        "label": "production",
        "prompt_name": "a-prompt",
        "template_id": template["id"],
        "dataset_id": dataset["id"],
        "dataset_name": "a-dataset",
        "evaluation_id": evaluation["id"],
        "optimization_id": optimization["id"],
        "key_id": doomed["id"],
        "user_id": member["user_id"],
        "secret_name": "OPENAI_API_KEY",
        "slo_id": slo["id"],
        "webhook_id": webhook["id"],
    }


def finished(client: TestClient, url: str, headers: dict[str, str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if ok(client.get(url, headers=headers))["status"] in ("completed", "failed"):
            return
        time.sleep(0.05)
    raise AssertionError(f"{url} did not finish")


@pytest.fixture
def world(file_container: Container) -> Iterator[World]:
    signer, intruder = new_signer("ins_matrix"), new_signer("ins_matrix")
    jwks = JwksServer(keys=[signer.jwk()])
    jwks.start()
    settings = file_container.settings.model_copy(
        update={
            "auth_mode": "required",
            "clerk_jwks_url": jwks.url,
            "clerk_issuer": ISSUER,
            "rate_limit_enabled": False,
            "secret_keys": [SecretStr(new_key())],
        }
    )
    container, _ = with_oracle(dataclasses.replace(file_container, settings=settings))
    owner_a, owner_b = local_caller(), other_organization(container)
    keys = {role: key(container, owner_a, role) for role in (Role.VIEWER, Role.MEMBER, Role.ADMIN)}
    revoked = key(container, owner_a, Role.ADMIN)
    container.database.run(lambda uow: service.revoke_key(uow, owner_a, revoked.id))
    expired = key(container, owner_a, Role.ADMIN, expires_at=datetime.now(UTC) + timedelta(hours=1))
    container.database.run(
        lambda uow: uow.session.execute(
            update(ApiKeyRow)
            .where(ApiKeyRow.id == expired.id)
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    )
    now = int(time.time())
    forged = intruder.sign(
        {
            "sub": "user_x",
            "iss": ISSUER,
            "iat": now,
            "exp": now + 600,
            "o": {"id": "org_x", "rol": "admin"},
        }
    )
    headers = {
        "anonymous": {},
        "revoked key": bearer(revoked.secret),
        "expired key": bearer(expired.secret),
        "bad token signature": bearer(forged),
        "other project's admin key": bearer(key(container, owner_b, Role.ADMIN).secret),
        "viewer": bearer(keys[Role.VIEWER].secret),
        "member": bearer(keys[Role.MEMBER].secret),
        "admin": bearer(keys[Role.ADMIN].secret),
    }
    with TestClient(create_app(container)) as client:
        params = seed(client, headers["admin"])
        secrets = [
            MARKER,
            SECRET_VALUE,
            *(
                params[k]
                for k in (
                    "prompt_id",
                    "template_id",
                    "evaluation_id",
                    "optimization_id",
                    "key_id",
                    "slo_id",
                    "webhook_id",
                )
            ),
        ]
        yield World(client, headers, params, secrets)
    container.gateway.close()
    jwks.stop()


def url_of(path: str, params: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "name" and path.startswith(f"{API}/secrets"):
            return params["secret_name"]
        if name == "name":
            return params["dataset_name" if path.startswith(f"{API}/datasets") else "prompt_name"]
        return params[name]

    return re.sub(r"\{(\w+)\}", value, path)


def call(world: World, method: str, path: str, caller: str) -> tuple[str, Any]:
    url = url_of(path, world.params)
    extra: dict[str, Any] = {}
    if method in ("POST", "PUT", "PATCH"):
        extra = (
            {"content": b"", "headers": {"content-type": "application/x-ndjson"}}
            if path.endswith(":import")
            else {"json": {}}
        )
    headers = {**world.headers[caller], **extra.pop("headers", {})}
    return url, world.client.request(method, url, headers=headers, **extra)


def verdict(
    path: str, url: str, *, caller: str, needed: Role | None, response: Any, secrets: list[str]
) -> str | None:
    """None when the answer is the expected one; else what is wrong with it."""
    status = response.status_code
    if status >= 500:
        return f"a {status}"
    if needed is None:
        return f"{status} from an open route" if status in (401, 403) else None
    if caller in UNAUTHENTICATED:
        return None if status == 401 else f"{status}, expected 401"
    if caller == "other project's admin key":
        names_a = "{" in path
        if names_a and status < 400:
            return f"{status} for project A's id: a leak"
        if names_a and status not in (404, 422):
            return f"{status}, expected 404"
        # An id the caller sent may come back in the 404's words; nothing else of A's may.
        leaked = [s for s in secrets if s in response.text and s not in url]
        return f"project A's {leaked} in the answer: a leak" if leaked else None
    allowed = Role(caller).allows(needed)
    if not allowed:
        return None if status == 403 else f"{status}, expected 403"
    return f"{status}: refused though allowed" if status in (401, 403) else None


def test_every_route_answers_every_caller_as_its_role_allows(world: World) -> None:
    found = routes(world.client)
    missing = sorted(set(found) - set(EXPECTED) - OPEN)
    assert not missing, f"routes without an expected role in EXPECTED: {missing}"
    stale = sorted(set(EXPECTED) - set(found))
    assert not stale, f"EXPECTED lists routes that no longer exist: {stale}"

    wrong, leaks, cells = [], 0, 0
    for caller in CALLERS:
        for method, path in found:
            url, response = call(world, method, path, caller)
            cells += 1
            problem = verdict(
                path,
                url,
                caller=caller,
                needed=EXPECTED.get((method, path)),
                response=response,
                secrets=world.secrets,
            )
            if problem is not None:
                leaks += "leak" in problem
                wrong.append(f"{caller:>26} {method:6} {path}: {problem}")

    shape = f"{len(found)} routes x {len(CALLERS)} callers"
    print(f"\nauthorization matrix: {cells} cells ({shape}), {leaks} leaks")
    assert cells == len(found) * len(CALLERS)
    assert not wrong, "\n".join(wrong)
