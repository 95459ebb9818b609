"""`GET /api/v1/evaluations/{id}/diffoscope` over HTTP, on an evaluation whose outputs are
known by construction: the fake model answers each case as the table below says."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from autoforge.app import create_app
from autoforge.bootstrap import Container
from autoforge.evaluations.models import EvaluationRow
from autoforge.llm.errors import ModelCallError
from autoforge.llm.fake import FakeModelClient
from autoforge.llm.types import CompletionRequest
from tests.support.evaluations import items, seed_dataset, seed_prompt
from tests.support.gateway import make_gateway

MODEL = "fake/primary"
EXTRACTOR = "fake/extractor"
PROMPT = 'Answer in at most 2 sentences, in JSON. Never say "guarantee". Question: {{text}}'
# Case i (of 10): 0-3 are three sentences long, 7-9 are not JSON, 9 says "guarantee".
THREE_SENTENCES, NOT_JSON = range(4), range(7, 10)
EXTRACTED = [
    {
        "kind": "must_include",
        "quote": "Question",
        "description": "names the answer",
        "phrase": "answer",
    },
    {"kind": "json", "quote": "in JSON"},  # the rules found it already
]


def output_of(number: int) -> str:
    if number in THREE_SENTENCES:
        return '{"answer": "One. Two. Three."}'
    if number in NOT_JSON:
        return "We guarantee it." if number == 9 else "Just prose."
    return '{"answer": "Fine."}'


def answer(request: CompletionRequest) -> str:
    if request.model == EXTRACTOR:
        return f"```json\n{json.dumps(EXTRACTED)}\n```"
    text = request.prompt or str(request.messages[-1]["content"])  # type: ignore[index]
    return output_of(int(text.rsplit(" ", 1)[-1]))


@pytest.fixture
def fake() -> FakeModelClient:
    return FakeModelClient(reply=answer)


def app_client(container: Container, fake: FakeModelClient) -> Iterator[TestClient]:
    gateway = make_gateway(container.database, fake, default_model=MODEL, max_retries=0)
    with TestClient(create_app(dataclasses.replace(container, gateway=gateway))) as client:
        yield client
    gateway.close()


@pytest.fixture
def client(file_container: Container, fake: FakeModelClient) -> Iterator[TestClient]:
    yield from app_client(file_container, fake)


@pytest.fixture
def evaluation_id(client: TestClient, file_container: Container) -> str:
    seed_prompt(file_container.database, "p", PROMPT)
    seed_dataset(file_container.database, "d", items(10))
    body = {"prompt_name": "p", "dataset_name": "d", "models": [MODEL], "concurrency": 2}
    started = client.post("/api/v1/evaluations", json=body)
    assert started.status_code == 202, started.text
    found: str = started.json()["evaluations"][0]["id"]
    deadline = time.monotonic() + 30
    while client.get(f"/api/v1/evaluations/{found}").json()["status"] != "completed":
        assert time.monotonic() < deadline, "the evaluation did not finish"
        time.sleep(0.05)
    return found


def diffoscope(client: TestClient, evaluation_id: str, **query: Any) -> Any:
    response = client.get(f"/api/v1/evaluations/{evaluation_id}/diffoscope", params=query)
    assert response.status_code == 200, response.text
    return response.json()


def test_each_requirement_with_its_span_share_and_violating_outputs(
    client: TestClient, evaluation_id: str, fake: FakeModelClient
) -> None:
    report = diffoscope(client, evaluation_id, examples=2)
    assert report["prompt_text"] == PROMPT
    assert report["outputs"] == 10
    assert report["extraction_model"] is None
    assert fake.calls_to(EXTRACTOR) == 0
    found = {r["kind"]: r for r in report["requirements"]}
    assert list(found) == ["sentence_count", "json", "must_avoid"]
    for requirement in report["requirements"]:
        assert PROMPT[requirement["start"] : requirement["end"]] == requirement["quote"]
    assert found["sentence_count"]["quote"] == "at most 2 sentences"
    assert found["must_avoid"]["quote"] == '"guarantee"'

    sentences = found["sentence_count"]
    assert (sentences["checked"], sentences["satisfied"], sentences["share"]) == (10, 6, 0.6)
    assert sentences["violations"] == 4
    assert [e["test_case_name"] for e in sentences["examples"]] == ["case-000", "case-001"]
    assert sentences["examples"][0]["reason"] == "3 sentences (limit 2)"
    assert sentences["examples"][0]["output"] == output_of(0)
    assert found["json"]["share"] == 0.7
    assert found["must_avoid"]["share"] == 0.9
    assert [e["test_case_name"] for e in found["must_avoid"]["examples"]] == ["case-009"]

    assert report["gap_score"] == pytest.approx((0.4 + 0.3 + 0.1) / 3, abs=1e-4)
    assert report["suggestions"][0] == (
        "outputs exceed the 2-sentence limit in 40 % of cases: "
        "add an example of a 2-sentence answer"
    )
    assert report["suggestions"][1].startswith("outputs are not valid JSON in 30 % of cases")
    assert report["suggestions"][2].startswith("outputs say “guarantee” in 10 % of cases")


def test_a_named_model_also_extracts_and_rules_win_duplicates(
    client: TestClient, evaluation_id: str, fake: FakeModelClient
) -> None:
    report = diffoscope(client, evaluation_id, llm_model=EXTRACTOR)
    assert report["extraction_model"] == EXTRACTOR
    assert report["extraction_error"] is None
    assert fake.calls_to(EXTRACTOR) == 1
    kinds = [(r["kind"], r["source"]) for r in report["requirements"]]
    assert kinds == [
        ("sentence_count", "rules"),
        ("json", "rules"),
        ("must_avoid", "rules"),
        ("must_include", "llm"),
    ]
    extracted = report["requirements"][3]
    assert extracted["quote"] == "Question"
    assert extracted["share"] == 0.7  # "answer" is in the seven JSON outputs only


def test_a_failing_extraction_model_leaves_the_rules_report(
    client: TestClient, evaluation_id: str, fake: FakeModelClient
) -> None:
    fake.fail(EXTRACTOR, ModelCallError("the provider is down"))
    report = diffoscope(client, evaluation_id, llm_model=EXTRACTOR)
    assert "the provider is down" in report["extraction_error"]
    assert [r["source"] for r in report["requirements"]] == ["rules"] * 3


def test_the_configured_judge_extracts_unless_it_is_the_local_model(
    file_container: Container, fake: FakeModelClient, evaluation_id: str
) -> None:
    for judge, calls in (("local/gemma-3-270m", 0), (EXTRACTOR, 1)):
        settings = file_container.settings.model_copy(update={"judge_model": judge})
        container = dataclasses.replace(file_container, settings=settings)
        for client in app_client(container, fake):
            report = diffoscope(client, evaluation_id)
            assert report["extraction_model"] == (None if calls == 0 else EXTRACTOR)
        assert fake.calls_to(EXTRACTOR) == calls
        assert fake.calls_to("local/gemma-3-270m") == 0


def test_bad_requests_are_problems(client: TestClient, evaluation_id: str) -> None:
    local = client.get(
        f"/api/v1/evaluations/{evaluation_id}/diffoscope",
        params={"llm_model": "local/gemma-3-270m"},
    )
    assert local.status_code == 422
    assert local.headers["content-type"].startswith("application/problem+json")
    assert "too small" in local.json()["detail"]
    too_many = client.get(
        f"/api/v1/evaluations/{evaluation_id}/diffoscope", params={"examples": 51}
    )
    assert too_many.status_code == 422
    missing = client.get("/api/v1/evaluations/no-such-id/diffoscope")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


def test_another_projects_evaluation_is_not_found(
    client: TestClient, file_container: Container
) -> None:
    prompt_id = seed_prompt(file_container.database, "theirs", PROMPT, owner="project-b")

    def work(uow: Any) -> str:
        row = EvaluationRow(
            project_id="project-b",
            prompt_id=prompt_id,
            prompt_version=1,
            provider="fake",
            model=MODEL,
            status="completed",
        )
        uow.session.add(row)
        uow.session.flush()
        return row.id

    theirs = file_container.database.run(work)
    response = client.get(f"/api/v1/evaluations/{theirs}/diffoscope")
    assert response.status_code == 404
