"""`/api/v1/evaluations` over HTTP, with the app's own in-process worker running the jobs."""

from __future__ import annotations

import csv
import dataclasses
import io
import time
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from autoforge.app import create_app
from autoforge.bootstrap import Container
from autoforge.evaluations import router
from autoforge.llm.fake import FakeModelClient
from autoforge.llm.types import CompletionRequest
from tests.support.evaluations import items, seed_dataset
from tests.support.gateway import make_gateway

MODEL = "fake/primary"
CASES = 12


def answer(request: CompletionRequest) -> str:
    """Prompt version 1 gets 'yes' for even numbers only; version 2 ("Always") always."""
    text = str(request.messages[-1]["content"]) if request.messages else str(request.prompt)
    if text.startswith("Always"):
        return "yes"
    return "yes" if int(text.rsplit(" ", 1)[-1].rstrip("?")) % 2 == 0 else "no"


@pytest.fixture
def fake() -> FakeModelClient:
    return FakeModelClient(reply=answer, delay_s=0.05)


@pytest.fixture
def client(file_container: Container, fake: FakeModelClient) -> Iterator[TestClient]:
    gateway = make_gateway(file_container.database, fake, default_model=MODEL, max_retries=0)
    container = dataclasses.replace(file_container, gateway=gateway)
    seed_dataset(container.database, "numbers", items(CASES))
    with TestClient(create_app(container)) as client:
        created = client.post(
            "/api/v1/prompts", json={"name": "p", "title": "p", "content": "Is {{text}}?"}
        )
        assert created.status_code == 201
        yield client
    gateway.close()


def start(client: TestClient, **body: Any) -> Any:
    body = {"prompt_name": "p", "dataset_name": "numbers", "concurrency": 2, **body}
    return client.post("/api/v1/evaluations", json=body)


def finished(client: TestClient, evaluation_id: str, timeout_s: float = 20) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/evaluations/{evaluation_id}").json()
        if body["status"] in ("completed", "failed"):
            return body
        time.sleep(0.05)
    raise AssertionError("evaluation did not finish")


def sse(text: str) -> list[tuple[str, Any]]:
    """(event name, decoded data) of each event in a text/event-stream body."""
    events = []
    for block in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "data" in fields:
            events.append((fields.get("event", "message"), orjson.loads(fields["data"])))
    return events


def test_starting_answers_202_at_once_and_the_worker_finishes_it(client: TestClient) -> None:
    response = start(client)

    # The answer describes a run that has not begun: it did not wait for the 12 cases.
    assert response.status_code == 202
    batch = response.json()
    [evaluation] = batch["evaluations"]
    assert evaluation["status"] == "pending"
    assert evaluation["group_id"] == batch["group_id"]
    assert evaluation["progress"] == {"done": 0, "total": 12, "passed": 0, "running_score": None}
    assert response.headers["location"] == f"/api/v1/evaluations/{evaluation['id']}"

    done = finished(client, evaluation["id"])
    assert done["status"] == "completed"
    assert done["progress"] == {"done": 12, "total": 12, "passed": 6, "running_score": 0.5}
    assert done["accuracy_score"] == 0.5
    assert done["cache_hits"] == 0
    # Every expected answer is one short label: the inferred default is first-line equals.
    [default] = done["config"]["assertions"]["assertions"]
    assert (default["type"], default["first_line"], default["ignore_case"]) == (
        "equals",
        True,
        True,
    )
    assert done["config"]["scoring"]["assertions_from"] == "dataset"


def test_progress_is_visible_while_running(client: TestClient) -> None:
    evaluation_id = start(client, concurrency=1).json()["evaluations"][0]["id"]
    seen = set()
    while True:
        body = client.get(f"/api/v1/evaluations/{evaluation_id}").json()
        seen.add((body["status"], body["progress"]["done"]))
        if body["status"] == "completed":
            break
        time.sleep(0.02)
    assert any(status == "running" and 0 < done < CASES for status, done in seen)


