"""Who may call what: API keys (Bearer and HTTP Basic), roles, revocation and expiry, and a
second project that can neither see nor change the first one's data (its ids answer 404)."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from autoforge.app import create_app
from autoforge.bootstrap import Container
from autoforge.identity import service
from autoforge.identity.caller import local_caller
from autoforge.identity.schemas import KeyCreate, ProjectCreate

API = "/api/v1"
PROBLEM = "application/problem+json"


@pytest.fixture
def required(file_container: Container) -> Container:
    """The same database behind a server that needs credentials."""
    settings = file_container.settings.model_copy(update={"auth_mode": "required"})
    return dataclasses.replace(file_container, settings=settings)


@pytest.fixture
def client(required: Container) -> Iterator[TestClient]:
    with TestClient(create_app(required)) as test_client:
        yield test_client


def new_key(
    container: Container, role: str = "member", project: str | None = None, **extra: Any
) -> Any:
    owner = (
        local_caller()
        if project is None
        else dataclasses.replace(local_caller(), project_id=project)
    )
    return container.database.run(
        lambda uow: service.create_key(uow, owner, KeyCreate(role=role, **extra))  # type: ignore[arg-type]
    )


def second_project(container: Container) -> str:
    made = container.database.run(
        lambda uow: service.create_project(uow, local_caller(), ProjectCreate(name="other"))
    )
    return made.id


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def basic(public: str, secret: str) -> dict[str, str]:
    token = base64.b64encode(f"{public}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_without_credentials_the_answer_is_401_saying_what_to_send(client: TestClient) -> None:
    response = client.get(f"{API}/prompts")

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert "Bearer sk-afn-" in response.json()["detail"]
    assert "Bearer" in response.headers["www-authenticate"]
    # Health and the OpenAPI document stay open.
    assert client.get("/health/live").status_code == 200
    assert client.get("/openapi.json").status_code == 200


def test_a_key_works_as_bearer_and_as_basic(client: TestClient, required: Container) -> None:
    key = new_key(required)

    created = client.post(
        f"{API}/prompts",
        json={"name": "p", "title": "t", "content": "c"},
        headers=bearer(key.secret),
    )
    listed = client.get(f"{API}/prompts", headers=basic(key.public_key, key.secret))
    me = client.get(f"{API}/me", headers=bearer(key.secret)).json()

    assert created.status_code == 201, created.text
    assert [p["name"] for p in listed.json()["items"]] == ["p"]
    assert me["key_id"] == key.id
    assert me["role"] == "member"
    assert me["via"] == "api_key"
    assert key.display == f"sk-afn-…{key.secret[-4:]}"


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer sk-afn-not-a-real-key"},
        {"Authorization": "Bearer sk-afn-" + "0" * 48},
        {"Authorization": "Basic bm90LWJhc2U2NA"},
        {"Authorization": "Token abc"},
    ],
)
def test_bad_credentials_are_401_without_echoing_them(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = client.get(f"{API}/prompts", headers=headers)

    assert response.status_code == 401
    assert headers["Authorization"].split(" ", 1)[1] not in response.text


def test_basic_with_the_wrong_public_key_is_refused(
    client: TestClient, required: Container
) -> None:
    key, other = new_key(required), new_key(required)

    response = client.get(f"{API}/prompts", headers=basic(other.public_key, key.secret))

    assert response.status_code == 401
    assert "public key" in response.json()["detail"]


def test_a_revoked_key_is_refused_at_once(client: TestClient, required: Container) -> None:
    admin, victim = new_key(required, "admin"), new_key(required)
    assert client.get(f"{API}/prompts", headers=bearer(victim.secret)).status_code == 200

    revoked = client.delete(f"{API}/keys/{victim.id}", headers=bearer(admin.secret))
    after = client.get(f"{API}/prompts", headers=bearer(victim.secret))

    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert after.status_code == 401
    assert "revoked" in after.json()["detail"]


def test_an_expired_key_is_refused(client: TestClient, required: Container) -> None:
    key = new_key(required, expires_at=datetime.now(UTC) + timedelta(seconds=1))
    required.database.run(
        lambda uow: uow.session.execute(
            service.ApiKeyRow.__table__.update().values(  # type: ignore[attr-defined]
                expires_at=datetime.now(UTC) - timedelta(seconds=1)
            )
        )
    )

    response = client.get(f"{API}/prompts", headers=bearer(key.secret))

    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_roles_viewer_reads_member_writes_admin_manages_keys(
    client: TestClient, required: Container
) -> None:
    viewer, member, admin = (new_key(required, role) for role in ("viewer", "member", "admin"))
    body = {"name": "p", "title": "t", "content": "c"}

    assert client.get(f"{API}/prompts", headers=bearer(viewer.secret)).status_code == 200
    refused = client.post(f"{API}/prompts", json=body, headers=bearer(viewer.secret))
    assert refused.status_code == 403
    assert "member role" in refused.json()["detail"]
    assert (
        client.post(f"{API}/prompts", json=body, headers=bearer(member.secret)).status_code == 201
    )
    assert client.get(f"{API}/keys", headers=bearer(member.secret)).status_code == 403
    assert client.get(f"{API}/keys", headers=bearer(admin.secret)).status_code == 200
    # A key can make keys up to its own role, not above.
    above = client.post(f"{API}/keys", json={"role": "admin"}, headers=bearer(member.secret))
    assert above.status_code == 403
    made = client.post(f"{API}/keys", json={"role": "admin"}, headers=bearer(admin.secret))
    assert made.status_code == 201
    assert made.json()["secret"].startswith("sk-afn-")


def test_another_projects_key_sees_nothing_and_gets_404_for_its_ids(
    client: TestClient, required: Container
) -> None:
    mine = new_key(required)
    theirs = new_key(required, project=second_project(required))
    prompt = client.post(
        f"{API}/prompts",
        json={"name": "secret-sauce", "title": "t", "content": "the recipe"},
        headers=bearer(mine.secret),
    ).json()

    listed = client.get(f"{API}/prompts", headers=bearer(theirs.secret))
    read = client.get(f"{API}/prompts/{prompt['id']}", headers=bearer(theirs.secret))
    by_name = client.get(f"{API}/prompts/by-name/secret-sauce", headers=bearer(theirs.secret))
    changed = client.patch(
        f"{API}/prompts/{prompt['id']}",
        json={"content": "stolen", "base_version": 1},
        headers=bearer(theirs.secret),
    )
    # The same name in the other project is another prompt, not a conflict.
    same_name = client.post(
        f"{API}/prompts",
        json={"name": "secret-sauce", "title": "t", "content": "theirs"},
        headers=bearer(theirs.secret),
    )

    assert listed.json()["items"] == []
    assert (read.status_code, by_name.status_code, changed.status_code) == (404, 404, 404)
    assert "the recipe" not in read.text + by_name.text + changed.text
    assert same_name.status_code == 201
    again = client.get(f"{API}/prompts/{prompt['id']}", headers=bearer(mine.secret)).json()
    assert again["content"] == "the recipe"


def test_every_write_is_audited_with_its_actor_and_project(
    client: TestClient, required: Container
) -> None:
    key = new_key(required)
    client.post(
        f"{API}/prompts",
        json={"name": "p", "title": "t", "content": "c"},
        headers=bearer(key.secret),
    )
    from sqlalchemy import select

    from autoforge.audit.models import AuditEntryRow

    with required.database.transaction(read_only=True) as uow:
        rows = uow.session.execute(
            select(AuditEntryRow.actor, AuditEntryRow.project_id, AuditEntryRow.entity_type)
        ).all()

    assert ("key:" + key.id, "default-project", "prompt") in rows


def test_a_browser_signs_in_with_a_key_kept_in_an_http_only_cookie(
    client: TestClient, required: Container
) -> None:
    key = new_key(required)
    options = client.get(f"{API}/session")
    wrong = client.post(f"{API}/session", json={"secret": "sk-afn-nope"})
    signed = client.post(f"{API}/session", json={"secret": key.secret})

    assert options.json()["auth_mode"] == "required"
    assert wrong.status_code == 401
    assert signed.status_code == 204
    cookie = signed.headers["set-cookie"]
    assert "afn_key=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert client.get(f"{API}/me").json()["key_id"] == key.id  # the cookie is the credential
    body = {"name": "p", "title": "t", "content": "c"}
    # Another site could make the browser send the cookie: a write needs the UI's header.
    forged = client.post(f"{API}/prompts", json=body)
    assert forged.status_code == 403
    assert "X-Autoforge-Csrf" in forged.json()["detail"]
    made = client.post(f"{API}/prompts", json=body, headers={"X-Autoforge-Csrf": "1"})
    assert made.status_code == 201
    client.delete(f"{API}/session")
    assert client.get(f"{API}/me").status_code == 401


def test_the_project_cookie_picks_a_project_the_caller_may_open(
    client: TestClient, file_container: Container
) -> None:
    other = second_project(file_container)
    with TestClient(create_app(file_container)) as local:  # local mode: the local owner
        local.cookies.set("afn_project", other)
        assert local.get(f"{API}/me").json()["project_id"] == other
        local.cookies.set("afn_project", "no-such-project")
        refused = local.get(f"{API}/me")
    assert refused.status_code == 401
    assert "no project 'no-such-project'" in refused.json()["detail"]
