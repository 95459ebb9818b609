"""`/graphql`: prompts with versions, labels, tags and evaluations, the prompt mutations, the
same roles and project scoping as REST, DataLoaders proven by counting statements, and the
document limits: a hostile query gets a GraphQL error, never a 500 or a hang."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError
from starlette.websockets import WebSocketDisconnect

from autoforge.app import create_app
from autoforge.bootstrap import Container
from autoforge.evaluations.models import EvaluationRow
from autoforge.evaluations.repository import CaseRecord, EvaluationRepository
from autoforge.graphql import limits
from autoforge.identity import service
from autoforge.identity.caller import DEFAULT_PROJECT_ID, local_caller
from autoforge.identity.schemas import KeyCreate, ProjectCreate
from tests.api.test_commit_failure import failing_commits  # noqa: F401 (a fixture)
from tests.support.optimizations import with_oracle
from tests.support.server import served, server_env

API = "/api/v1"
MARKER = "MARKER-of-project-A"
PROMPTS_WITH_VERSIONS = """
query Prompts($limit: Int!) {
  prompts(limit: $limit) {
    items {
      id name tags
      labels { name version }
      versions { version title content labels }
      latestEvaluation { id status overallScore progress { done total } }
    }
    nextCursor
  }
}
"""


def gql(client: Any, query: str, headers: dict[str, str] | None = None, **variables: Any) -> Any:
    response = client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers or {}
    )
    assert response.status_code < 500, response.text
    return response


def data(response: Any) -> Any:
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]


def errors(response: Any) -> list[dict[str, Any]]:
    assert response.status_code in (200, 400), response.text
    found: list[dict[str, Any]] = response.json()["errors"]
    assert found
    return found


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def client(file_container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(file_container)) as test_client:
        yield test_client


def create(client: Any, name: str, headers: dict[str, str] | None = None) -> Any:
    body = {"name": name, "title": name, "content": f"{MARKER} {name}", "tags": ["gql"]}
    response = client.post(f"{API}/prompts", json=body, headers=headers or {})
    assert response.status_code == 201, response.text
    return response.json()


def seed_prompts(client: TestClient, container: Container, count: int) -> None:
    """`count` prompts with two versions, a label and one completed evaluation each (rows:
    what an evaluation writes is not under test here)."""
    ids = []
    for i in range(count):
        prompt = create(client, f"p-{count}-{i}")
        patch = {"content": f"second {i}", "base_version": 1}
        assert client.patch(f"{API}/prompts/{prompt['id']}", json=patch).status_code == 200
        put = client.put(f"{API}/prompts/{prompt['id']}/labels/production", json={"version": 1})
        assert put.status_code == 200
        ids.append(prompt["id"])

    def evaluate(uow: Any) -> None:
        repo = EvaluationRepository(uow.session, DEFAULT_PROJECT_ID)
        for prompt_id in ids:
            repo.add(
                EvaluationRow(
                    project_id=DEFAULT_PROJECT_ID,
                    prompt_id=prompt_id,
                    prompt_version=2,
                    status="completed",
                    provider="fake",
                    model="fake/primary",
                    overall_score=0.5,
                    total_cases=2,
                )
            )

    container.database.run(evaluate)


def test_prompts_come_with_versions_labels_tags_and_latest_evaluation(
    client: TestClient, file_container: Container
) -> None:
    seed_prompts(client, file_container, 2)
    items = data(gql(client, PROMPTS_WITH_VERSIONS, limit=10))["prompts"]["items"]
    assert [p["name"] for p in items] == ["p-2-1", "p-2-0"]
    first = items[0]
    assert first["tags"] == ["gql"]
    assert first["labels"] == [{"name": "production", "version": 1}]
    assert [(v["version"], v["labels"]) for v in first["versions"]] == [
        (2, []),
        (1, ["production"]),
    ]
    assert first["versions"][0]["content"] == "second 1"
    latest = first["latestEvaluation"]
    assert latest["status"] == "completed"
    assert latest["overallScore"] == 0.5
    assert latest["progress"] == {"done": 0, "total": 2}


@contextmanager
def statements_by_thread(engine: Engine) -> Iterator[dict[int, list[str]]]:
    """Like `recorded_statements`, per thread: the event relay and the embedder run beside
    the request, and one GraphQL request runs all its statements in one worker thread."""
    found: dict[int, list[str]] = defaultdict(list)

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith("BEGIN"):
            found[threading.get_ident()].append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_fifty_prompts_take_as_many_statements_as_five(file_container: Container) -> None:
    counts = {}
    with TestClient(create_app(file_container)) as client:
        for count in (5, 50):
            seed_prompts(client, file_container, count)
            with statements_by_thread(file_container.database.engine) as threads:
                page = data(gql(client, PROMPTS_WITH_VERSIONS, limit=count))["prompts"]["items"]
            assert len(page) == count
            assert all(len(p["versions"]) == 2 and p["latestEvaluation"] for p in page)
            # The request's thread: the one that ran the loaders' window-function batches.
            [request] = [s for s in threads.values() if any("PARTITION BY" in x for x in s)]
            counts[count] = len(request)
    print(f"\nstatements for 5 prompts: {counts[5]}, for 50: {counts[50]}")
    # The page (with tags and labels), the versions, the latest evaluations: not 1 + 50 x k.
    assert counts[5] == counts[50] == 3


def test_an_evaluation_has_its_aggregates_and_results(file_container: Container) -> None:
    container, _ = with_oracle(file_container, size=6)
    with TestClient(create_app(container)) as client:
        prompt = data(gql(client, '{ prompts(q: "") { items { id name } } }'))["prompts"]
        review = next(p for p in prompt["items"] if p["name"] == "review")
        started = client.post(
            f"{API}/evaluations", json={"prompt_id": review["id"], "dataset_name": "sentiment"}
        )
        assert started.status_code == 202, started.text
        evaluation_id = started.json()["evaluations"][0]["id"]
        query = """query($id: ID!) { evaluation(id: $id) {
            status overallScore accuracyScore totalTokens latencyP50Ms progress { done total }
            results(limit: 4) { testCaseName score passed input }
            failures: results(passed: false) { testCaseName passed } } }"""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = data(gql(client, query, id=evaluation_id))["evaluation"]
            if found["status"] in ("completed", "failed"):
                break
            time.sleep(0.05)
        assert found["status"] == "completed", found
        assert found["progress"] == {"done": 6, "total": 6}
        assert found["overallScore"] is not None
        assert found["totalTokens"] > 0
        assert [r["testCaseName"] for r in found["results"]] == sorted(
            r["testCaseName"] for r in found["results"]
        )
        assert len(found["results"]) == 4
        assert all(not r["passed"] for r in found["failures"])
        # The same evaluation, reached from its prompt.
        nested = """query($id: ID!) { prompt(id: $id) { evaluations { id }
            latestEvaluation { id results(limit: 1) { testCaseName } } } }"""
        via_prompt = data(gql(client, nested, id=review["id"]))["prompt"]
        assert via_prompt["latestEvaluation"]["id"] == evaluation_id
        assert [e["id"] for e in via_prompt["evaluations"]] == [evaluation_id]
        datasets = data(gql(client, "{ datasets { items { name latest { itemCount } } } }"))
        assert {"name": "sentiment", "latest": {"itemCount": 6}} in datasets["datasets"]["items"]
    container.gateway.close()


def test_results_of_several_evaluations_are_one_batch(file_container: Container) -> None:
    with TestClient(create_app(file_container)) as client:
        prompt = create(client, "batched")

        def seed(uow: Any) -> None:
            repo = EvaluationRepository(uow.session, DEFAULT_PROJECT_ID)
            for n in range(3):
                row = EvaluationRow(
                    project_id=DEFAULT_PROJECT_ID,
                    prompt_id=prompt["id"],
                    prompt_version=1,
                    status="running",
                    provider="fake",
                    model=f"fake/{n}",
                    total_cases=3,
                )
                repo.add(row)
                for case in range(n + 1):
                    record = CaseRecord(
                        test_case_name=f"case-{case}",
                        input={"text": "x"},
                        output="yes",
                        expected="yes",
                        score=1.0,
                        passed=True,
                        latency_ms=1.0,
                        tokens=3,
                        cost=None,
                        cache_hit=False,
                        reason=None,
                    )
                    repo.record_case(row.id, record)

        file_container.database.run(seed)
        query = """query($id: ID!) { prompt(id: $id) {
            evaluations(limit: 3) { model progress { done runningScore } results { testCaseName } }
        } }"""
        found = data(gql(client, query, id=prompt["id"]))["prompt"]["evaluations"]
        by_model = {e["model"]: e for e in found}
        assert [len(by_model[f"fake/{n}"]["results"]) for n in range(3)] == [1, 2, 3]
        assert by_model["fake/2"]["progress"] == {"done": 3, "runningScore": 1.0}


def test_mutations_create_edit_and_label_commit_before_the_answer(client: TestClient) -> None:
    made = data(
        gql(
            client,
            """mutation { createPrompt(input: {name: "made-by-gql", title: "T",
                content: "hello {name}", tags: ["One"]}) { id version tags } }""",
        )
    )["createPrompt"]
    assert made["version"] == 1
    assert made["tags"] == ["one"]
    edit = """mutation($id: ID!) {
        editPrompt(id: $id, input: {baseVersion: 1, content: "hi {name}"}) { version content }
        setLabel(promptId: $id, label: "production", version: 1) { label version updatedBy }
    }"""
    edited = data(gql(client, edit, id=made["id"]))
    assert edited["editPrompt"] == {"version": 2, "content": "hi {name}"}
    assert edited["setLabel"]["version"] == 1
    # Committed: REST sees it at once.
    rest = client.get(f"{API}/prompts/{made['id']}").json()
    assert rest["version"] == 2
    assert rest["labels"] == {"production": 1}
    move = """mutation($id: ID!) {
        setLabel(promptId: $id, label: "production", version: 2) { version } }"""
    assert data(gql(client, move, id=made["id"]))["setLabel"]["version"] == 2
    assert client.get(f"{API}/prompts/{made['id']}").json()["labels"] == {"production": 2}


def test_a_mutation_request_with_an_error_stores_nothing(client: TestClient) -> None:
    prompt = create(client, "all-or-nothing")
    both = """mutation($id: ID!) {
        editPrompt(id: $id, input: {baseVersion: 1, content: "changed"}) { version }
        setLabel(promptId: $id, label: "production", version: 9) { version }
    }"""
    response = gql(client, both, id=prompt["id"])
    assert response.json()["data"] is None
    [error] = errors(response)
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    assert error["path"] == ["setLabel"]
    # The edit before the failing field was rolled back with it.
    assert client.get(f"{API}/prompts/{prompt['id']}").json()["version"] == 1


@pytest.mark.parametrize(
    ("failure", "code"),
    [
        (RuntimeError("disk I/O error at /secret/path"), "INTERNAL"),
        (OperationalError("COMMIT", {}, Exception("database is locked")), "DATABASE_BUSY"),
    ],
)
def test_a_failed_commit_is_an_error_and_stores_nothing(
    client: TestClient,
    failing_commits: list[Exception],  # noqa: F811 (the imported fixture)
    failure: Exception,
    code: str,
) -> None:
    """The commit runs before the answer is sent, so a failed one is never reported as done."""
    failing_commits.append(failure)
    made = 'mutation { createPrompt(input: {name: "doomed-gql", title: "t", content: "c"}) { id } }'
    response = gql(client, made)
    assert response.json()["data"] is None
    [error] = errors(response)
    assert error["extensions"]["code"] == code
    assert "nothing was stored" in error["message"]
    assert "/secret/path" not in response.text
    assert client.get(f"{API}/prompts/by-name/doomed-gql").status_code == 404
    assert data(gql(client, made))["createPrompt"]["id"]


def test_errors_are_words_and_codes_never_a_500(client: TestClient) -> None:
    stale = create(client, "stale")
    client.patch(f"{API}/prompts/{stale['id']}", json={"content": "v2", "base_version": 1})
    conflict = (
        'mutation($id: ID!) { editPrompt(id: $id, input: {baseVersion: 1, title: "x"}) { id } }'
    )
    [error] = errors(gql(client, conflict, id=stale["id"]))
    assert error["extensions"] == {"code": "CONFLICT", "status": 409, "current_version": 2}
    bad = 'mutation { createPrompt(input: {name: "/bad", title: "", content: "x"}) { id } }'
    [error] = errors(gql(client, bad))
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    assert {e["field"] for e in error["extensions"]["errors"]} == {"name", "title"}
    [error] = errors(gql(client, "{ prompts(limit: 0) { nextCursor } }"))
    assert "limit must be between 1 and 100" in error["message"]
    [error] = errors(gql(client, '{ prompt(id: "no-such-id") { id } }'))
    assert error["extensions"]["code"] == "NOT_FOUND"
    for case in (
        {"content": b"{not json", "headers": {"content-type": "application/json"}},
        {"json": {}},
        {"json": [{"query": "{ prompts { nextCursor } }"}]},
        {"json": {"query": "{ prompts { nextCursor } }", "variables": "x"}},
        {"json": {"query": 12}},
        {"json": {"query": "query($n: Int!) { prompts(limit: $n) { nextCursor } }"}},
        {"json": {"query": '{ prompts(limit: "x") { nextCursor } }'}},
        {"content": b"query", "headers": {"content-type": "text/plain"}},
    ):
        response = client.post("/graphql", **case)  # type: ignore[arg-type]
        assert response.status_code in (200, 400, 415), (case, response.text)
        assert response.json()["errors"], case
        assert "Traceback" not in response.text
    mutation_by_get = client.get(
        "/graphql",
        params={
            "query": 'mutation { setLabel(promptId: "x", label: "a", version: 1) { version } }'
        },
    )
    assert mutation_by_get.status_code == 400
    assert "mutations are not allowed" in mutation_by_get.json()["errors"][0]["message"]
    by_get = client.get("/graphql", params={"query": "{ prompts { items { name } } }"})
    assert {"name": "stale"} in data(by_get)["prompts"]["items"]


def test_a_ten_thousand_deep_query_is_refused_while_it_is_read(client: TestClient) -> None:
    deep = "{ prompts " + "{ items " * 10_000 + "{ id }" + " }" * 10_001
    [error] = errors(gql(client, deep))
    assert "Parsing aborted" in error["message"]
    # Deep nesting inside an argument value too (a list literal the parser recurses into).
    nested = "{ prompts(q: " + "[" * 10_000 + '"x"' + "]" * 10_000 + ") { nextCursor } }"
    [error] = errors(gql(client, nested))
    assert "Parsing aborted" in error["message"]


def test_depth_aliases_fragments_and_list_sizes_are_bounded(client: TestClient) -> None:
    too_deep = "{ prompts { items { evaluations { results " + "{ a " * 8 + "}" * 8 + "} } } }"
    found = errors(gql(client, too_deep))
    assert any(f"maximum operation depth of {limits.MAX_DEPTH}" in e["message"] for e in found)
    fan_out = "{ " + " ".join(f"a{i}: prompts {{ nextCursor }}" for i in range(100)) + " }"
    [error] = errors(gql(client, fan_out))
    assert error["message"] == f"100 aliases found. Allowed: {limits.MAX_ALIASES}"
    huge = "{ " + " ".join(f"a{i}: prompts {{ nextCursor }}" for i in range(1000)) + " }"
    [error] = errors(gql(client, huge))
    assert f"more than {limits.MAX_TOKENS} tokens" in error["message"]
    cyclic = """{ prompts { ...A } }
        fragment A on PromptPage { items { id } ...B }
        fragment B on PromptPage { ...A }"""
    [error] = errors(gql(client, cyclic))
    assert "Cannot spread fragment 'A' within itself via 'B'" in error["message"]
    wide = """query($n: Int!) { prompts(limit: 100) { items {
        evaluations(limit: 20) { results(limit: $n) { score } } } } }"""
    [error] = errors(gql(client, wide, n=100))
    assert error["extensions"]["code"] == "QUERY_TOO_LARGE"
    assert "202,100 list items" in error["message"]
    small = """query($n: Int!) { prompts(limit: 10) { items {
        evaluations(limit: 2) { results(limit: $n) { score } } } } }"""
    assert data(gql(client, small, n=10))["prompts"]["items"] == []


def test_a_browser_is_sent_to_the_graphiql_page_and_websockets_are_refused(
    client: TestClient,
) -> None:
    page = client.get("/graphql", headers={"Accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 307
    assert page.headers["location"] == "/graphiql/"
    with (
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]),
    ):
        pass


@pytest.fixture
def required(file_container: Container) -> Container:
    settings = file_container.settings.model_copy(
        update={"auth_mode": "required", "rate_limit_enabled": False}
    )
    return dataclasses.replace(file_container, settings=settings)


def new_key(container: Container, role: str, project: str | None = None) -> Any:
    owner = (
        local_caller()
        if project is None
        else dataclasses.replace(local_caller(), project_id=project)
    )
    return container.database.run(
        lambda uow: service.create_key(uow, owner, KeyCreate(role=role))  # type: ignore[arg-type]
    )


def test_roles_and_project_scope_are_those_of_rest(required: Container) -> None:
    other = required.database.run(
        lambda uow: service.create_project(uow, local_caller(), ProjectCreate(name="other"))
    ).id
    viewer, member = (bearer(new_key(required, r).secret) for r in ("viewer", "member"))
    outsider = bearer(new_key(required, "admin", other).secret)
    with TestClient(create_app(required)) as client:
        prompt = create(client, "scoped", member)
        listing = "{ prompts { items { id title } } }"
        # No credentials: refused before anything runs, a query and a mutation alike.
        for query in (
            listing,
            'mutation { createPrompt(input: {name: "n", title: "t", content: "c"}) { id } }',
        ):
            refused = client.post("/graphql", json={"query": query})
            assert refused.status_code == 401
            assert refused.headers["content-type"].startswith("application/problem+json")
        assert client.get("/graphql", params={"query": listing}).status_code == 401
        # A viewer may query (a POST), not mutate.
        assert data(gql(client, listing, viewer))["prompts"]["items"][0]["id"] == prompt["id"]
        label = """mutation($id: ID!) {
            setLabel(promptId: $id, label: "production", version: 1) { version } }"""
        response = gql(client, label, viewer, id=prompt["id"])
        [error] = errors(response)
        assert response.json()["data"] is None
        assert error["extensions"]["code"] == "FORBIDDEN"
        assert "member role" in error["message"]
        assert client.get(f"{API}/prompts/{prompt['id']}", headers=viewer).json()["labels"] == {}
        assert data(gql(client, label, member, id=prompt["id"]))["setLabel"]["version"] == 1
        # Another project sees none of it: its list is empty, the id is not found.
        assert data(gql(client, listing, outsider))["prompts"]["items"] == []
        one = "query($id: ID!) { prompt(id: $id) { id title versions { content } } }"
        response = gql(client, one, outsider, id=prompt["id"])
        [error] = errors(response)
        assert error["extensions"]["code"] == "NOT_FOUND"
        assert response.json()["data"] is None
        assert MARKER not in response.text
        edit = """mutation($id: ID!) {
            editPrompt(id: $id, input: {baseVersion: 1, title: "mine"}) { id } }"""
        [error] = errors(gql(client, edit, outsider, id=prompt["id"]))
        assert error["extensions"]["code"] == "NOT_FOUND"
        assert (
            client.get(f"{API}/prompts/{prompt['id']}", headers=member).json()["title"] == "scoped"
        )


def test_graphql_on_a_real_server(tmp_path: Path) -> None:
    with served(tmp_path, server_env(tmp_path)) as base:
        made = httpx.post(
            f"{base}/graphql",
            json={
                "query": """mutation { createPrompt(input: {name: "served", title: "Served",
                    content: "hello {name}"}) { id version } }"""
            },
            timeout=30,
        )
        assert made.status_code == 200, made.text
        prompt_id = made.json()["data"]["createPrompt"]["id"]
        rest = httpx.get(f"{base}{API}/prompts/{prompt_id}", timeout=30)
        assert rest.status_code == 200
        assert rest.json()["title"] == "Served"
        listing = httpx.post(
            f"{base}/graphql",
            json={"query": PROMPTS_WITH_VERSIONS, "variables": {"limit": 50}},
            timeout=30,
        ).json()
        [item] = listing["data"]["prompts"]["items"]
        assert item["versions"] == [
            {"version": 1, "title": "Served", "content": "hello {name}", "labels": []}
        ]
        deep = "{ prompts " + "{ items " * 10_000 + " }" * 10_001
        refused = httpx.post(f"{base}/graphql", json={"query": deep}, timeout=30)
        assert refused.status_code == 200
        assert "Parsing aborted" in refused.text
        page = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code == 307
        assert page.headers["location"] == "/graphiql/"


DOCS = Path(__file__).resolve().parents[2] / "docs" / "graphql.md"


def test_every_curl_example_in_the_docs_answers_without_errors(client: TestClient) -> None:
    """docs/graphql.md's `curl ... -d '...'` bodies, sent as they are written (in order: the
    create comes before the edit that uses its id)."""
    import json
    import re

    bodies = re.findall(r"-d '(\{.*?\})'", DOCS.read_text())
    assert len(bodies) >= 5
    evaluation_seen = False
    prompt_id = None
    for text in bodies:
        body = json.loads(text)  # strict JSON, as the server parses it
        variables = body.get("variables", {})
        if variables.get("id") == "EVALUATION_ID":
            evaluation_seen = True
            continue  # needs a finished evaluation: the query's fields are checked below
        if variables.get("id") == "PROMPT_ID":
            assert prompt_id is not None, "the docs edit a prompt before creating one"
            variables["id"] = prompt_id
        answer = data(client.post("/graphql", json={**body, "variables": variables}))
        if "createPrompt" in answer:
            prompt_id = answer["createPrompt"]["id"]
    assert evaluation_seen
    assert prompt_id is not None
    # The evaluation example's query validates against the schema (an unknown id is a
    # NOT_FOUND error, not a validation error).
    evaluation = next(json.loads(b) for b in bodies if "EVALUATION_ID" in b)
    found = errors(
        client.post("/graphql", json={**evaluation, "variables": {"id": "no-such-evaluation"}})
    )
    assert found[0]["extensions"]["code"] == "NOT_FOUND", found
