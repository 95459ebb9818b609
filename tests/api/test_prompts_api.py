"""`/api/v1/prompts` over HTTP on a real libSQL file: status codes, problem+json, headers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from autoforge.app import create_app
from autoforge.audit.models import AuditEntryRow
from autoforge.bootstrap import Container
from autoforge.identity.caller import LOCAL_USER_ID
from tests.support.statements import recorded_statements

API = "/api/v1"
PROBLEM = "application/problem+json"
NDJSON = {"content-type": "application/x-ndjson"}


@pytest.fixture
def client(file_container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(file_container)) as test_client:
        yield test_client


def create(client: TestClient, name: str, **fields: Any) -> dict[str, Any]:
    body = {"name": name, "title": name.title(), "content": f"{name} v1", **fields}
    response = client.post(f"{API}/prompts", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def test_create_and_get_with_etag(client: TestClient) -> None:
    created = create(client, "greet", tags=["Demo"], metadata={"team": "care"})
    response = client.get(f"{API}/prompts/{created['id']}")
    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'
    body = response.json()
    assert (body["version"], body["tags"], body["metadata"]) == (1, ["demo"], {"team": "care"})


def test_duplicate_name_is_a_conflict(client: TestClient) -> None:
    create(client, "greet")
    body = problem(
        client.post(f"{API}/prompts", json={"name": "greet", "title": "x", "content": "y"}), 409
    )
    assert "already exists" in body["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "a b", "title": "t", "content": "c"}, "name"),
        ({"name": "ok", "title": "", "content": "c"}, "title"),
        ({"name": "ok", "title": "t"}, "request"),
        ({"name": "ok", "title": "t", "content": "c", "colour": "red"}, "colour"),
        ({"name": "ok", "title": "t", "content": "c", "status": "live"}, "status"),
        ({"name": "ok", "title": "t", "content": "c", "tags": ["no spaces"]}, "tags"),
        ({"name": "ok", "title": "t", "content": "cut\u0000here"}, "content"),
    ],
)
def test_invalid_create_is_a_422_naming_the_field(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    errors = problem(client.post(f"{API}/prompts", json=body), 422)["errors"]
    assert any(e["field"].startswith(field) for e in errors), errors


def test_update_with_if_match_and_stale_update_conflict(client: TestClient) -> None:
    prompt_id = create(client, "greet")["id"]
    url = f"{API}/prompts/{prompt_id}"
    first = client.patch(url, json={"content": "first"}, headers={"If-Match": '"1"'})
    assert (first.status_code, first.headers["etag"], first.json()["version"]) == (200, '"2"', 2)
    stale = problem(client.patch(url, json={"content": "second", "base_version": 1}), 409)
    assert stale["current_version"] == 2
    assert client.get(url).json()["content"] == "first"
    assert len(client.get(f"{url}/versions").json()["items"]) == 2


@pytest.mark.parametrize(
    ("headers", "body", "field"),
    [
        ({}, {"title": "x"}, "base_version"),
        ({"If-Match": "yesterday"}, {"title": "x"}, "If-Match"),
        ({"If-Match": '"2"'}, {"title": "x", "base_version": 1}, "base_version"),
        ({}, {"title": "x", "base_version": 10**30}, "base_version"),
    ],
)
def test_bad_base_versions_are_422s(
    client: TestClient, headers: dict[str, str], body: dict[str, Any], field: str
) -> None:
    prompt_id = create(client, "greet")["id"]
    response = client.patch(f"{API}/prompts/{prompt_id}", json=body, headers=headers)
    assert problem(response, 422)["errors"][0]["field"] == field


def test_lifecycle_transitions_and_409(client: TestClient) -> None:
    url = f"{API}/prompts/{create(client, 'greet')['id']}/status"
    assert client.post(url, json={"status": "active"}).json()["status"] == "active"
    body = problem(client.post(url, json={"status": "draft"}), 409)
    assert body["current_status"] == "active"
    assert client.post(url, json={"status": "archived"}).json()["status"] == "archived"


def test_versions_diff_and_rollback(client: TestClient) -> None:
    prompt_id = create(client, "greet", content="one\ntwo")["id"]
    url = f"{API}/prompts/{prompt_id}"
    client.patch(url, json={"content": "one\nthree", "base_version": 1})
    diff = client.get(f"{url}/diff", params={"from": 1, "to": 2}).json()["diff"]
    assert "-two\n+three\n" in diff
    rolled = client.post(f"{url}/rollback", json={"version": 1})
    assert (rolled.json()["version"], rolled.json()["content"]) == (3, "one\ntwo")
    assert client.get(f"{url}/versions/3").json()["change_note"] == "rollback to version 1"
    assert [v["version"] for v in client.get(f"{url}/versions").json()["items"]] == [3, 2, 1]
    problem(client.get(f"{url}/versions/9"), 404)
    problem(client.get(f"{url}/diff", params={"from": 1, "to": 9}), 404)
    problem(client.get(f"{url}/diff", params={"from": 0, "to": 1}), 422)


def test_version_pages(client: TestClient) -> None:
    url = f"{API}/prompts/{create(client, 'greet')['id']}"
    for version in range(1, 5):
        client.patch(url, json={"content": f"text {version}", "base_version": version})
    first = client.get(f"{url}/versions", params={"limit": 3}).json()
    assert ([v["version"] for v in first["items"]], first["next_before"]) == ([5, 4, 3], 3)
    rest = client.get(f"{url}/versions", params={"limit": 3, "before": 3}).json()
    assert ([v["version"] for v in rest["items"]], rest["next_before"]) == ([2, 1], None)


def test_labels_and_lookup_by_name(client: TestClient) -> None:
    prompt_id = create(client, "greet")["id"]
    url = f"{API}/prompts/{prompt_id}"
    client.patch(url, json={"content": "greet v2", "base_version": 1})
    label = client.put(f"{url}/labels/production", json={"version": 1})
    assert (label.status_code, label.json()["version"]) == (200, 1)
    live = client.get(f"{API}/prompts/by-name/greet", params={"label": "production"}).json()
    assert (live["version"], live["content"]) == (1, "greet v1")
    assert client.get(f"{API}/prompts/by-name/greet").json()["version"] == 2
    assert client.get(url).json()["labels"] == {"production": 1}
    versions = client.get(f"{url}/versions").json()["items"]
    assert [v["labels"] for v in versions] == [[], ["production"]]
    problem(client.put(f"{url}/labels/production", json={"version": 3}), 422)
    problem(client.put(f"{url}/labels/Prod", json={"version": 1}), 422)
    assert client.delete(f"{url}/labels/production").status_code == 204
    problem(client.get(f"{API}/prompts/by-name/greet", params={"label": "production"}), 404)
    problem(client.get(f"{API}/prompts/by-name/nobody"), 404)


def test_soft_delete_restore_hard_delete(client: TestClient) -> None:
    url = f"{API}/prompts/{create(client, 'greet')['id']}"
    assert client.delete(url).status_code == 204
    problem(client.get(url), 404)
    assert client.get(url, params={"include_deleted": True}).json()["deleted_at"] is not None
    assert client.post(f"{url}/restore").json()["deleted_at"] is None
    problem(client.post(f"{url}/restore"), 409)
    assert client.delete(url, params={"hard": True}).status_code == 204
    problem(client.get(url, params={"include_deleted": True}), 404)
    problem(client.delete(url), 404)


def test_list_filters_and_pagination(client: TestClient) -> None:
    for i in range(5):
        create(client, f"p{i}", tags=["even" if i % 2 == 0 else "odd"], content=f"body {i}")
    names = lambda **params: [  # noqa: E731
        p["name"] for p in client.get(f"{API}/prompts", params=params).json()["items"]
    ]
    assert names() == ["p4", "p3", "p2", "p1", "p0"]
    assert names(tag="odd") == ["p3", "p1"]
    assert names(tag=" ODD") == ["p3", "p1"]
    assert names(q="body 2") == ["p2"]
    assert names(status="active") == []
    page = client.get(f"{API}/prompts", params={"limit": 2}).json()
    following = client.get(f"{API}/prompts", params={"limit": 2, "cursor": page["next_cursor"]})
    assert [p["name"] for p in following.json()["items"]] == ["p2", "p1"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"cursor": "garbage"}, "cursor")],
)
def test_bad_list_parameters_are_422s(
    client: TestClient, params: dict[str, Any], field: str
) -> None:
    errors = problem(client.get(f"{API}/prompts", params=params), 422)["errors"]
    assert errors[0]["field"] == field


def test_each_list_page_is_one_query(client: TestClient, file_container: Container) -> None:
    for i in range(25):
        prompt_id = create(client, f"p{i:02}", tags=["a", "b"])["id"]
        client.put(f"{API}/prompts/{prompt_id}/labels/prod", json={"version": 1})
    cursor = None
    for _ in range(3):
        params = {"limit": 10, **({"cursor": cursor} if cursor else {})}
        with recorded_statements(file_container.database.engine) as statements:
            page = client.get(f"{API}/prompts", params=params).json()
        # The outbox relay and the embedding handler (similarity) run alongside.
        ours = [s for s in statements if "event_" not in s and "embedding" not in s]
        assert len(ours) == 1, ours
        assert all(p["tags"] == ["a", "b"] and p["labels"] == {"prod": 1} for p in page["items"])
        cursor = page["next_cursor"]
    assert cursor is None


def test_import_creates_and_updates(client: TestClient) -> None:
    create(client, "greet")
    lines = [
        {"name": "greet", "title": "Greet", "content": "greet v2"},
        {"name": "fresh", "title": "Fresh", "content": "hello", "tags": ["new"]},
    ]
    body = b"\n".join(orjson.dumps(line) for line in lines) + b"\n\n"
    response = client.post(f"{API}/prompts:import", content=body, headers=NDJSON)
    assert response.json() == {"total": 2, "created": 1, "updated": 1, "unchanged": 0}
    assert client.get(f"{API}/prompts/by-name/greet").json()["version"] == 2


def test_import_with_a_bad_line_writes_nothing(client: TestClient) -> None:
    body = '{"name": "good", "title": "Good", "content": "x"}\n{not json\n{"name": "x"}\n'
    errors = problem(client.post(f"{API}/prompts:import", content=body, headers=NDJSON), 422)
    assert [e["field"] for e in errors["errors"]] == ["line 2"]
    body = '{"name": "good", "title": "Good", "content": "x"}\n{"name": "x"}\n'
    errors = problem(client.post(f"{API}/prompts:import", content=body, headers=NDJSON), 422)
    assert [e["field"] for e in errors["errors"]] == ["line 2"]
    assert "content: Field required" in errors["errors"][0]["message"]
    assert client.get(f"{API}/prompts").json()["items"] == []


def test_import_keeps_big_integers_and_refuses_nan(client: TestClient) -> None:
    big = f'{{"name": "big", "title": "Big", "content": "x", "metadata": {{"n": {10**30}}}}}\n'
    assert client.post(f"{API}/prompts:import", content=big, headers=NDJSON).status_code == 200
    prompts = client.get(f"{API}/prompts").json()["items"]
    assert prompts[0]["metadata"] == {"n": 10**30}
    nan = '{"name": "nan", "title": "NaN", "content": "x", "metadata": {"n": NaN}}\n'
    errors = problem(client.post(f"{API}/prompts:import", content=nan, headers=NDJSON), 422)
    assert "NaN is not a JSON number" in errors["errors"][0]["message"]


def test_import_refuses_other_media_types_and_bad_encoding(client: TestClient) -> None:
    sent = client.post(f"{API}/prompts:import", content="{}", headers={"content-type": "text/csv"})
    problem(sent, 415)
    problem(client.post(f"{API}/prompts:import", content=b"\xff\xfe", headers=NDJSON), 422)
    too_big = {**NDJSON, "content-length": str(10**12)}
    problem(client.post(f"{API}/prompts:import", content=b"", headers=too_big), 413)


def test_export_jsonl_round_trips_through_import(client: TestClient) -> None:
    create(client, "greet", tags=["b", "a"], metadata={"k": [1]})
    create(client, "other", content='multi\nline "quoted"')
    exported = client.get(f"{API}/prompts:export")
    assert exported.headers["content-type"] == "application/x-ndjson"
    records = [orjson.loads(line) for line in exported.text.splitlines()]
    assert [(r["name"], r["tags"], r["metadata"]) for r in records] == [
        ("greet", ["a", "b"], {"k": [1]}),
        ("other", [], {}),
    ]
    assert records[1]["content"] == 'multi\nline "quoted"'
    again = client.post(f"{API}/prompts:import", content=exported.content, headers=NDJSON)
    assert again.json()["unchanged"] == 2


def test_export_csv(client: TestClient) -> None:
    create(client, "greet", tags=["b", "a"], content='comma, "quote"\nnewline')
    response = client.get(f"{API}/prompts:export", params={"format": "csv", "tag": "a"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["name"], r["tags"], r["content"]) for r in rows] == [
        ("greet", "a b", 'comma, "quote"\nnewline')
    ]
    problem(client.get(f"{API}/prompts:export", params={"format": "xml"}), 422)


def test_every_write_is_audited(client: TestClient, file_container: Container) -> None:
    url = f"{API}/prompts/{create(client, 'greet')['id']}"
    client.patch(url, json={"title": "New", "base_version": 1})
    client.post(f"{url}/status", json={"status": "active"})
    client.put(f"{url}/labels/production", json={"version": 2})
    client.post(f"{url}/rollback", json={"version": 1})
    client.delete(url)
    client.post(f"{url}/restore")
    with file_container.database.transaction(read_only=True) as uow:
        entries = uow.session.execute(
            select(AuditEntryRow.actor, AuditEntryRow.action).order_by(AuditEntryRow.occurred_at)
        ).all()
    assert [action for _, action in entries] == [
        *("create", "update", "status", "label", "rollback", "delete", "restore")
    ]
    assert {actor for actor, _ in entries} == {LOCAL_USER_ID}


def test_every_prompt_operation_is_documented(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operations = [
        (path, method, operation)
        for path, item in spec["paths"].items()
        if path.startswith(f"{API}/prompts") or path.startswith(f"{API}/templates")
        for method, operation in item.items()
    ]
    assert len(operations) >= 22
    for path, method, operation in operations:
        assert operation.get("description"), (method, path)
        problems = {
            code: response for code, response in operation["responses"].items() if code >= "400"
        }
        assert "422" in problems, (method, path)
        for response in problems.values():
            assert PROBLEM in response["content"], (method, path)
    schemas = spec["components"]["schemas"]
    for name in ("Prompt", "PromptCreate", "PromptUpdate", "Template", "ResolvedPrompt"):
        assert schemas[name].get("examples"), name


@pytest.mark.parametrize(
    "body",
    [
        '{"name": "s", "title": "t", "content": "bad \\ud800 text"}',
        '{"name": "s", "title": "t", "content": "ok", "metadata": {"k": "\\udfff"}}',
    ],
)
def test_lone_surrogates_are_a_422_not_a_server_error(client: TestClient, body: str) -> None:
    response = client.post(
        "/api/v1/prompts", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "lone surrogates" in response.text
    assert client.get("/api/v1/prompts").json()["items"] == []
