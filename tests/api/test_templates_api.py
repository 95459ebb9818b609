"""`/api/v1/templates` over HTTP: definitions checked, renders that name each bad variable."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from autoforge.app import create_app
from autoforge.bootstrap import Container

API = "/api/v1"
PROBLEM = "application/problem+json"
SUPPORT = {
    "name": "support-answer",
    "content": "Answer {{question}} about {{product}} in {{max_words}} words, {{tone}}.",
    "category": "support",
    "parameters": [
        {"name": "question"},
        {"name": "product", "type": "str"},
        {"name": "max_words", "type": "int", "required": False, "default": 100},
        {"name": "tone", "required": False, "default": "kindly"},
    ],
}


@pytest.fixture
def client(file_container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(file_container)) as test_client:
        yield test_client


@pytest.fixture
def template_id(client: TestClient) -> str:
    response = client.post(f"{API}/templates", json=SUPPORT)
    assert response.status_code == 201, response.text
    created: str = response.json()["id"]
    return created


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    return body


def render(client: TestClient, template_id: str, variables: dict[str, Any]) -> Any:
    return client.post(f"{API}/templates/{template_id}/render", json={"variables": variables})


def test_create_lists_variables_and_starts_unused(client: TestClient, template_id: str) -> None:
    body = client.get(f"{API}/templates/{template_id}").json()
    assert body["variables"] == ["question", "product", "max_words", "tone"]
    assert body["usage_count"] == 0


def test_render_fills_defaults_and_counts_each_use(client: TestClient, template_id: str) -> None:
    first = render(client, template_id, {"question": "login?", "product": "Forge"})
    assert first.json() == {
        "template_id": template_id,
        "content": "Answer login? about Forge in 100 words, kindly.",
        "usage_count": 1,
    }
    second = render(client, template_id, {"question": "q", "product": "p", "max_words": 5})
    assert second.json()["usage_count"] == 2
    assert client.get(f"{API}/templates/{template_id}").json()["usage_count"] == 2


@pytest.mark.parametrize(
    ("variables", "field", "fragment"),
    [
        ({"product": "Forge"}, "variables.question", "required variable 'question' is missing"),
        ({"question": "q", "product": "p", "mood": "x"}, "variables.mood", "unknown variable"),
        ({"question": "q", "product": "p", "max_words": "ten"}, "variables.max_words", "int"),
    ],
)
def test_bad_variables_are_422s_that_name_the_variable(
    client: TestClient, template_id: str, variables: dict[str, Any], field: str, fragment: str
) -> None:
    body = problem(render(client, template_id, variables), 422)
    errors = {e["field"]: e["message"] for e in body["errors"]}
    assert fragment in errors[field]
    assert field.split(".")[1] in body["detail"]
    assert client.get(f"{API}/templates/{template_id}").json()["usage_count"] == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"content": "{{undeclared}}", "parameters": []}, "parameters.undeclared"),
        ({"parameters": [{"name": "extra"}]}, "parameters.extra"),
        (
            {"content": "{{n}}", "parameters": [{"name": "n", "type": "int", "default": 1}]},
            "parameters.n",
        ),
        ({"parameters": [{"name": "bad name"}]}, "parameters.0.name"),
        ({"parameters": [{"name": "x", "type": "date"}]}, "parameters.0.type"),
    ],
)
def test_inconsistent_definitions_are_422s(
    client: TestClient, changes: dict[str, Any], field: str
) -> None:
    body = {"name": "t", "content": "{{a}}", "parameters": [{"name": "a"}], **changes}
    errors = problem(client.post(f"{API}/templates", json=body), 422)["errors"]
    assert field in [e["field"] for e in errors], errors


def test_names_are_unique_per_owner(client: TestClient, template_id: str) -> None:
    assert "already exists" in problem(client.post(f"{API}/templates", json=SUPPORT), 409)["detail"]


def test_update_is_checked_against_the_resulting_template(
    client: TestClient, template_id: str
) -> None:
    url = f"{API}/templates/{template_id}"
    problem(client.patch(url, json={"content": "only {{question}}"}), 422)
    changed = client.patch(url, json={"description": "Answers customers", "category": "care"})
    assert (changed.json()["description"], changed.json()["category"]) == (
        "Answers customers",
        "care",
    )
    assert client.get(url).json()["content"] == SUPPORT["content"]


def test_list_by_category_with_cursor(client: TestClient, template_id: str) -> None:
    for i in range(3):
        body = {"name": f"misc{i}", "content": "plain", "category": "misc"}
        assert client.post(f"{API}/templates", json=body).status_code == 201
    first = client.get(f"{API}/templates", params={"category": "misc", "limit": 2}).json()
    assert [t["name"] for t in first["items"]] == ["misc2", "misc1"]
    rest = client.get(
        f"{API}/templates", params={"category": "misc", "cursor": first["next_cursor"]}
    ).json()
    assert ([t["name"] for t in rest["items"]], rest["next_cursor"]) == (["misc0"], None)


def test_prompt_from_template_and_template_deletion(client: TestClient, template_id: str) -> None:
    body = {
        "name": "faq",
        "title": "FAQ",
        "template_id": template_id,
        "variables": {"question": "refunds?", "product": "Forge"},
    }
    prompt = client.post(f"{API}/prompts", json=body).json()
    assert prompt["content"] == "Answer refunds? about Forge in 100 words, kindly."
    bad = {**body, "name": "faq2", "variables": {"product": "Forge"}}
    errors = problem(client.post(f"{API}/prompts", json=bad), 422)["errors"]
    assert errors[0]["field"] == "variables.question"
    both = {**body, "name": "faq3", "content": "also content"}
    problem(client.post(f"{API}/prompts", json=both), 422)
    assert client.delete(f"{API}/templates/{template_id}").status_code == 204
    problem(client.get(f"{API}/templates/{template_id}"), 404)
    kept = client.get(f"{API}/prompts/{prompt['id']}").json()
    assert (kept["content"], kept["template_id"]) == (prompt["content"], None)


def test_missing_template_is_404_problem(client: TestClient) -> None:
    problem(render(client, "no-such-template", {}), 404)
