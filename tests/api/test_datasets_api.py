"""`/api/v1/datasets` over HTTP on a real libSQL file: status codes, problem+json, paging."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from autoforge.app import create_app
from autoforge.audit.models import AuditEntryRow
from autoforge.bootstrap import Container
from autoforge.datasets import service
from autoforge.datasets.schemas import DatasetCreate, DatasetItemIn
from autoforge.identity.caller import LOCAL_USER_ID

API = "/api/v1"
PROBLEM = "application/problem+json"
TEXT = {"content-type": "text/plain"}
CSV = {"content-type": "text/csv"}
JSON = {"content-type": "application/json"}


@pytest.fixture
def client(file_container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(file_container)) as test_client:
        yield test_client


def create(client: TestClient, name: str, **fields: Any) -> dict[str, Any]:
    response = client.post(f"{API}/datasets", json={"name": name, **fields})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def texts(client: TestClient, dataset_id: str, version: int) -> list[str]:
    page = client.get(f"{API}/datasets/{dataset_id}/versions/{version}/items").json()
    return [item["input"]["text"] for item in page["items"]]


def test_create_get_and_by_name(client: TestClient) -> None:
    items = [
        {"name": "pos", "input": {"text": "Love it"}, "expected": "positive"},
        {"input": {"text": "Hate it"}, "metadata": {"difficulty": "easy", "source": "me"}},
    ]
    created = create(client, "sentiment", description="reviews", items=items)
    assert (created["latest_version"], created["latest"]["item_count"]) == (1, 2)
    fetched = client.get(f"{API}/datasets/{created['id']}").json()
    assert fetched == created
    assert client.get(f"{API}/datasets/by-name/sentiment").json()["id"] == created["id"]
    page = client.get(f"{API}/datasets/{created['id']}/versions/1/items").json()
    second = page["items"][1]
    assert (second["name"], second["position"], second["expected"]) == ("case-0002", 1, None)
    assert second["metadata"]["difficulty"] == "easy"
    assert second["metadata"]["source"] == "me"  # other metadata keys are kept


def test_create_without_items_has_no_latest_version(client: TestClient) -> None:
    created = create(client, "later")
    assert (created["latest_version"], created["latest"]) == (0, None)
    body = problem(client.get(f"{API}/datasets/{created['id']}/versions/1/items"), 404)
    assert "no version yet" in body["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "has space"}, "name"),
        ({"name": "ok", "items": [{"expected": "x"}]}, "items.0.input"),
        ({"name": "ok", "items": [{"input": {}, "name": ""}]}, "items.0.name"),
        ({"name": "ok", "items": [{"input": {}, "expected": "a\u0000b"}]}, "items.0.expected"),
        ({"name": "ok", "items": [{"input": {"t": "\ud800"}}]}, "items.0.input"),
        ({"name": "ok", "items": [{"input": {}, "metadata": {"difficulty": "x"}}]}, "items.0"),
        ({"name": "ok", "colour": "red"}, "colour"),
    ],
)
def test_invalid_create_is_a_422_naming_the_field(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    # Sent as ASCII JSON: a lone surrogate travels as the escape `\ud800`.
    sent = client.post(f"{API}/datasets", content=json.dumps(body), headers=JSON)
    errors = problem(sent, 422)["errors"]
    assert any(e["field"].startswith(field) for e in errors), errors
    assert client.get(f"{API}/datasets").json()["items"] == []


def test_duplicate_names_are_rejected(client: TestClient) -> None:
    items = [{"name": "a", "input": {}}, {"name": "a", "input": {}}]
    body = problem(client.post(f"{API}/datasets", json={"name": "d", "items": items}), 422)
    assert body["errors"] == [{"field": "items.1", "message": "name 'a' already used by items.0"}]
    create(client, "d")
    assert (
        "already exists"
        in problem(client.post(f"{API}/datasets", json={"name": "d"}), 409)["detail"]
    )


def test_versions_append_and_replace(client: TestClient) -> None:
    dataset_id = create(client, "d", items=[{"input": {"text": "one"}}])["id"]
    url = f"{API}/datasets/{dataset_id}/versions"
    appended = client.post(url, json={"mode": "append", "items": [{"input": {"text": "two"}}]})
    assert (appended.status_code, appended.json()["version"]) == (201, 2)
    replaced = client.post(url, json={"items": [{"input": {"text": "new"}}], "note": "reset"})
    assert (replaced.json()["version"], replaced.json()["item_count"]) == (3, 1)
    assert texts(client, dataset_id, 1) == ["one"]
    assert texts(client, dataset_id, 2) == ["one", "two"]
    assert texts(client, dataset_id, 3) == ["new"]
    versions = client.get(url).json()
    assert [(v["version"], v["note"]) for v in versions["items"]] == [
        (3, "reset"),
        (2, None),
        (1, None),
    ]
    clash = client.post(url, json={"mode": "append", "items": [{"name": "case-0001", "input": {}}]})
    assert problem(clash, 422)["errors"][0]["field"] == "items.0"
    problem(client.post(url, json={"mode": "append", "items": []}), 422)
    assert client.get(f"{API}/datasets/{dataset_id}").json()["latest_version"] == 3


def test_items_paging(client: TestClient) -> None:
    dataset_id = create(client, "d", items=[{"input": {"text": str(n)}} for n in range(5)])["id"]
    url = f"{API}/datasets/{dataset_id}/versions/1/items"
    first = client.get(url, params={"limit": 2}).json()
    assert (first["total"], first["next_offset"]) == (5, 2)
    last = client.get(url, params={"offset": 4, "limit": 2}).json()
    assert ([i["input"]["text"] for i in last["items"]], last["next_offset"]) == (["4"], None)
    problem(client.get(url, params={"limit": 0}), 422)
    problem(client.get(f"{API}/datasets/{dataset_id}/versions/2/items"), 404)


def test_list_follows_the_cursor(client: TestClient) -> None:
    for n in range(3):
        create(client, f"d{n}")
    names, cursor = [], None
    while True:
        page = client.get(f"{API}/datasets", params={"limit": 2, "cursor": cursor}).json()
        names += [d["name"] for d in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert names == ["d2", "d1", "d0"]
    problem(client.get(f"{API}/datasets", params={"cursor": "garbage"}), 422)


def test_import_jsonl_and_csv(client: TestClient) -> None:
    dataset_id = create(client, "d")["id"]
    url = f"{API}/datasets/{dataset_id}:import"
    jsonl = '{"input": {"text": "a"}, "expected": "x"}\n{"name": "b", "input": {"text": "b"}}\n'
    imported = client.post(url, content=jsonl, headers=TEXT)
    assert (imported.status_code, imported.json()["version"]) == (201, 1)
    csv_text = "name,text,expected,difficulty\nc,c,z,hard\n"
    appended = client.post(
        url, content=csv_text, headers=CSV, params={"format": "csv", "mode": "append"}
    )
    assert (appended.json()["version"], appended.json()["item_count"]) == (2, 3)
    page = client.get(f"{API}/datasets/{dataset_id}/versions/2/items").json()
    assert [(i["name"], i["expected"]) for i in page["items"]] == [
        ("case-0001", "x"),
        ("b", None),
        ("c", "z"),
    ]
    assert page["items"][2]["metadata"]["difficulty"] == "hard"
    ndjson = client.post(url, content=jsonl, headers={"content-type": "application/x-ndjson"})
    assert ndjson.json()["version"] == 3


def test_a_bad_import_line_writes_nothing(client: TestClient) -> None:
    dataset_id = create(client, "d", items=[{"input": {"text": "keep"}}])["id"]
    url = f"{API}/datasets/{dataset_id}:import"
    body = '{"input": {"text": "ok"}}\n{"input": 5}\n{"input": {}, "expected": 7}\n'
    errors = problem(client.post(url, content=body, headers=TEXT), 422)
    assert [e["field"] for e in errors["errors"]] == ["line 2", "line 3"]
    assert "2 of 3 lines rejected" in errors["detail"]
    bad_csv = "text,expected\nfine,x\nbroken\n"
    errors = problem(client.post(url, content=bad_csv, headers=CSV, params={"format": "csv"}), 422)
    assert errors["errors"] == [{"field": "line 3", "message": "has 1 fields, the header has 2"}]
    assert client.get(f"{API}/datasets/{dataset_id}").json()["latest_version"] == 1
    assert texts(client, dataset_id, 1) == ["keep"]


def test_import_refuses_other_media_types_and_unknown_datasets(client: TestClient) -> None:
    dataset_id = create(client, "d")["id"]
    url = f"{API}/datasets/{dataset_id}:import"
    problem(client.post(url, content="{}", headers={"content-type": "application/json"}), 415)
    problem(client.post(url, content=b"\xff\xfe", headers=TEXT), 422)
    too_big = {**TEXT, "content-length": str(10**12)}
    problem(client.post(url, content=b"", headers=too_big), 413)
    problem(client.post(url, content="{}", headers=TEXT, params={"format": "xml"}), 422)
    problem(client.post(f"{API}/datasets/nope:import", content="", headers=TEXT), 404)


def test_install_examples_is_idempotent(client: TestClient) -> None:
    first = client.post(f"{API}/datasets:install-examples")
    assert first.status_code == 200
    assert set(first.json()["created"]) == {
        *("sentiment", "extraction", "arithmetic"),
        *("sentiment-classifier", "person-extractor", "arithmetic-solver"),
    }
    datasets = client.get(f"{API}/datasets").json()["items"]
    assert sorted((d["name"], d["latest"]["item_count"] >= 40) for d in datasets) == [
        ("arithmetic", True),
        ("extraction", True),
        ("sentiment", True),
    ]
    prompt = client.get(f"{API}/prompts/by-name/person-extractor", params={"label": "production"})
    assert (prompt.json()["version"], prompt.json()["status"]) == (1, "active")
    assert client.post(f"{API}/datasets:install-examples").json() == {"created": []}


def test_delete_and_owner_scoping(client: TestClient, file_container: Container) -> None:
    data = DatasetCreate(name="bobs", items=[DatasetItemIn(input={"text": "secret"})])
    with file_container.database.transaction() as uow:
        bobs = service.create_dataset(uow, "bob", data)
    problem(client.get(f"{API}/datasets/{bobs.id}"), 404)
    problem(client.get(f"{API}/datasets/by-name/bobs"), 404)
    problem(client.get(f"{API}/datasets/{bobs.id}/versions/1/items"), 404)
    problem(client.delete(f"{API}/datasets/{bobs.id}"), 404)
    assert client.get(f"{API}/datasets").json()["items"] == []

    mine = create(client, "mine", items=[{"input": {}}])["id"]
    assert client.delete(f"{API}/datasets/{mine}").status_code == 204
    problem(client.get(f"{API}/datasets/{mine}"), 404)
    with file_container.database.transaction(read_only=True) as uow:
        audited = uow.session.execute(
            select(AuditEntryRow.entity_type, AuditEntryRow.action, AuditEntryRow.actor)
        ).all()
    user = LOCAL_USER_ID
    assert ("dataset", "delete", user) in audited
    assert ("dataset_version", "create", user) in audited


def test_a_version_exports_as_jsonl_and_csv_that_import_back_the_same(client: TestClient) -> None:
    items = [
        {
            "name": "first",
            "input": {"text": "a, with a comma", "lang": "en"},
            "expected": "x",
            "metadata": {"category": "greeting", "difficulty": "hard", "features_tested": ["a"]},
        },
        {"name": "second", "input": {"text": 'b "quoted"\nsecond line'}, "expected": None},
        {"name": "third", "input": {"text": "c", "tone": "dry"}, "expected": "z"},
    ]
    dataset_id = create(client, "d", items=items)["id"]
    url = f"{API}/datasets/{dataset_id}/versions/1/items:export"

    jsonl = client.get(url)
    assert jsonl.headers["content-type"] == "application/x-ndjson"
    assert 'filename="dataset-' in jsonl.headers["content-disposition"]
    records = [orjson.loads(line) for line in jsonl.text.splitlines()]
    assert [r["name"] for r in records] == ["first", "second", "third"]
    assert records[0]["metadata"] == items[0]["metadata"]
    assert records[1]["input"] == items[1]["input"]

    csv_export = client.get(url, params={"format": "csv"})
    assert csv_export.headers["content-type"].startswith("text/csv")
    header = csv_export.text.splitlines()[0]
    # Every input variable is a column, in first-seen order, between name and expected.
    assert header == "name,text,lang,tone,expected,category,difficulty,features_tested"

    # Both exports import back into the same items: nothing was lost or reordered.
    again = create(client, "again")["id"]
    back_url = f"{API}/datasets/{again}:import"
    assert client.post(back_url, content=jsonl.content, headers=TEXT).status_code == 201
    params = {"format": "csv", "mode": "replace"}
    assert (
        client.post(back_url, content=csv_export.content, headers=CSV, params=params).json()[
            "version"
        ]
        == 2
    )
    original = client.get(f"{API}/datasets/{dataset_id}/versions/1/items").json()["items"]
    from_jsonl = client.get(f"{API}/datasets/{again}/versions/1/items").json()["items"]
    from_csv = client.get(f"{API}/datasets/{again}/versions/2/items").json()["items"]
    assert from_jsonl == original
    # CSV cells are text and an empty cell is no value: inputs a CSV row did not have
    # come back empty, as the importer reads them.
    assert [(i["name"], i["input"]["text"], i["expected"]) for i in from_csv] == [
        (i["name"], i["input"]["text"], i["expected"]) for i in original
    ]
    assert from_csv[0]["metadata"] == original[0]["metadata"]


def test_exporting_an_unknown_version_or_format_is_a_problem(client: TestClient) -> None:
    dataset_id = create(client, "d", items=[{"input": {"text": "a"}}])["id"]
    problem(client.get(f"{API}/datasets/{dataset_id}/versions/9/items:export"), 404)
    problem(client.get(f"{API}/datasets/nope/versions/1/items:export"), 404)
    url = f"{API}/datasets/{dataset_id}/versions/1/items:export"
    problem(client.get(url, params={"format": "xml"}), 422)
