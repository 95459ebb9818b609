"""`autoforge db`: migrations and maintenance of the configured database."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from sqlalchemy import Engine

app = typer.Typer(help="Schema migrations (Alembic) and maintenance.", no_args_is_help=True)


def _engine() -> Engine:
    from autoforge.config import Settings
    from autoforge.db.engine import make_engine

    return make_engine(Settings())


@app.command()
def upgrade(revision: str = typer.Argument("head", help="target revision")) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from autoforge.db import migrations

    migrations.upgrade(_engine(), revision)
    typer.echo(f"database at {migrations.current(_engine())}")


@app.command()
def downgrade(revision: str = typer.Argument("-1", help="target revision, or -N steps")) -> None:
    """Revert migrations down to REVISION (default: one step)."""
    from autoforge.db import migrations

    migrations.downgrade(_engine(), revision)
    typer.echo(f"database at {migrations.current(_engine()) or 'base (empty)'}")


@app.command()
def current() -> None:
    """Show the applied revision and the newest one available."""
    from autoforge.db import migrations

    typer.echo(f"current: {migrations.current(_engine()) or 'none'}  head: {migrations.head()}")


@app.command()
def check() -> None:
    """Fail (exit 1) if the database is behind or the models need a new migration."""
    from autoforge.db import migrations

    engine = _engine()
    if migrations.current(engine) != migrations.head():
        typer.echo(
            f"database is at {migrations.current(engine)}, head is {migrations.head()}", err=True
        )
        raise typer.Exit(1)
    try:
        migrations.check(engine)
    except Exception as exc:
        typer.echo(f"schema drift: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo("schema matches the models")


@app.command()
def maintain(vacuum: bool = typer.Option(False, help="also VACUUM (rewrites the file)")) -> None:
    """Refresh planner statistics (ANALYZE, PRAGMA optimize) and optionally VACUUM."""
    engine = _engine()
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("ANALYZE")
        cursor.execute("PRAGMA optimize")
        if vacuum:
            cursor.execute("VACUUM")
    finally:
        raw.close()
    typer.echo("ANALYZE done" + (", VACUUM done" if vacuum else ""))
