"""Style genomes over HTTP: an evaluation's and a prompt version's, their comparison, the
consistency over time, drift recorded as an evaluation completes, and the hallucination
rate of a classification dataset whose model answers off-label."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from autoforge.app import create_app
from autoforge.bootstrap import Container
from autoforge.identity import service
from autoforge.identity.caller import Caller, Via
from autoforge.identity.models import MembershipRow, OrganizationRow, ProjectRow, UserRow
from autoforge.identity.roles import Role
from autoforge.identity.schemas import KeyCreate
from autoforge.llm.fake import FakeModelClient
from autoforge.llm.types import CompletionRequest
from autoforge.style.genome import DRIFT_THRESHOLD, GENE_NAMES
from tests.support.evaluations import seed_dataset
from tests.support.gateway import make_gateway

MODEL = "fake/primary"
CASES = 8
ESSAY = "## Verdict\n- I think you might find it **good**, perhaps.\n- However, it seems mixed!"


def label(number: int) -> str:
    return "positive" if number % 2 == 0 else "negative"


def answer(request: CompletionRequest) -> str:
    """Each version's style is known by construction: v1 ("Label") answers the right label,
    v2 ("Explain") a markdown essay, v3 ("Classify") the wrong label, v4 ("Rate") ` 5/5`."""
    text = str(request.messages[-1]["content"]) if request.messages else str(request.prompt)
    number = int(text.rsplit(" ", 1)[-1])
    verb = text.split(" ", 1)[0]
    if verb == "Explain":
        return ESSAY
    if verb == "Classify":
        return label(number + 1)
    if verb == "Rate":
        return " 5/5"
    return label(number)


@pytest.fixture
def container(file_container: Container) -> Container:
    return file_container


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    fake = FakeModelClient(reply=answer, delay_s=0.0)
    gateway = make_gateway(container.database, fake, default_model=MODEL, max_retries=0)
    container = dataclasses.replace(container, gateway=gateway)
    cases = [
        {"name": f"case-{i:03d}", "input": {"text": f"review {i}"}, "expected": label(i)}
        for i in range(CASES)
    ]
    seed_dataset(container.database, "sentiment", cases)
    with TestClient(create_app(container)) as client:
        yield client
    gateway.close()


def prompt_with_versions(client: TestClient) -> str:
    """Prompt `p`: versions 1-4 as in `answer`; `production` points at version 1."""
    created = client.post(
        "/api/v1/prompts", json={"name": "p", "title": "p", "content": "Label {{text}}"}
    )
    assert created.status_code == 201
    prompt_id: str = created.json()["id"]
    for base, content in enumerate(("Explain {{text}}", "Classify {{text}}", "Rate {{text}}"), 1):
        edit = {"content": content, "base_version": base}
        assert client.patch(f"/api/v1/prompts/{prompt_id}", json=edit).status_code == 200
    labelled = client.put(f"/api/v1/prompts/{prompt_id}/labels/production", json={"version": 1})
    assert labelled.status_code == 200
    return prompt_id


def evaluate(client: TestClient, version: int) -> Any:
    body = {"prompt_name": "p", "prompt_version": version, "dataset_name": "sentiment"}
    started = client.post("/api/v1/evaluations", json=body)
    assert started.status_code == 202, started.text
    evaluation_id = started.json()["evaluations"][0]["id"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = client.get(f"/api/v1/evaluations/{evaluation_id}").json()
        if found["status"] in ("completed", "failed"):
            assert found["status"] == "completed", found
            return found
        time.sleep(0.05)
    raise AssertionError("evaluation did not finish")


def genome_of(client: TestClient, prompt_id: str, **params: Any) -> Any:
    response = client.get(f"/api/v1/prompts/{prompt_id}/genome", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_an_evaluations_genome_is_its_style_consistency_and_compares_with_another(
    client: TestClient,
) -> None:
    prompt_with_versions(client)
    labels, essays = evaluate(client, 1), evaluate(client, 2)
    found = client.get(f"/api/v1/evaluations/{labels['id']}/genome").json()
    genome = found["genome"]
    assert set(genome["genes"]) == set(GENE_NAMES)
    assert genome["samples"] == CASES
    assert genome["consistency"] == labels["style_consistency"] == 1.0  # one definition
    assert genome["genes"]["words"] == 1.0
    assert found["comparison"] is None
    other = client.get(f"/api/v1/evaluations/{essays['id']}/genome").json()["genome"]
    assert other["consistency"] == essays["style_consistency"]
    assert other["genes"]["markdown"] == 1.0
    assert other["genes"]["first_person"] == 1.0
    compared = client.get(
        f"/api/v1/evaluations/{essays['id']}/genome", params={"compare": labels["id"]}
    ).json()["comparison"]
    assert compared["a"]["evaluation_id"] == labels["id"]
    assert compared["distance"] > DRIFT_THRESHOLD
    assert compared["drifted"] is True
    markdown = next(g for g in compared["genes"] if g["name"] == "markdown")
    assert (markdown["a"], markdown["b"], markdown["difference"]) == (0.0, 1.0, 1.0)


def test_a_version_drifting_from_production_is_flagged_and_recorded(client: TestClient) -> None:
    prompt_id = prompt_with_versions(client)
    evaluate(client, 1)
    evaluate(client, 2)  # an essay where production answers one word: drift
    drifted = genome_of(client, prompt_id)
    assert drifted["genome"]["version"] == 2
    assert drifted["reference_version"] == 1
    assert drifted["comparison"]["a"]["version"] == 1
    assert drifted["drift"] is True
    [event] = drifted["drift_events"]
    assert event["data"]["version"] == 2
    assert event["data"]["baseline_version"] == 1
    assert event["data"]["distance"] == pytest.approx(drifted["comparison"]["distance"])
    assert event["data"]["genes"]["markdown"] == 1.0

    evaluate(client, 3)  # wrong labels, same style as production: no drift
    same = genome_of(client, prompt_id)
    assert same["genome"]["version"] == 3
    assert same["comparison"]["distance"] == 0.0
    assert same["drift"] is False
    assert len(same["drift_events"]) == 1
    assert [p["version"] for p in same["history"]] == [1, 2, 3]
    assert (
        same["history"][1]["consistency"]
        == genome_of(client, prompt_id, version=2)["genome"]["consistency"]
    )
    # Comparing with a chosen version: the drift flag only concerns production.
    chosen = genome_of(client, prompt_id, version=1, compare=2)
    assert chosen["comparison"]["a"]["version"] == 2
    assert chosen["drift"] is False


def test_off_label_answers_on_a_classification_dataset_are_not_hallucinations(
    client: TestClient,
) -> None:
    prompt_with_versions(client)
    ratings = evaluate(client, 4)  # " 5/5" for every positive/negative case
    wrong = evaluate(client, 3)  # every label swapped
    assert (ratings["accuracy_score"], ratings["hallucination_rate"]) == (0.0, 0.0)
    assert (wrong["accuracy_score"], wrong["hallucination_rate"]) == (0.0, 0.0)
    results = client.get(f"/api/v1/evaluations/{ratings['id']}/results").json()["items"]
    assert [r["unsupported"] for r in results] == [False] * CASES
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert "wrong" in schema["Evaluation"]["properties"]["hallucination_rate"]["description"]


def test_genomes_of_what_has_no_outputs_are_404_and_bad_input_422(client: TestClient) -> None:
    prompt_id = prompt_with_versions(client)
    none_yet = client.get(f"/api/v1/prompts/{prompt_id}/genome")
    assert none_yet.status_code == 404
    assert none_yet.headers["content-type"] == "application/problem+json"
    assert client.get("/api/v1/evaluations/nope/genome").status_code == 404
    assert client.get("/api/v1/prompts/nope/genome").status_code == 404
    assert client.get(f"/api/v1/prompts/{prompt_id}/genome?version=0").status_code == 422
    assert client.get(f"/api/v1/prompts/{prompt_id}/genome?source=x").status_code == 422
    evaluate(client, 1)
    assert client.get(f"/api/v1/prompts/{prompt_id}/genome?version=2").status_code == 404
    traced = genome_of(client, prompt_id, source="traces")["genome"]
    assert traced["source"] == "traces"
    assert traced["samples"] == CASES  # the evaluation's model calls are the version's traces
    assert traced["genes"] == genome_of(client, prompt_id)["genome"]["genes"]


def other_project_key(container: Container) -> str:
    """The secret of an owner's key in project B, of an organization of its own."""

    def make(uow: Any) -> str:
        organization = OrganizationRow(name="Other org")
        uow.session.add(organization)
        uow.session.flush()
        project = ProjectRow(organization_id=organization.id, name="B")
        user = UserRow(email="b@example.test")
        uow.session.add_all([project, user])
        uow.session.flush()
        uow.session.add(
            MembershipRow(organization_id=organization.id, user_id=user.id, role="owner")
        )
        caller = Caller(project.id, organization.id, Role.OWNER, Via.LOCAL, user_id=user.id)
        return service.create_key(uow, caller, KeyCreate(role="viewer")).secret

    return container.database.run(make)


def test_another_projects_genomes_are_not_found(client: TestClient, container: Container) -> None:
    prompt_id = prompt_with_versions(client)
    evaluation = evaluate(client, 1)
    theirs = {"Authorization": f"Bearer {other_project_key(container)}"}
    for url in (
        f"/api/v1/prompts/{prompt_id}/genome",
        f"/api/v1/evaluations/{evaluation['id']}/genome",
    ):
        assert client.get(url).status_code == 200
        assert client.get(url, headers=theirs).status_code == 404
