"""Alembic: a full cycle on a fresh database, and data surviving a down-and-up migration."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import inspect, select
from typer.testing import CliRunner

from autoforge.bootstrap import bootstrap
from autoforge.cli.main import app
from autoforge.config import Settings
from autoforge.db import migrations
from autoforge.db.all_models import Base
from autoforge.prompts.models import PromptRow, PromptTagRow, PromptVersionRow


def settings_for(path: Path) -> Settings:
    return Settings(autoforge_data_dir=path, _env_file=None)  # type: ignore[call-arg]


def test_full_cycle_creates_and_removes_every_table(tmp_path: Path) -> None:
    engine = bootstrap(settings_for(tmp_path)).database.engine
    migrations.upgrade(engine)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    migrations.check(engine)  # models and migrations agree
    migrations.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrations.upgrade(engine)
    assert migrations.current(engine) == migrations.head()


def test_data_survives_downgrade_and_upgrade(tmp_path: Path) -> None:
    container = bootstrap(settings_for(tmp_path))
    engine = container.database.engine
    migrations.upgrade(engine, "0001")
    # Written with raw SQL: the current models have columns that revision 0001 lacks.
    prompt = PromptRow(id="p1")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO prompts (id, user_id, name, title, content, status, version, metadata,"
            " created_at, updated_at) VALUES ('p1', 'alice', 'keep-me', 'T', 'Hello {{x}}',"
            " 'draft', 1, '{}', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')"
        )
        conn.exec_driver_sql("INSERT INTO prompt_tags (prompt_id, tag_name) VALUES ('p1', 't1')")
        conn.exec_driver_sql(
            "INSERT INTO prompt_versions (id, prompt_id, version_number, title, content,"
            " created_by, created_at) VALUES ('v1', 'p1', 1, 'T', 'Hello', 'a',"
            " '2026-01-01T00:00:00.000000Z')"
        )
        conn.exec_driver_sql(
            "INSERT INTO evaluations (id, prompt_id, prompt_version, status, provider, model,"
            " overall_score, config, created_at, updated_at) VALUES ('ev1', ?, 1, 'completed',"
            " 'local', 'gemma', 0.75, '{}', '2026-01-01T00:00:00.000000Z',"
            " '2026-01-01T00:00:00.000000Z')",
            (prompt.id,),
        )
    migrations.upgrade(engine)  # every later migration runs over a database with data
    migrations.downgrade(engine, "0001")
    migrations.upgrade(engine)
    assert migrations.current(engine) == migrations.head()
    with container.database.transaction(read_only=True) as uow:
        kept = uow.session.scalars(select(PromptRow)).one()
        tags = list(uow.session.scalars(select(PromptTagRow.tag_name)))
        versions = list(uow.session.scalars(select(PromptVersionRow.version_number)))
    assert (kept.id, kept.name, kept.content) == (prompt.id, "keep-me", "Hello {{x}}")
    assert tags == ["t1"]
    assert versions == [1]
    with engine.connect() as conn:
        evaluation = conn.exec_driver_sql(
            "SELECT prompt_id, overall_score, done_cases FROM evaluations WHERE id = 'ev1'"
        ).one()
    assert tuple(evaluation) == (prompt.id, 0.75, 0)  # tables rebuilt in batch mode keep rows
    container.close()


def test_cli_db_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"AUTOFORGE_DATA_DIR": str(tmp_path)}
    result = runner.invoke(app, ["db", "current"], env=env)
    assert result.exit_code == 0
    assert "current: none" in result.output
    assert runner.invoke(app, ["db", "check"], env=env).exit_code == 1  # behind head
    upgraded = runner.invoke(app, ["db", "upgrade"], env=env)
    assert upgraded.exit_code == 0, upgraded.output
    assert f"database at {migrations.head()}" in upgraded.output
    checked = runner.invoke(app, ["db", "check"], env=env)
    assert checked.exit_code == 0, checked.output
    assert "schema matches" in checked.output
    assert runner.invoke(app, ["db", "maintain", "--vacuum"], env=env).exit_code == 0
    down = runner.invoke(app, ["db", "downgrade", "base"], env=env)
    assert down.exit_code == 0
    assert "base (empty)" in down.output


def test_a_single_user_database_moves_into_the_default_project_whole(tmp_path: Path) -> None:
    """Data made before teams (revision 0006: one user's prompts, datasets, evaluations,
    optimizations and call log) is all in the default project afterwards, readable over
    HTTP by `make run`'s local owner, with nothing lost."""
    from fastapi.testclient import TestClient

    from autoforge.app import create_app
    from autoforge.identity.caller import DEFAULT_PROJECT_ID
    from tests.support.evaluations import start_evaluation, wait_until_finished
    from tests.support.optimizations import read, start, with_oracle

    container = bootstrap(settings_for(tmp_path))
    engine = container.database.engine
    migrations.upgrade(engine)
    container, _ = with_oracle(container)
    evaluation_ids, _ = start_evaluation(container, prompt_name="review", dataset_name="sentiment")
    optimization_id, _ = start(container, budget={"calls": 120})
    with TestClient(create_app(container)) as client:
        for evaluation_id in evaluation_ids:
            wait_until_finished(container, evaluation_id)
        deadline = time.monotonic() + 60
        while read(container, optimization_id).status not in ("completed", "failed"):
            assert time.monotonic() < deadline, "the optimization did not finish"
            time.sleep(0.05)
        before = {url: client.get(url).json() for url in URLS(evaluation_ids[0], optimization_id)}

    migrations.downgrade(engine, "0006")  # the shape of a database made before teams
    with engine.connect() as conn:
        owners = {
            table: set(conn.exec_driver_sql(f"SELECT DISTINCT user_id FROM {table}").scalars())
            for table in ("prompts", "datasets", "evaluations", "optimizations")
        }
    assert owners == {table: {"local-user"} for table in owners}

    migrations.upgrade(engine)
    with engine.connect() as conn:
        projects = {
            table: set(conn.exec_driver_sql(f"SELECT DISTINCT project_id FROM {table}").scalars())
            for table in ("prompts", "datasets", "evaluations", "optimizations", "llm_calls")
        }
    assert projects == {table: {DEFAULT_PROJECT_ID} for table in projects}
    with TestClient(create_app(container)) as client:
        after = {url: client.get(url).json() for url in before}
    assert after == before
    assert len(before["/api/v1/prompts"]["items"]) == 1
    assert before[f"/api/v1/optimizations/{optimization_id}"]["status"] == "completed"
    container.gateway.close()
    container.close()


def URLS(evaluation_id: str, optimization_id: str) -> list[str]:  # noqa: N802
    return [
        "/api/v1/prompts",
        "/api/v1/datasets",
        "/api/v1/evaluations",
        f"/api/v1/evaluations/{evaluation_id}",
        f"/api/v1/evaluations/{evaluation_id}/results",
        f"/api/v1/optimizations/{optimization_id}",
        f"/api/v1/optimizations/{optimization_id}/candidates",
        "/api/v1/traces",
        "/api/v1/dashboard",
    ]
