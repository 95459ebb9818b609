"""The prompt reads through the in-process cache, over HTTP: a repeat is a hit, every write
path is seen by the very next read, and no project is ever served another's entry."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from autoforge.app import create_app
from autoforge.bootstrap import Container
from autoforge.db.tenancy import reading
from autoforge.db.unit_of_work import UnitOfWork
from autoforge.evaluations.models import EvaluationRow
from autoforge.evaluations.models import TestResultRow as ResultRow
from autoforge.identity import service
from autoforge.identity.caller import DEFAULT_PROJECT_ID, Caller, local_caller
from autoforge.identity.schemas import KeyCreate, ProjectCreate

API = "/api/v1"
Headers = dict[str, str]


def events(outcome: str, cache: str = "prompts") -> float:
    value = REGISTRY.get_sample_value(
        "autoforge_cache_events_total", {"cache": cache, "outcome": outcome}
    )
    return value or 0.0


@pytest.fixture
def client(file_container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(file_container)) as test_client:
        yield test_client


def create(client: TestClient, name: str, headers: Headers | None = None, **fields: Any) -> str:
    body = {"name": name, "title": name, "content": f"{name} v1", **fields}
    response = client.post(f"{API}/prompts", json=body, headers=headers or {})
    assert response.status_code == 201, response.text
    prompt_id: str = response.json()["id"]
    return prompt_id


def edit(client: TestClient, prompt_id: str, content: str, base: int) -> None:
    response = client.patch(
        f"{API}/prompts/{prompt_id}", json={"content": content, "base_version": base}
    )
    assert response.status_code == 200, response.text


def label(client: TestClient, prompt_id: str, version: int, headers: Headers | None = None) -> None:
    response = client.put(
        f"{API}/prompts/{prompt_id}/labels/production",
        json={"version": version},
        headers=headers or {},
    )
    assert response.status_code == 200, response.text


def by_name(client: TestClient, name: str, headers: Headers | None = None) -> Any:
    response = client.get(
        f"{API}/prompts/by-name/{name}", params={"label": "production"}, headers=headers or {}
    )
    return response.json() if response.status_code == 200 else response.status_code


def test_a_repeated_fetch_is_a_hit_and_a_moved_label_is_seen_by_the_next_one(
    client: TestClient,
) -> None:
    prompt_id = create(client, "greet")
    edit(client, prompt_id, "greet v2", 1)
    label(client, prompt_id, 1)
    assert by_name(client, "greet")["content"] == "greet v1"
    hits = events("hit")
    assert by_name(client, "greet")["content"] == "greet v1"
    assert events("hit") == hits + 1
    label(client, prompt_id, 2)
    assert by_name(client, "greet")["content"] == "greet v2"


def test_a_cached_prompt_keeps_its_etag_and_answers_like_the_uncached_one(
    client: TestClient,
) -> None:
    prompt_id = create(client, "greet", tags=["demo"])
    first = client.get(f"{API}/prompts/{prompt_id}")
    second = client.get(f"{API}/prompts/{prompt_id}")
    assert first.headers["etag"] == second.headers["etag"] == '"1"'
    assert first.json() == second.json()
    assert second.headers["content-type"] == "application/json"
    edit(client, prompt_id, "greet v2", 1)
    assert client.get(f"{API}/prompts/{prompt_id}").headers["etag"] == '"2"'


Write = Callable[[TestClient, str], None]


def _status(client: TestClient, prompt_id: str) -> None:
    response = client.post(f"{API}/prompts/{prompt_id}/status", json={"status": "active"})
    assert response.status_code == 200, response.text


def _rollback(client: TestClient, prompt_id: str) -> None:
    response = client.post(f"{API}/prompts/{prompt_id}/rollback", json={"version": 1})
    assert response.status_code == 200, response.text


def _remove_label(client: TestClient, prompt_id: str) -> None:
    response = client.delete(f"{API}/prompts/{prompt_id}/labels/production")
    assert response.status_code == 204, response.text


def _delete(client: TestClient, prompt_id: str) -> None:
    assert client.delete(f"{API}/prompts/{prompt_id}").status_code == 204


def _delete_version(client: TestClient, _prompt_id: str) -> None:
    """Through the Langfuse-compatible API, which shares the prompt services."""
    assert client.delete("/api/public/v2/prompts/greet", params={"version": 2}).status_code == 204


def _import(client: TestClient, _prompt_id: str) -> None:
    body = '{"name": "greet", "title": "greet", "content": "imported"}\n'
    response = client.post(
        f"{API}/prompts:import", content=body, headers={"content-type": "application/x-ndjson"}
    )
    assert response.status_code == 200, response.text


def _tag(client: TestClient, prompt_id: str) -> None:
    response = client.patch(f"{API}/prompts/{prompt_id}", json={"tags": ["x"], "base_version": 2})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "write",
    [_status, _rollback, _remove_label, _delete, _delete_version, _import, _tag],
)
def test_every_prompt_write_is_seen_by_the_next_read(
    file_container: Container, client: TestClient, write: Write
) -> None:
    container = file_container
    """Each read is made twice before the write (the second a hit), then once after it."""
    prompt_id = create(client, "greet")
    edit(client, prompt_id, "greet v2", 1)
    label(client, prompt_id, 2)

    def reads() -> tuple[Any, ...]:
        detail = client.get(f"{API}/prompts/{prompt_id}")
        listing = client.get(f"{API}/prompts").json()["items"]
        return (
            detail.json() if detail.status_code == 200 else detail.status_code,
            by_name(client, "greet"),
            [(p["id"], p["version"], p["status"], p["tags"], p["labels"]) for p in listing],
        )

    before = reads()
    assert reads() == before
    write(client, prompt_id)
    after = reads()
    container.cache.clear()
    truth = reads()  # from the database
    assert truth != before  # the write changed what these reads show...
    assert after == truth  # ...and the first reads after it showed that already


@dataclasses.dataclass
class Keys:
    owner: Headers  # the default project
    sibling: Headers  # another project of the same organization


def bearer(container: Container, caller: Caller) -> Headers:
    made = container.database.run(
        lambda uow: service.create_key(uow, caller, KeyCreate(role="admin"))
    )
    return {"Authorization": f"Bearer {made.secret}"}


@pytest.fixture
def two_projects(file_container: Container) -> Iterator[tuple[TestClient, Keys]]:
    settings = file_container.settings.model_copy(update={"auth_mode": "required"})
    container = dataclasses.replace(file_container, settings=settings)
    sibling = container.database.run(
        lambda uow: service.create_project(uow, local_caller(), ProjectCreate(name="B"))
    )
    keys = Keys(
        owner=bearer(container, local_caller()),
        sibling=bearer(container, dataclasses.replace(local_caller(), project_id=sibling.id)),
    )
    with TestClient(create_app(container)) as test_client:
        yield test_client, keys


def test_one_name_in_two_projects_is_cached_apart(two_projects: tuple[TestClient, Keys]) -> None:
    client, keys = two_projects
    for headers, content in ((keys.owner, "ours"), (keys.sibling, "theirs")):
        prompt_id = create(client, "greet", headers, content=content)
        label(client, prompt_id, 1, headers)
    for _ in range(2):
        assert by_name(client, "greet", keys.owner)["content"] == "ours"
        assert by_name(client, "greet", keys.sibling)["content"] == "theirs"


def test_a_prompt_another_project_shares_is_never_served_stale(
    two_projects: tuple[TestClient, Keys],
) -> None:
    client, keys = two_projects
    prompt_id = create(client, "house-style", keys.owner, visibility="shared")
    edit_response = client.patch(
        f"{API}/prompts/{prompt_id}",
        json={"content": "house-style v2", "base_version": 1},
        headers=keys.owner,
    )
    assert edit_response.status_code == 200
    label(client, prompt_id, 1, keys.owner)
    for version in (2, 1, 2):
        assert by_name(client, "house-style", keys.sibling)["version"] != version
        label(client, prompt_id, version, keys.owner)
        assert by_name(client, "house-style", keys.sibling)["version"] == version
        detail = client.get(f"{API}/prompts/{prompt_id}", headers=keys.sibling).json()
        assert detail["labels"]["production"] == version
    private = client.patch(
        f"{API}/prompts/{prompt_id}",
        json={"visibility": "private", "base_version": 2},
        headers=keys.owner,
    )
    assert private.status_code == 200, private.text
    assert by_name(client, "house-style", keys.sibling) == 404
    assert client.get(f"{API}/prompts/{prompt_id}", headers=keys.sibling).status_code == 404


def test_template_listings_are_cached_and_follow_every_template_write(
    client: TestClient,
) -> None:
    def listing() -> list[tuple[str, int]]:
        response = client.get(f"{API}/templates")
        assert response.status_code == 200, response.text
        return [(t["name"], t["usage_count"]) for t in response.json()["items"]]

    hits = events("hit", "templates")
    assert listing() == listing() == []
    assert events("hit", "templates") == hits + 1
    created = client.post(
        f"{API}/templates",
        json={
            "name": "hello",
            "content": "Hello {{who}}",
            "parameters": [{"name": "who", "type": "str"}],
        },
    )
    assert created.status_code == 201, created.text
    assert listing() == [("hello", 0)]
    rendered = client.post(
        f"{API}/templates/{created.json()['id']}/render", json={"variables": {"who": "you"}}
    )
    assert rendered.status_code == 200, rendered.text
    assert listing() == [("hello", 1)]
    assert client.delete(f"{API}/templates/{created.json()['id']}").status_code == 204
    assert listing() == []


def test_results_are_kept_once_the_evaluation_completed_and_dropped_with_its_prompt(
    file_container: Container, client: TestClient
) -> None:
    prompt_id = create(client, "graded")

    def seed(uow: UnitOfWork) -> str:
        evaluation = EvaluationRow(
            project_id=uow.scope.project_id if uow.scope else "",
            prompt_id=prompt_id,
            prompt_version=1,
            status="running",
            provider="fake",
            model="fake",
        )
        uow.session.add(evaluation)
        uow.session.flush()
        uow.session.add(
            ResultRow(evaluation_id=evaluation.id, test_case_name="a", score=1.0, passed=True)
        )
        return evaluation.id

    evaluation_id = file_container.database.run(seed, scope=reading(DEFAULT_PROJECT_ID))
    url = f"{API}/evaluations/{evaluation_id}/results"

    def add_case(name: str) -> None:
        def work(uow: UnitOfWork) -> None:
            uow.session.add(
                ResultRow(evaluation_id=evaluation_id, test_case_name=name, score=0.0, passed=False)
            )

        file_container.database.run(work)

    def cases() -> list[str]:
        response = client.get(url)
        assert response.status_code == 200, response.text
        return [r["test_case_name"] for r in response.json()["items"]]

    assert cases() == ["a"]
    add_case("b")  # a running evaluation's results were not kept: the next read sees b
    assert cases() == ["a", "b"]

    def complete(uow: UnitOfWork) -> None:
        row = uow.session.get(EvaluationRow, evaluation_id)
        assert row is not None
        row.status = "completed"

    file_container.database.run(complete)
    assert cases() == ["a", "b"]
    add_case("c")  # behind the services' back: a completed evaluation's page is kept
    assert cases() == ["a", "b"]
    assert client.delete(f"{API}/prompts/{prompt_id}", params={"hard": "true"}).status_code == 204
    assert client.get(url).status_code == 404


def test_the_langfuse_fetch_is_cached_and_sees_a_label_moved_through_either_api(
    client: TestClient,
) -> None:
    prompt_id = create(client, "greet")
    edit(client, prompt_id, "greet v2", 1)
    label(client, prompt_id, 1)

    def fetched() -> Any:
        response = client.get("/api/public/v2/prompts/greet")  # `production` by default
        assert response.status_code == 200, response.text
        body = response.json()
        return body["version"], body["prompt"], body["labels"]

    assert fetched() == (1, "greet v1", ["production"])
    hits = events("hit")
    assert fetched() == (1, "greet v1", ["production"])
    assert events("hit") == hits + 1
    moved = client.patch(
        "/api/public/v2/prompts/greet/versions/2", json={"newLabels": ["production"]}
    )
    assert moved.status_code == 200, moved.text
    assert fetched() == (2, "greet v2", ["latest", "production"])
    label(client, prompt_id, 1)
    assert fetched() == (1, "greet v1", ["production"])