def test_the_event_stream_reports_progress_and_ends_when_completed(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(router, "EVENTS_POLL_S", 0.02)  # the run takes ~0.3 s
    evaluation_id = start(client).json()["evaluations"][0]["id"]

    with client.stream("GET", f"/api/v1/evaluations/{evaluation_id}/events") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        body = response.read().decode()

    events = sse(body)
    names = [name for name, _ in events]
    assert names[-1] == "completed"
    assert set(names[:-1]) == {"progress"}
    done = [data["done"] for name, data in events if name == "progress"]
    assert done == sorted(done)
    assert done[-1] == CASES
    assert len(done) > 2  # several updates, not just the start and the end
    assert events[-1][1]["progress"]["passed"] == 6


def test_results_are_paged_and_filterable(client: TestClient) -> None:
    evaluation_id = start(client).json()["evaluations"][0]["id"]
    finished(client, evaluation_id)
    url = f"/api/v1/evaluations/{evaluation_id}/results"

    first = client.get(url, params={"limit": 5}).json()
    second = client.get(url, params={"limit": 5, "after": first["next_cursor"]}).json()
    failed = client.get(url, params={"passed": False, "limit": 100}).json()

    assert [r["test_case_name"] for r in first["items"]] == [f"case-{i:03d}" for i in range(5)]
    assert second["items"][0]["test_case_name"] == "case-005"
    assert len(failed["items"]) == 6
    assert failed["next_cursor"] is None
    assert all(not r["passed"] and r["output"] == "no" for r in failed["items"])
    assert set(first["items"][0]) >= {"input", "expected", "score", "latency_ms", "reason"}


def test_results_show_and_filter_the_cases_flagged_unsupported(
    client: TestClient, fake: FakeModelClient
) -> None:
    def ramble_on_multiples_of_three(request: CompletionRequest) -> str:
        text = str(request.messages[-1]["content"]) if request.messages else str(request.prompt)
        number = int(text.rsplit(" ", 1)[-1].rstrip("?"))
        # Words in neither the input nor the expected "yes": the reference check flags them.
        return "purple elephants dance" if number % 3 == 0 else answer(request)

    fake.reply = ramble_on_multiples_of_three
    evaluation_id = start(client).json()["evaluations"][0]["id"]
    done = finished(client, evaluation_id)
    url = f"/api/v1/evaluations/{evaluation_id}/results"

    every = client.get(url, params={"limit": 100}).json()["items"]
    flagged = client.get(url, params={"unsupported": True, "limit": 100}).json()["items"]
    clean = client.get(url, params={"unsupported": False, "limit": 100}).json()["items"]
    both = client.get(url, params={"unsupported": True, "passed": True}).json()["items"]

    names = [r["test_case_name"] for r in flagged]
    assert names == ["case-000", "case-003", "case-006", "case-009"]
    assert all(r["unsupported"] is True for r in flagged)
    assert len(clean) == CASES - len(flagged)
    assert all(r["unsupported"] is False for r in clean)
    assert both == []  # a rambling answer never contains "yes"
    assert done["hallucination_rate"] == sum(r["unsupported"] for r in every) / len(every)
    schema = client.get("/openapi.json").json()["components"]["schemas"]["TestResult"]
    assert "hallucination_rate" in schema["properties"]["unsupported"]["description"]


def test_list_is_newest_first_and_filters(client: TestClient) -> None:
    first = start(client).json()["evaluations"][0]
    second = start(client).json()["evaluations"][0]
    finished(client, first["id"])
    finished(client, second["id"])

    listed = client.get("/api/v1/evaluations").json()["items"]
    assert [e["id"] for e in listed] == [second["id"], first["id"]]
    by_prompt = client.get("/api/v1/evaluations", params={"prompt_id": first["prompt_id"]})
    assert len(by_prompt.json()["items"]) == 2
    assert client.get("/api/v1/evaluations", params={"status": "failed"}).json()["items"] == []
    page = client.get("/api/v1/evaluations", params={"limit": 1}).json()
    rest = client.get("/api/v1/evaluations", params={"cursor": page["next_cursor"]}).json()
    assert [e["id"] for e in rest["items"]] == [first["id"]]


def test_a_rerun_reports_the_calls_the_cache_saved(
    client: TestClient, fake: FakeModelClient
) -> None:
    finished(client, start(client).json()["evaluations"][0]["id"])
    rerun = finished(client, start(client).json()["evaluations"][0]["id"])

    assert rerun["cache_hits"] == CASES
    assert len(fake.calls) == CASES


def test_compare_two_prompt_versions_case_by_case(client: TestClient) -> None:
    prompt = client.get("/api/v1/prompts/by-name/p").json()
    baseline = start(client).json()["evaluations"][0]["id"]
    edited = client.patch(
        f"/api/v1/prompts/{prompt['prompt_id']}",
        json={"content": "Always: is {{text}}?", "base_version": 1},
    )
    assert edited.status_code == 200
    candidate = start(client).json()["evaluations"][0]["id"]
    finished(client, baseline)
    finished(client, candidate)

    report = client.post(
        "/api/v1/evaluations:compare", json={"evaluation_ids": [baseline, candidate]}
    ).json()

    assert [e["prompt_version"] for e in report["evaluations"]] == [1, 2]
    assert report["cases_compared"] == CASES
    [delta] = report["deltas"]
    assert delta["evaluation_id"] == candidate
    assert delta["accuracy"]["delta"] == pytest.approx(0.5)
    assert delta["accuracy"]["ci_low"] > 0
    assert delta["accuracy"]["significant"] is True
    odd = next(c for c in report["cases"] if c["test_case_name"] == "case-001")
    assert odd["passed"] == [False, True]
    assert odd["outputs"] == ["no", "yes"]


def test_unknown_things_are_404_problems(client: TestClient) -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    for response in (
        client.get(f"/api/v1/evaluations/{missing}"),
        client.get(f"/api/v1/evaluations/{missing}/results"),
        client.get(f"/api/v1/evaluations/{missing}/events"),
        start(client, prompt_name="nope"),
        start(client, dataset_name="nope"),
        start(client, dataset_version=7),
    ):
        assert response.status_code == 404, response.text
        assert response.headers["content-type"] == "application/problem+json"
    known = start(client).json()["evaluations"][0]["id"]
    compared = client.post("/api/v1/evaluations:compare", json={"evaluation_ids": [known, missing]})
    assert compared.status_code == 404


def test_invalid_requests_are_422_problems(client: TestClient) -> None:
    cases = [
        {"prompt_id": "x"},  # both prompt_id and prompt_name
        {"models": ["a", "a"]},
        {"concurrency": 0},
        {"assertions": {"assertions": [{"type": "nope"}]}},
        {"params": {"temperature": 5}},
        {"label": "production", "prompt_version": 1},
    ]
    for extra in cases:
        response = start(client, **extra)
        assert response.status_code == 422, (extra, response.text)
        assert response.json()["errors"]
    one = client.post("/api/v1/evaluations:compare", json={"evaluation_ids": ["only-one"]})
    assert one.status_code == 422


def test_comparing_an_unfinished_evaluation_is_a_conflict(
    client: TestClient, fake: FakeModelClient
) -> None:
    fake.delay_s = 0.5
    first = start(client, concurrency=1).json()["evaluations"][0]["id"]
    second = start(client, concurrency=1).json()["evaluations"][0]["id"]

    response = client.post("/api/v1/evaluations:compare", json={"evaluation_ids": [first, second]})

    assert response.status_code == 409
    assert "not completed" in response.json()["detail"]
    fake.delay_s = 0.0


def test_the_results_export_as_jsonl_and_csv_without_running_anything(
    client: TestClient, fake: FakeModelClient
) -> None:
    [evaluation] = start(client).json()["evaluations"]
    finished(client, evaluation["id"])
    calls = len(fake.calls)
    url = f"/api/v1/evaluations/{evaluation['id']}/results:export"

    jsonl = client.get(url)
    assert jsonl.headers["content-type"] == "application/x-ndjson"
    records = [orjson.loads(line) for line in jsonl.text.splitlines()]
    shown = client.get(f"/api/v1/evaluations/{evaluation['id']}/results", params={"limit": 500})
    assert records == shown.json()["items"]
    assert sum(r["passed"] for r in records) == 6

    csv_text = client.get(url, params={"format": "csv"}).text
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert [r["test_case_name"] for r in rows] == [r["test_case_name"] for r in records]
    assert [r["passed"] for r in rows].count("True") == 6
    assert orjson.loads(rows[0]["input"]) == records[0]["input"]
    assert len(fake.calls) == calls  # read back, not run again

    missing = client.get("/api/v1/evaluations/nope/results:export")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
