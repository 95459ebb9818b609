"""The seed's visibility rules: a private prompt is its project's alone; a shared one is
readable, not writable, by the organization's other projects; a public one by anyone who
may read prompts, anonymous callers too where the server allows it. Another organization
sees neither private nor shared prompts."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from autoforge.app import create_app
from autoforge.bootstrap import Container
from autoforge.identity import service
from autoforge.identity.caller import Caller, Via, local_caller
from autoforge.identity.models import MembershipRow, OrganizationRow, ProjectRow, UserRow
from autoforge.identity.roles import Role
from autoforge.identity.schemas import KeyCreate, ProjectCreate

API = "/api/v1"


@dataclasses.dataclass
class Keys:
    owner: dict[str, str]  # project A, the default organization
    sibling: dict[str, str]  # project B, same organization
    stranger: dict[str, str]  # project C, another organization


def bearer(container: Container, caller: Caller) -> dict[str, str]:
    made = container.database.run(
        lambda uow: service.create_key(uow, caller, KeyCreate(role="admin"))
    )
    return {"Authorization": f"Bearer {made.secret}"}


def stranger(container: Container) -> Caller:
    def make(uow: Any) -> Caller:
        organization = OrganizationRow(name="Elsewhere")
        uow.session.add(organization)
        uow.session.flush()
        project, user = ProjectRow(organization_id=organization.id, name="C"), UserRow()
        uow.session.add_all([project, user])
        uow.session.flush()
        uow.session.add(
            MembershipRow(organization_id=organization.id, user_id=user.id, role="owner")
        )
        return Caller(project.id, organization.id, Role.OWNER, Via.LOCAL, user_id=user.id)

    return container.database.run(make)


@pytest.fixture
def setup(file_container: Container) -> Iterator[tuple[TestClient, Keys]]:
    settings = file_container.settings.model_copy(
        update={"auth_mode": "required", "anonymous_public_prompts": True}
    )
    container = dataclasses.replace(file_container, settings=settings)
    sibling = container.database.run(
        lambda uow: service.create_project(uow, local_caller(), ProjectCreate(name="B"))
    )
    keys = Keys(
        owner=bearer(container, local_caller()),
        sibling=bearer(container, dataclasses.replace(local_caller(), project_id=sibling.id)),
        stranger=bearer(container, stranger(container)),
    )
    with TestClient(create_app(container)) as client:
        yield client, keys


def make(client: TestClient, keys: Keys, name: str, visibility: str) -> dict[str, Any]:
    response = client.post(
        f"{API}/prompts",
        json={"name": name, "title": name, "content": f"{name} text", "visibility": visibility},
        headers=keys.owner,
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    ok = client.put(
        f"{API}/prompts/{created['id']}/labels/production", json={"version": 1}, headers=keys.owner
    )
    assert ok.status_code == 200
    return created


def reads(client: TestClient, headers: dict[str, str], prompt: dict[str, Any]) -> tuple[int, ...]:
    return (
        client.get(f"{API}/prompts/{prompt['id']}", headers=headers).status_code,
        client.get(
            f"{API}/prompts/by-name/{prompt['name']}",
            params={"label": "production"},
            headers=headers,
        ).status_code,
        client.get(f"{API}/prompts/{prompt['id']}/versions", headers=headers).status_code,
    )


def test_private_shared_and_public_prompts_are_read_where_they_may_be(
    setup: tuple[TestClient, Keys],
) -> None:
    client, keys = setup
    private = make(client, keys, "private-one", "private")
    shared = make(client, keys, "shared-one", "shared")
    public = make(client, keys, "public-one", "public")

    assert reads(client, keys.sibling, private) == (404, 404, 404)
    assert reads(client, keys.sibling, shared) == (200, 200, 200)
    assert reads(client, keys.sibling, public) == (200, 200, 200)
    assert reads(client, keys.stranger, private) == (404, 404, 404)
    assert reads(client, keys.stranger, shared) == (404, 404, 404)
    assert reads(client, keys.stranger, public) == (200, 200, 200)
    assert reads(client, {}, public) == (200, 200, 200)  # anonymous, where allowed
    assert reads(client, {}, shared) == (404, 404, 404)
    fetched = client.get(f"{API}/prompts/{shared['id']}", headers=keys.sibling).json()
    assert fetched["project_id"] == "default-project"  # whose it is


def test_what_is_shared_is_read_only_elsewhere(setup: tuple[TestClient, Keys]) -> None:
    client, keys = setup
    shared = make(client, keys, "shared-one", "shared")
    url = f"{API}/prompts/{shared['id']}"

    edit = client.patch(url, json={"content": "hijacked", "base_version": 1}, headers=keys.sibling)
    label = client.put(f"{url}/labels/production", json={"version": 1}, headers=keys.sibling)
    delete = client.delete(url, headers=keys.sibling)
    anonymous_write = client.post(
        f"{API}/prompts", json={"name": "x", "title": "x", "content": "x"}
    )

    assert (edit.status_code, label.status_code, delete.status_code) == (404, 404, 404)
    assert anonymous_write.status_code == 401
    assert client.get(url, headers=keys.owner).json()["content"] == "shared-one text"
    # Lists show one's own project: another project's shared prompts are fetched by name.
    listed = client.get(f"{API}/prompts", headers=keys.sibling).json()["items"]
    assert listed == []


def test_making_a_prompt_private_again_hides_it(setup: tuple[TestClient, Keys]) -> None:
    client, keys = setup
    public = make(client, keys, "public-one", "public")
    changed = client.patch(
        f"{API}/prompts/{public['id']}",
        json={"visibility": "private", "base_version": 1},
        headers=keys.owner,
    )

    assert changed.status_code == 200
    assert changed.json()["visibility"] == "private"
    assert changed.json()["version"] == 1  # not a new version: who may read it changed
    assert reads(client, keys.stranger, public) == (404, 404, 404)
    assert reads(client, {}, public) == (404, 404, 404)
