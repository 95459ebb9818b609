"""No query can forget the project: every SQL statement that a request's transaction sends
and that reads, changes or deletes rows of a tenant table names `project_id`.

The statements are caught at the database connection, after SQLAlchemy compiled them, while a
workload walks every listing and detail route, and the writes, as a project's key; the check
does not trust the repositories to have asked for the filter.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, SessionTransaction

from autoforge.app import create_app
from autoforge.bootstrap import Container
from autoforge.db.tenancy import ProjectOwned, scope_of
from autoforge.db.unit_of_work import AutoforgeSession
from autoforge.identity import service
from autoforge.identity.caller import local_caller
from autoforge.identity.schemas import KeyCreate
from tests.support.optimizations import with_oracle

API = "/api/v1"
TENANT_TABLES = sorted(
    cls.__tablename__  # type: ignore[attr-defined]
    for cls in ProjectOwned.__subclasses__()
)
SCOPED = "autoforge.test.scoped"
FLUSHING = "autoforge.test.flushing"
BY_PRIMARY_KEY = re.compile(
    r"^(UPDATE \w+ SET .*|DELETE FROM \w+) WHERE (\w+)\.id = \?$", re.DOTALL
)


@dataclasses.dataclass
class Seen:
    statements: list[str] = dataclasses.field(default_factory=list)
    # The unit of work's own UPDATEs and DELETEs of rows it holds, by primary key: a row can
    # only be held after a filtered read, or after being stamped with the project on insert.
    flushed: list[str] = dataclasses.field(default_factory=list)


@pytest.fixture
def seen(file_container: Container) -> Iterator[Seen]:
    seen = Seen()

    def mark(session: Session, _tx: SessionTransaction, connection: Connection) -> None:
        connection.info[SCOPED] = scope_of(session) is not None

    def before(conn: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        if conn.info.get(SCOPED):
            target = seen.flushed if conn.info.get(FLUSHING) else seen.statements
            target.append(statement)

    def flushing(session: Session, *_: Any) -> None:
        session.connection().info[FLUSHING] = True

    def flushed(session: Session, *_: Any) -> None:
        session.connection().info.pop(FLUSHING, None)

    def released(session: Session, _tx: SessionTransaction) -> None:
        session.connection().info.pop(SCOPED, None)

    engine = file_container.database.engine
    event.listen(AutoforgeSession, "after_begin", mark)
    event.listen(AutoforgeSession, "before_flush", flushing)
    event.listen(AutoforgeSession, "after_flush", flushed)
    event.listen(engine, "before_cursor_execute", before)
    yield seen
    event.remove(engine, "before_cursor_execute", before)
    event.remove(AutoforgeSession, "after_flush", flushed)
    event.remove(AutoforgeSession, "before_flush", flushing)
    event.remove(AutoforgeSession, "after_begin", mark)
    # Pooled connections keep their info: clear the mark so no later test inherits it.
    with engine.connect() as conn:
        conn.info.pop(SCOPED, None)


def reads_tenant_table(statement: str) -> list[str]:
    return [
        table
        for table in TENANT_TABLES
        if re.search(rf'\b(FROM|JOIN|UPDATE)\s+"?{table}"?(\s|$|,|\))', statement, re.IGNORECASE)
    ]


def workload(client: TestClient, headers: dict[str, str]) -> None:
    def ok(response: Any) -> Any:
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    prompt = ok(
        client.post(
            f"{API}/prompts",
            json={"name": "p", "title": "t", "content": "c {{text}}"},
            headers=headers,
        )
    )
    url = f"{API}/prompts/{prompt['id']}"
    ok(client.patch(url, json={"content": "d {{text}}", "base_version": 1}, headers=headers))
    ok(client.put(f"{url}/labels/production", json={"version": 2}, headers=headers))
    for path in (url, f"{url}/versions", f"{url}/versions/1", f"{API}/prompts/by-name/p"):
        ok(client.get(path, headers=headers))
    ok(client.get(f"{url}/diff", params={"from": 1, "to": 2}, headers=headers))
    ok(client.post(f"{url}/status", json={"status": "active"}, headers=headers))
    ok(client.post(f"{url}/rollback", json={"version": 1}, headers=headers))
    ok(client.post(f"{url}/run", json={"variables": {"text": "x"}}, headers=headers))
    ok(client.delete(url, headers=headers))
    ok(client.post(f"{url}/restore", headers=headers))
    exported = client.get(f"{API}/prompts:export", headers=headers)
    assert exported.status_code == 200
    assert len(exported.text.splitlines()) == 2  # and the seeded "review"
    template = ok(
        client.post(
            f"{API}/templates",
            json={"name": "t", "content": "{{x}}", "parameters": [{"name": "x"}]},
            headers=headers,
        )
    )
    ok(
        client.post(
            f"{API}/templates/{template['id']}/render",
            json={"variables": {"x": "1"}},
            headers=headers,
        )
    )
    dataset = ok(client.get(f"{API}/datasets/by-name/sentiment", headers=headers))
    ok(client.get(f"{API}/datasets/{dataset['id']}/versions/1/items", headers=headers))
    for path in (
        "/prompts",
        "/templates",
        "/datasets",
        "/evaluations",
        "/optimizations",
        "/traces",
        "/dashboard",
    ):
        ok(client.get(f"{API}{path}", headers=headers))
    started = ok(
        client.post(
            f"{API}/evaluations",
            json={"prompt_id": prompt["id"], "dataset_id": dataset["id"]},
            headers=headers,
        )
    )
    ok(client.get(f"{API}/evaluations/{started['evaluations'][0]['id']}", headers=headers))


def test_every_statement_of_a_scoped_transaction_names_the_project(
    file_container: Container, seen: Seen
) -> None:
    container, _ = with_oracle(file_container)
    key = container.database.run(
        lambda uow: service.create_key(uow, local_caller(), KeyCreate(role="admin"))
    )
    with TestClient(create_app(container)) as client:
        workload(client, {"Authorization": f"Bearer {key.secret}"})
    container.gateway.close()

    checked = [s for s in seen.statements if reads_tenant_table(s)]
    unscoped = [s for s in checked if "project_id" not in s]
    print(f"\n{len(seen.statements)} scoped statements, {len(checked)} on tenant tables")
    assert len(checked) >= 30  # the workload did reach the tenant tables
    assert set(TENANT_TABLES) >= {"prompts", "prompt_templates", "datasets", "evaluations"}
    assert not unscoped, "statements without the project filter:\n" + "\n\n".join(unscoped)
    # What the unit of work flushed touched rows by primary key only (INSERTs are stamped).
    by_key = [s for s in seen.flushed if reads_tenant_table(s)]
    assert by_key  # the workload did update rows
    assert all(BY_PRIMARY_KEY.match(s.strip()) for s in by_key), by_key


def test_the_check_itself_catches_a_query_without_the_filter() -> None:
    assert reads_tenant_table("SELECT prompts.id FROM prompts WHERE prompts.name = ?") == [
        "prompts"
    ]
    assert reads_tenant_table('UPDATE "datasets" SET name=?') == ["datasets"]
    assert reads_tenant_table("SELECT 1 FROM prompt_versions") == []
