"""A commit that fails after the endpoint returned reaches the client as a 5xx problem, and
nothing of the write is stored.

A test-only `before_commit` listener fails the commit of the one request whose prompt is
named "doomed": the endpoint has already returned its 201 body by then, so only a commit
that runs before the response is sent can turn it into an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from autoforge.app import create_app
from autoforge.bootstrap import Container
from autoforge.db.unit_of_work import AutoforgeSession
from autoforge.prompts.models import PromptRow
from autoforge.worker.models import JobRow
from tests.support.evaluations import items, seed_dataset, seed_prompt

PROBLEM = "application/problem+json"


def _mark_doomed(session: Session, _context: object) -> None:
    """Marks a transaction that writes a prompt named "doomed..." or queues a job. Checked
    at flush, while the new rows are still in hand (the identity map holds them weakly)."""
    if any(
        (isinstance(row, PromptRow) and row.name.startswith("doomed")) or isinstance(row, JobRow)
        for row in session.new
    ):
        session.info["doomed"] = True


@pytest.fixture
def failing_commits() -> Iterator[list[Exception]]:
    """The next doomed commits raise the exceptions in the yielded list, one each."""
    failures: list[Exception] = []

    def before_commit(session: Session) -> None:
        if failures and session.info.pop("doomed", False):
            raise failures.pop(0)

    event.listen(AutoforgeSession, "after_flush", _mark_doomed)
    event.listen(AutoforgeSession, "before_commit", before_commit)
    try:
        yield failures
    finally:
        event.remove(AutoforgeSession, "before_commit", before_commit)
        event.remove(AutoforgeSession, "after_flush", _mark_doomed)


@pytest.fixture
def client(file_container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(file_container), raise_server_exceptions=False) as test_client:
        yield test_client


def stored_prompts(container: Container, name: str) -> int:
    with container.database.transaction(read_only=True) as uow:
        count = uow.session.scalar(
            select(func.count()).select_from(PromptRow).where(PromptRow.name == name)
        )
    return int(count or 0)


def create(client: TestClient, name: str) -> Any:
    return client.post("/api/v1/prompts", json={"name": name, "title": "t", "content": "c"})


def test_a_failed_commit_is_a_500_problem_and_stores_nothing(
    client: TestClient, file_container: Container, failing_commits: list[Exception]
) -> None:
    failing_commits.append(RuntimeError("disk I/O error"))
    response = create(client, "doomed")

    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["title"] == "Internal error"
    assert "disk I/O error" not in response.text  # internals stay in the log
    assert stored_prompts(file_container, "doomed") == 0
    assert client.get("/api/v1/prompts/by-name/doomed").status_code == 404
    # The same request once the fault has passed is committed and found.
    assert create(client, "doomed").status_code == 201
    assert stored_prompts(file_container, "doomed") == 1


def test_a_locked_database_at_commit_is_a_503_with_retry_after(
    client: TestClient, file_container: Container, failing_commits: list[Exception]
) -> None:
    failing_commits.append(OperationalError("COMMIT", {}, Exception("database is locked")))
    response = create(client, "doomed-locked")

    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["retry-after"] == "1"
    assert "nothing was stored" in response.json()["detail"]
    assert stored_prompts(file_container, "doomed-locked") == 0


def test_a_failed_commit_dispatches_no_job(
    client: TestClient, file_container: Container, failing_commits: list[Exception]
) -> None:
    """Jobs queued in a transaction reach a worker only after its commit."""
    seed_prompt(file_container.database, "judged", "Is {{text}} good?")
    seed_dataset(file_container.database, "cases", items(2))
    dispatched: list[list[str]] = []
    real_dispatch = file_container.database.dispatch_jobs
    file_container.database.dispatch_jobs = lambda job_ids: dispatched.append(list(job_ids))
    body = {"prompt_name": "judged", "dataset_name": "cases", "models": ["fake/echo"]}
    try:
        failing_commits.append(RuntimeError("disk I/O error"))
        assert client.post("/api/v1/evaluations", json=body).status_code == 500
        assert dispatched == []
        assert client.get("/api/v1/evaluations").json()["items"] == []

        started = client.post("/api/v1/evaluations", json=body)
        assert started.status_code == 202, started.text
        assert len(dispatched) == 1
        assert len(dispatched[0]) == 1
    finally:
        file_container.database.dispatch_jobs = real_dispatch
