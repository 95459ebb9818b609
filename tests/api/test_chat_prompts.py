"""Chat prompts (`kind: chat`) reach the model as role messages: runs, evaluations, folder
names in the run route, optimizations refused, and export → import keeping kind and config."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from autoforge.app import create_app
from autoforge.bootstrap import Container
from autoforge.llm.fake import FakeModelClient
from tests.api.test_evaluations_api import finished
from tests.support.evaluations import items, seed_dataset
from tests.support.gateway import make_gateway

API = "/api/v1"
MODEL = "fake/primary"
NDJSON = {"content-type": "application/x-ndjson"}
CHAT = [
    {"role": "system", "content": "You are {{persona}}."},
    {"type": "placeholder", "name": "history"},
    {"role": "user", "content": "{{question}}"},
]
HISTORY = [
    {"role": "user", "content": "Hi"},
    {"role": "assistant", "content": "Hello! {{not rendered}}"},
]


@pytest.fixture
def fake() -> FakeModelClient:
    return FakeModelClient()


@pytest.fixture
def client(file_container: Container, fake: FakeModelClient) -> Iterator[TestClient]:
    gateway = make_gateway(file_container.database, fake, default_model=MODEL, max_retries=0)
    container = dataclasses.replace(file_container, gateway=gateway)
    seed_dataset(container.database, "numbers", items(3))
    with TestClient(create_app(container)) as client:
        yield client
    gateway.close()


def create(client: TestClient, name: str, content: Any, **extra: Any) -> Any:
    if not isinstance(content, str):
        extra.setdefault("kind", "chat")
        content = json.dumps(content)
    body = {"name": name, "title": name, "content": content, **extra}
    created = client.post(f"{API}/prompts", json=body)
    assert created.status_code == 201, created.text
    return created.json()


def problem(response: Any, status: int) -> Any:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


def test_a_chat_prompt_runs_as_role_messages_with_variables_and_history(
    client: TestClient, fake: FakeModelClient
) -> None:
    prompt = create(client, "assistant", CHAT)
    variables = {"persona": "a pirate", "question": "Where is {{x}}?", "history": HISTORY}
    response = client.post(f"{API}/prompts/{prompt['id']}/run", json={"variables": variables})

    assert response.status_code == 200, response.text
    expected = [
        {"role": "system", "content": "You are a pirate."},
        *HISTORY,  # placeholder messages go in as given, not rendered
        {"role": "user", "content": "Where is {{x}}?"},  # one pass: values are not expanded
    ]
    assert fake.calls[-1].messages == expected
    assert fake.calls[-1].prompt is None
    body = response.json()
    assert (body["kind"], body["messages"]) == ("chat", expected)
    assert json.loads(body["rendered"]) == expected
    assert body["output"]


def test_a_chat_prompt_is_always_sent_as_messages_and_text_prompts_as_before(
    client: TestClient, fake: FakeModelClient
) -> None:
    create(client, "chat", [{"role": "user", "content": "Say {{word}}"}])
    create(client, "text", "Say {{word}}")
    runs = {
        (name, mode): client.post(
            f"{API}/prompts/by-name/{name}/run",
            json={"variables": {"word": "hi"}, "mode": mode, "no_cache": True},
        )
        for name in ("chat", "text")
        for mode in ("completion", "chat")
    }
    assert all(r.status_code == 200 for r in runs.values()), [r.text for r in runs.values()]
    sent = [(call.messages, call.prompt) for call in fake.calls]
    user = [{"role": "user", "content": "Say hi"}]
    assert sent == [(user, None), (user, None), (None, "Say hi"), (user, None)]
    text = runs[("text", "completion")].json()
    assert (text["kind"], text["messages"], text["rendered"]) == ("text", None, "Say hi")


@pytest.mark.parametrize(
    ("variables", "field", "message"),
    [
        ({"persona": "p", "history": HISTORY}, "variables.question", "'question' is missing"),
        ({"persona": "p", "question": "q"}, "variables.history", "placeholder 'history'"),
        (
            {"persona": "p", "question": "q", "history": "not json"},
            "variables.history",
            "list of",
        ),
        (
            {"persona": "p", "question": "q", "history": [{"role": "user"}]},
            "variables.history",
            "list of",
        ),
        (
            {"persona": "p", "question": "q", "history": [], "tone": "x"},
            "variables.tone",
            "unknown variable 'tone'",
        ),
    ],
)
def test_a_missing_or_bad_variable_or_placeholder_is_a_422_and_calls_no_model(
    client: TestClient,
    fake: FakeModelClient,
    variables: dict[str, Any],
    field: str,
    message: str,
) -> None:
    create(client, "assistant", CHAT)
    body = problem(
        client.post(f"{API}/prompts/by-name/assistant/run", json={"variables": variables}), 422
    )
    assert [e["field"] for e in body["errors"]] == [field]
    assert message in body["errors"][0]["message"]
    assert fake.calls == []


def test_a_placeholder_given_as_json_text_as_the_cli_passes_it_is_filled(
    client: TestClient, fake: FakeModelClient
) -> None:
    create(client, "assistant", CHAT)
    variables = {"persona": "p", "question": "q", "history": json.dumps(HISTORY)}
    response = client.post(f"{API}/prompts/by-name/assistant/run", json={"variables": variables})
    assert response.status_code == 200, response.text
    assert fake.calls[-1].messages[1:3] == HISTORY


def test_run_by_name_takes_a_folder_name_and_its_last_run_is_the_action(
    client: TestClient, fake: FakeModelClient
) -> None:
    create(client, "team/support", "Support: {{q}}")
    create(client, "team/run", "Folder run: {{q}}")
    create(client, "team", "Team: {{q}}")
    calls = {
        "team%2Fsupport": "Support: a",
        "team/support": "Support: a",
        "team%2Frun": "Folder run: a",
        "team/run": "Folder run: a",  # `.../team/run/run`: the trailing /run is the action
        "team": "Team: a",
    }
    for path, rendered in calls.items():
        body = {"variables": {"q": "a"}, "no_cache": True}
        response = client.post(f"{API}/prompts/by-name/{path}/run", json=body)
        assert response.status_code == 200, (path, response.text)
        assert response.json()["rendered"] == rendered, path
    assert len(fake.calls) == len(calls)
    problem(client.post(f"{API}/prompts/by-name/team%2Fnone/run", json={}), 404)
    # The GET twin still reads a folder name ending in `run` as a name.
    assert client.get(f"{API}/prompts/by-name/team%2Frun").json()["name"] == "team/run"


def test_an_evaluation_sends_each_case_as_the_chat_messages(
    client: TestClient, fake: FakeModelClient
) -> None:
    create(client, "judge", [{"role": "system", "content": "Answer yes or no."}, CHAT[2]])
    create(client, "asks", [{"role": "user", "content": "Is {{text}} even?"}])
    started = client.post(
        f"{API}/evaluations",
        json={"prompt_name": "asks", "dataset_name": "numbers", "mode": "completion"},
    )
    assert started.status_code == 202, started.text
    [evaluation] = started.json()["evaluations"]
    done = finished(client, evaluation["id"])
    assert done["status"] == "completed", done
    sent = sorted(str(call.messages) for call in fake.calls)
    assert sent == [str([{"role": "user", "content": f"Is number {i} even?"}]) for i in range(3)]
    assert all(call.prompt is None for call in fake.calls)


def test_an_evaluation_case_missing_a_chat_variable_fails_that_case(
    client: TestClient, fake: FakeModelClient
) -> None:
    create(client, "needs", [{"role": "user", "content": "{{text}} / {{other}}"}])
    started = client.post(
        f"{API}/evaluations", json={"prompt_name": "needs", "dataset_name": "numbers"}
    )
    assert started.status_code == 202, started.text
    done = finished(client, started.json()["evaluations"][0]["id"])
    results = client.get(f"{API}/evaluations/{done['id']}/results").json()
    rows = results["items"] if isinstance(results, dict) else results
    assert len(rows) == 3
    assert all("'other' is missing" in str(row["error"]) for row in rows), rows
    assert fake.calls == []


def test_optimizing_a_chat_prompt_is_refused_with_a_422(client: TestClient) -> None:
    create(client, "asks", [{"role": "user", "content": "Is {{text}} even?"}])
    body = problem(
        client.post(
            f"{API}/optimizations",
            json={"prompt": "asks", "dataset": "numbers", "budget": {"calls": 100}},
        ),
        422,
    )
    assert body["detail"] == "optimizing chat prompts is not supported yet"
    assert client.get(f"{API}/optimizations").json()["items"] == []


def exported(client: TestClient, fmt: str = "jsonl") -> Any:
    response = client.get(f"{API}/prompts:export", params={"format": fmt})
    assert response.status_code == 200, response.text
    return response.text


def test_export_then_import_round_trips_a_chat_prompt_with_its_config(
    client: TestClient, fake: FakeModelClient
) -> None:
    create(client, "assistant", CHAT, config={"temperature": 0.3})
    create(client, "plain", "Say {{word}}")
    lines = [orjson.loads(line) for line in exported(client).splitlines()]
    by_name = {line["name"]: line for line in lines}
    assert (by_name["assistant"]["kind"], by_name["assistant"]["config"]) == (
        "chat",
        {"temperature": 0.3},
    )
    assert (by_name["plain"]["kind"], by_name["plain"]["config"]) == ("text", None)
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(exported(client, "csv")))}
    assert (rows["assistant"]["kind"], json.loads(rows["assistant"]["config"])) == (
        "chat",
        {"temperature": 0.3},
    )

    # The same file again changes nothing; under a new name it makes the same chat prompt.
    again = "\n".join(orjson.dumps(line).decode() for line in lines)
    report = client.post(f"{API}/prompts:import", content=again, headers=NDJSON).json()
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, 2)
    copy = orjson.dumps({**by_name["assistant"], "name": "copy"}).decode()
    report = client.post(f"{API}/prompts:import", content=copy, headers=NDJSON).json()
    assert report["created"] == 1
    prompt = client.get(f"{API}/prompts/by-name/copy").json()
    version = client.get(f"{API}/prompts/{prompt['prompt_id']}/versions/1").json()
    assert (version["kind"], version["config"]) == ("chat", {"temperature": 0.3})
    assert json.loads(version["content"]) == CHAT
    variables = {"persona": "p", "question": "q", "history": []}
    ran = client.post(f"{API}/prompts/by-name/copy/run", json={"variables": variables})
    assert ran.status_code == 200, ran.text
    assert fake.calls[-1].messages == [
        {"role": "system", "content": "You are p."},
        {"role": "user", "content": "q"},
    ]


def test_import_without_kind_is_text_and_a_kind_change_makes_a_version(
    client: TestClient,
) -> None:
    chat = json.dumps([{"role": "user", "content": "Hi"}])
    line = {"name": "p", "title": "p", "content": chat}
    report = client.post(f"{API}/prompts:import", content=json.dumps(line), headers=NDJSON)
    assert report.json()["created"] == 1
    prompt_id = client.get(f"{API}/prompts/by-name/p").json()["prompt_id"]
    assert client.get(f"{API}/prompts/{prompt_id}/versions/1").json()["kind"] == "text"

    as_chat = json.dumps({**line, "kind": "chat", "config": {"model": "m"}})
    report = client.post(f"{API}/prompts:import", content=as_chat, headers=NDJSON)
    assert report.json()["updated"] == 1
    version = client.get(f"{API}/prompts/{prompt_id}/versions/2").json()
    assert (version["kind"], version["config"]) == ("chat", {"model": "m"})
    # Without `config` the current one stays: the same chat record is unchanged.
    same = json.dumps({**line, "kind": "chat"})
    report = client.post(f"{API}/prompts:import", content=same, headers=NDJSON)
    assert report.json()["unchanged"] == 1

    bad = json.dumps({**line, "name": "bad", "kind": "chat", "content": "not messages"})
    errors = problem(client.post(f"{API}/prompts:import", content=bad, headers=NDJSON), 422)
    assert "list of messages" in errors["errors"][0]["message"]
