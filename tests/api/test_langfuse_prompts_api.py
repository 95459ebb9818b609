"""Langfuse's prompt API (`/api/public/...`) over HTTP on a real libSQL file: its shapes,
404s and problems, folder names sent URL-encoded, `latest`, pages and filters, deletes, and
one set of prompts seen through both this API and `/api/v1`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from autoforge.app import create_app
from autoforge.bootstrap import Container
from autoforge.identity.caller import DEFAULT_ORGANIZATION_ID, DEFAULT_PROJECT_ID

LF = "/api/public/v2/prompts"
API = "/api/v1"
PROBLEM = "application/problem+json"
CHAT = [
    {"role": "system", "content": "You are {{persona}}."},
    {"type": "placeholder", "name": "history"},
    {"role": "user", "content": "{{question}}"},
]


@pytest.fixture
def client(file_container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(file_container)) as test_client:
        yield test_client


def post(client: TestClient, name: str, prompt: Any = "Hello {{name}}", **fields: Any) -> Any:
    response = client.post(LF, json={"name": name, "prompt": prompt, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def get(client: TestClient, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def test_a_text_prompt_in_langfuse_shape_by_default_label_version_and_latest(
    client: TestClient,
) -> None:
    created = post(
        client,
        "greeting",
        "Hello {{name}}",
        type="text",
        config={"temperature": 0.2, "model": "gpt-4o-mini"},
        labels=["production"],
        tags=["demo"],
        commitMessage="first",
    )

    assert created == {
        "name": "greeting",
        "version": 1,
        "type": "text",
        "prompt": "Hello {{name}}",
        "config": {"temperature": 0.2, "model": "gpt-4o-mini"},
        "labels": ["latest", "production"],
        "tags": ["demo"],
        "commitMessage": "first",
    }
    assert get(client, f"{LF}/greeting") == created
    assert get(client, f"{LF}/greeting", version=1) == created
    assert get(client, f"{LF}/greeting", label="latest") == created
    assert get(client, f"{LF}/greeting", label="production", resolve="false") == created


def test_a_chat_prompt_keeps_its_messages_and_placeholders(client: TestClient) -> None:
    created = post(client, "assistant", CHAT, type="chat", labels=["production"])

    fetched = get(client, f"{LF}/assistant")
    assert (fetched["type"], fetched["prompt"], fetched["config"]) == ("chat", CHAT, {})
    assert fetched == created
    [version] = get(client, f"{API}/prompts/{prompt_id(client, 'assistant')}/versions")["items"]
    assert (version["kind"], version["config"]) == ("chat", {})


def prompt_id(client: TestClient, name: str) -> str:
    found: str = get(client, f"{API}/prompts/by-name/{name}")["prompt_id"]
    return found


def test_missing_prompts_versions_and_labels_are_404_problems(client: TestClient) -> None:
    post(client, "unlabelled")

    assert "not found" in problem(client.get(f"{LF}/nope"), 404)["detail"]
    # Nothing carries `production`, which a fetch without version or label asks for.
    assert "production" in problem(client.get(f"{LF}/unlabelled"), 404)["detail"]
    problem(client.get(f"{LF}/unlabelled", params={"label": "staging"}), 404)
    problem(client.get(f"{LF}/unlabelled", params={"version": 2}), 404)
    problem(client.patch(f"{LF}/nope/versions/1", json={"newLabels": ["a"]}), 404)
    problem(client.patch(f"{LF}/unlabelled/versions/2", json={"newLabels": ["a"]}), 404)
    problem(client.delete(f"{LF}/nope"), 404)


def test_latest_is_always_on_the_newest_version_and_labels_move(client: TestClient) -> None:
    post(client, "p", "one", labels=["production"])
    second = post(client, "p", "two", labels=["staging"], commitMessage="second")

    assert (second["version"], second["labels"]) == (2, ["latest", "staging"])
    assert get(client, f"{LF}/p")["labels"] == ["production"]
    moved = client.patch(f"{LF}/p/versions/2", json={"newLabels": ["production"]})
    assert moved.status_code == 200, moved.text
    assert moved.json()["labels"] == ["latest", "production", "staging"]
    assert get(client, f"{LF}/p", version=1)["labels"] == []
    # Our API sees the same labels, resolves `latest`, and refuses to set it.
    pid = prompt_id(client, "p")
    assert get(client, f"{API}/prompts/{pid}")["labels"] == {"production": 2, "staging": 2}
    assert get(client, f"{API}/prompts/by-name/p", label="latest")["version"] == 2
    detail = problem(client.put(f"{API}/prompts/{pid}/labels/latest", json={"version": 1}), 422)
    assert "latest" in detail["errors"][0]["message"]
    third = client.patch(f"{API}/prompts/{pid}", json={"content": "three", "base_version": 2})
    assert third.status_code == 200, third.text
    assert get(client, f"{LF}/p", label="latest")["prompt"] == "three"
    assert "latest" not in get(client, f"{LF}/p", version=2)["labels"]


def test_the_same_text_again_makes_no_new_version_but_takes_the_labels(
    client: TestClient,
) -> None:
    post(client, "same", "text")
    again = post(client, "same", "text", labels=["production"])

    assert (again["version"], again["labels"]) == (1, ["latest", "production"])
    changed = post(client, "same", "text", config={"temperature": 1})
    assert (changed["version"], changed["config"]) == (2, {"temperature": 1})


def test_folder_names_travel_url_encoded(client: TestClient) -> None:
    post(client, "team/support/reply", "Hi", labels=["production"])

    encoded = "team%2Fsupport%2Freply"
    assert get(client, f"{LF}/{encoded}")["name"] == "team/support/reply"
    assert get(client, f"{LF}/team/support/reply", version=1)["version"] == 1
    patched = client.patch(f"{LF}/{encoded}/versions/1", json={"newLabels": ["staging"]})
    assert patched.status_code == 200, patched.text
    assert get(client, f"{API}/prompts/by-name/{encoded}", label="staging")["content"] == "Hi"
    assert [p["name"] for p in get(client, LF, name="team/support/reply")["data"]] == [
        "team/support/reply"
    ]
    assert client.delete(f"{LF}/{encoded}").status_code == 204
    problem(client.get(f"{LF}/{encoded}"), 404)


def test_one_set_of_prompts_through_both_apis(client: TestClient) -> None:
    post(client, "from-langfuse", "Lf {{x}}", tags=["a"], commitMessage="made in langfuse")
    made = client.post(
        f"{API}/prompts",
        json={"name": "from-v1", "title": "From v1", "content": "Ours {{x}}", "tags": ["b"]},
    )
    assert made.status_code == 201, made.text

    ours = get(client, f"{API}/prompts/by-name/from-langfuse")
    assert (ours["title"], ours["content"], ours["status"]) == (
        "from-langfuse",
        "Lf {{x}}",
        "active",
    )
    [version] = get(client, f"{API}/prompts/{ours['prompt_id']}/versions")["items"]
    assert (version["change_note"], version["kind"]) == ("made in langfuse", "text")
    theirs = get(client, f"{LF}/from-v1", label="latest")
    assert (theirs["prompt"], theirs["tags"], theirs["config"]) == ("Ours {{x}}", ["b"], {})
    assert theirs["commitMessage"] is None
    # A Langfuse version of a prompt made here is the next version here.
    assert post(client, "from-v1", "Ours v2", labels=["production"])["version"] == 2
    assert get(client, f"{API}/prompts/{made.json()['id']}")["version"] == 2


def test_listing_pages_by_name_with_meta_and_filters(client: TestClient) -> None:
    for name in ("a", "b", "c", "d", "e"):
        post(client, name, f"{name} one", tags=["even" if name in "bd" else "odd"])
    post(client, "b", "b two", labels=["production"], config={"temperature": 0})

    first = get(client, LF, limit=2)
    assert first["meta"] == {"page": 1, "limit": 2, "totalItems": 5, "totalPages": 3}
    [a, b] = first["data"]
    assert (a["name"], a["versions"], a["labels"], a["type"]) == ("a", [1], ["latest"], "text")
    assert (b["versions"], b["labels"], b["lastConfig"]) == (
        [1, 2],
        ["latest", "production"],
        {"temperature": 0},
    )
    assert b["tags"] == ["even"]
    assert datetime.fromisoformat(b["lastUpdatedAt"]) > datetime.fromisoformat(a["lastUpdatedAt"])
    assert [p["name"] for p in get(client, LF, limit=2, page=3)["data"]] == ["e"]
    assert get(client, LF, limit=2, page=4)["data"] == []
    assert [p["name"] for p in get(client, LF, tag="even")["data"]] == ["b", "d"]
    labelled = get(client, LF, label="production")
    assert [(p["name"], p["versions"]) for p in labelled["data"]] == [("b", [2])]
    assert get(client, LF, label="latest")["meta"]["totalItems"] == 5
    assert get(client, LF, name="c")["meta"]["totalItems"] == 1
    assert get(client, LF, fromUpdatedAt="2999-01-01T00:00:00Z")["data"] == []


def test_deleting_a_version_a_label_or_the_whole_prompt(client: TestClient) -> None:
    post(client, "d", "one", labels=["production"])
    post(client, "d", "two")
    post(client, "d", "three")

    assert client.delete(f"{LF}/d", params={"version": 3}).status_code == 204
    assert get(client, f"{LF}/d", label="latest")["prompt"] == "two"
    assert client.delete(f"{LF}/d", params={"label": "production"}).status_code == 204
    assert [p["versions"] for p in get(client, LF, name="d")["data"]] == [[2]]
    problem(client.get(f"{LF}/d", params={"version": 1}), 404)
    # The next version takes the next number after the newest remaining one.
    assert post(client, "d", "again")["version"] == 3
    assert client.delete(f"{LF}/d").status_code == 204
    problem(client.get(f"{API}/prompts/by-name/d"), 404)
    assert post(client, "d", "fresh")["version"] == 1
    problem(client.delete(f"{LF}/d", params={"label": "staging"}), 404)
    # The only version takes the prompt with it.
    assert client.delete(f"{LF}/d", params={"version": 1}).status_code == 204
    assert get(client, LF, name="d")["data"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "prompt": "hi", "type": "chat"}, "list of messages"),
        ({"name": "x", "prompt": CHAT}, "type"),
        ({"name": "x", "prompt": [{"role": "user"}], "type": "chat"}, "content"),
        ({"name": "a//b", "prompt": "hi"}, "name"),
        ({"name": "/a", "prompt": "hi"}, "name"),
        ({"name": "x", "prompt": "hi", "labels": ["latest"]}, "latest"),
        ({"name": "x", "prompt": "hi", "labels": ["Not A Label"]}, "labels"),
        ({"name": "x", "prompt": "hi", "config": [1, 2]}, "config"),
        ({"name": "x", "prompt": ""}, "1 to"),
        ({"name": "x"}, "prompt"),
    ],
)
def test_bad_bodies_are_422_problems(client: TestClient, body: dict[str, Any], field: str) -> None:
    found = problem(client.post(LF, json=body), 422)

    assert field in found["detail"]
    problem(client.get(f"{LF}/x"), 404)


def test_bad_queries_and_label_updates_are_422_problems(client: TestClient) -> None:
    post(client, "q", "hi")

    both = problem(client.get(f"{LF}/q", params={"version": 1, "label": "production"}), 422)
    assert "not both" in both["detail"]
    problem(client.patch(f"{LF}/q/versions/1", json={"newLabels": ["latest"]}), 422)
    problem(client.patch(f"{LF}/q/versions/1", json={"labels": ["x"]}), 422)
    problem(client.get(LF, params={"page": 0}), 422)
    problem(client.get(f"{LF}/q", params={"version": "one"}), 422)


def test_projects_names_the_callers_project(client: TestClient) -> None:
    [project] = get(client, "/api/public/projects")["data"]

    assert project == {
        "id": DEFAULT_PROJECT_ID,
        "name": "Default",
        "organization": {"id": DEFAULT_ORGANIZATION_ID, "name": "Default"},
        "metadata": {},
    }


def test_our_api_keeps_kind_and_config_per_version(client: TestClient) -> None:
    chat = '[{"role": "user", "content": "{{q}}"}]'
    made = client.post(
        f"{API}/prompts",
        json={"name": "c", "title": "C", "content": chat, "kind": "chat", "config": {"t": 1}},
    )
    assert made.status_code == 201, made.text
    pid = made.json()["id"]

    # A config change alone is a version, and the kind carries over.
    edited = client.patch(f"{API}/prompts/{pid}", json={"config": {"t": 2}, "base_version": 1})
    assert edited.json()["version"] == 2
    assert get(client, f"{LF}/c", version=2)["config"] == {"t": 2}
    assert get(client, f"{LF}/c", version=2)["prompt"] == [{"role": "user", "content": "{{q}}"}]
    rolled = client.post(f"{API}/prompts/{pid}/rollback", json={"version": 1})
    assert rolled.json()["version"] == 3
    back = get(client, f"{API}/prompts/{pid}/versions/3")
    assert (back["kind"], back["config"]) == ("chat", {"t": 1})
    bad = {"name": "n", "title": "N", "content": "not json", "kind": "chat"}
    assert "JSON list" in problem(client.post(f"{API}/prompts", json=bad), 422)["detail"]
    as_text = client.patch(f"{API}/prompts/{pid}", json={"kind": "text", "base_version": 3})
    assert as_text.json()["version"] == 4
    assert get(client, f"{LF}/c", label="latest")["type"] == "text"
    to_chat = {"content": "plain", "kind": "chat", "base_version": 4}
    assert "JSON list" in problem(client.patch(f"{API}/prompts/{pid}", json=to_chat), 422)["detail"]
    assert get(client, f"{API}/prompts/{pid}")["version"] == 4
