"""Alembic: a full cycle on a fresh database, and data surviving a down-and-up migration."""

from __future__ import annotations

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
    with container.database.transaction() as uow:
        prompt = PromptRow(project_id="alice", name="keep-me", title="T", content="Hello {{x}}")
        uow.session.add(prompt)
        uow.session.flush()
        uow.session.add(PromptTagRow(prompt_id=prompt.id, tag_name="t1"))
        uow.session.add(
            PromptVersionRow(
                prompt_id=prompt.id, version_number=1, title="T", content="Hello", created_by="a"
            )
        )
    # Written with raw SQL: the current model has columns that revision 0001 lacks.
    with engine.begin() as conn:
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
