"""`POST /api/v1/promptfoo:import` over HTTP on a real libSQL file."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from autoforge.app import create_app
from autoforge.bootstrap import Container

URL = "/api/v1/promptfoo:import"
PROBLEM = "application/problem+json"
CONFIG = """
prompts: [file://prompt.txt]
defaultTest:
  assert: [{type: icontains, value: "{{answer}}"}]
tests: file://cases.csv
"""


@pytest.fixture
def client(file_container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(file_container)) as test_client:
        yield test_client


def test_an_upload_with_its_files_creates_prompt_dataset_and_scoring(client: TestClient) -> None:
    files = {
        "prompt.txt": "Capital of {{country}}?",
        "cases.csv": "country,answer\nFrance,Paris\nJapan,Tokyo\n",
    }

    response = client.post(URL, json={"name": "capitals", "config": CONFIG, "files": files})

    assert response.status_code == 201, response.text
    report = response.json()
    assert report["unsupported"] == []
    assert [p["name"] for p in report["prompts"]] == ["capitals"]
    assert report["assertions"]["assertions"][0]["type"] == "icontains"
    prompt = client.get("/api/v1/prompts/by-name/capitals").json()
    assert prompt["content"] == "Capital of {{country}}?"
    dataset = client.get(f"/api/v1/datasets/{report['dataset_id']}/versions/1/items").json()
    assert [(i["input"], i["expected"]) for i in dataset["items"]] == [
        ({"country": "France", "answer": "Paris"}, "Paris"),
        ({"country": "Japan", "answer": "Tokyo"}, "Tokyo"),
    ]


def test_references_without_uploaded_files_are_listed(client: TestClient) -> None:
    config = "prompts: ['Hi {{x}}', 'file://other.txt']\ntests: [{vars: {x: 1}}]\n"

    response = client.post(URL, json={"name": "partial", "config": config})

    assert response.status_code == 201, response.text
    assert response.json()["unsupported"] == [
        "prompts[1]: cannot read file://other.txt: other.txt was not uploaded with the config"
    ]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"name": "x", "config": "just text"}, "YAML mapping"),
        ({"name": "x", "config": "prompts: [{raw: 1}]\n"}, "no prompt that can be imported"),
        ({"name": "x", "config": "a: [unclosed"}, "not valid YAML"),
        ({"name": "x", "config": "a: &a [*a]"}, "once aliases are expanded"),
        ({"name": "bad name!", "config": "prompts: [hi]"}, "name"),
    ],
)
def test_bad_configs_are_422_problems(
    client: TestClient, body: dict[str, str], detail: str
) -> None:
    response = client.post(URL, json=body)

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert detail in response.text


def test_a_taken_dataset_name_is_409_and_no_prompt_is_left(client: TestClient) -> None:
    assert client.post("/api/v1/datasets", json={"name": "solo"}).status_code == 201
    body = {"name": "solo", "config": "prompts: ['Hi {{x}}']\ntests: [{vars: {x: 1}}]\n"}

    response = client.post(URL, json=body)

    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM
    assert client.get("/api/v1/prompts/by-name/solo").status_code == 404


def test_what_our_schemas_refuse_is_a_422_and_odd_metadata_is_kept_nested(
    client: TestClient,
) -> None:
    two_prompts = "prompts: [a, b]\ntests: [{vars: {x: 1}}]\n"
    long_name = "n" * 199

    response = client.post(URL, json={"name": long_name, "config": two_prompts})

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    config = "prompts: [a]\ntests: [{vars: {x: 1}, metadata: {difficulty: brutal}}]\n"
    report = client.post(URL, json={"name": "odd", "config": config}).json()
    items = client.get(f"/api/v1/datasets/{report['dataset_id']}/versions/1/items").json()
    assert items["items"][0]["metadata"]["promptfoo_metadata"] == {"difficulty": "brutal"}
