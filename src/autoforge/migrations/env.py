"""Alembic environment: runs migrations on the engine the application itself would use."""

from __future__ import annotations

from alembic import context

from autoforge.config import get_settings
from autoforge.db.all_models import Base
from autoforge.db.engine import make_engine

config = context.config


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        engine = make_engine(get_settings())
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connectable)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite/libSQL alter tables by copy-and-rename
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
