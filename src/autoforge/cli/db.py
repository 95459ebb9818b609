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


@app.command("slow-queries")
def slow_queries(
    limit: int = typer.Option(10, min=1, help="how many shapes to show"),
    as_json: bool = typer.Option(False, "--json", help="one JSON object per shape"),
) -> None:
    """The statement shapes that cost the most time in all, from the slow statements every
    process on this data dir kept (slower than SLOW_QUERY_MS; `<data dir>/slow_queries.jsonl`)."""
    import json

    from autoforge.config import Settings
    from autoforge.observability.slow_queries import FILE_NAME, worst_shapes

    path = Settings().data_dir / FILE_NAME
    reports = worst_shapes(path, limit)
    if as_json:
        for report in reports:
            typer.echo(json.dumps(report.as_json()))
        return
    if not reports:
        typer.echo(f"no slow statements kept in {path}")
        return
    for rank, report in enumerate(reports, 1):
        typer.echo(
            f"{rank}. {report.count}x  total {report.total_ms:.1f} ms  mean {report.mean_ms:.1f} ms"
            f"  max {report.max_ms:.1f} ms  table {report.table}"
        )
        typer.echo(f"   {report.shape}")
        if report.top_caller:
            typer.echo(f"   called from {report.top_caller}")
