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


def _include_name(name: str | None, type_: str, _parent: object) -> bool:
    """libSQL keeps each vector index in tables of its own (`<index>_shadow`, and
    `libsql_vector_meta_shadow`); they belong to the index, not to the models."""
    return not (type_ in ("table", "index") and name is not None and "_shadow" in name)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite/libSQL alter tables by copy-and-rename
        compare_type=True,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
