"""Entry point: `autoforge serve`, `autoforge db ...` and the capability sub-commands."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import typer

from autoforge.cli import datasets as dataset_commands
from autoforge.cli import db as db_commands
from autoforge.cli import diffoscope as diffoscope_command
from autoforge.cli import doctor as doctor_command
from autoforge.cli import evaluations as evaluation_commands
from autoforge.cli import identity as identity_commands
from autoforge.cli import optimizations as optimization_commands
from autoforge.cli import promptfoo as promptfoo_commands
from autoforge.cli import prompts as prompt_commands
from autoforge.cli import runs as run_commands
from autoforge.cli import secrets as secret_commands
from autoforge.cli import slos as slo_commands
from autoforge.cli import templates as template_commands

if TYPE_CHECKING:
    from autoforge.bootstrap import Container

app = typer.Typer(
    name="autoforge",
    help="AutoForgeNexus: keep, version, evaluate and optimize prompts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db_commands.app, name="db")
app.add_typer(prompt_commands.app, name="prompt")
app.add_typer(template_commands.app, name="template")
app.add_typer(dataset_commands.app, name="dataset")
evaluation_commands.app.command("diffoscope")(diffoscope_command.diffoscope)
app.add_typer(evaluation_commands.app, name="eval")
app.add_typer(optimization_commands.app, name="optimize")
app.add_typer(run_commands.models_app, name="models")
app.command("run")(run_commands.run)
app.command("doctor")(doctor_command.doctor)
app.add_typer(identity_commands.project_app, name="project")
app.add_typer(identity_commands.key_app, name="key")
app.add_typer(identity_commands.member_app, name="member")
app.add_typer(secret_commands.app, name="secret")
app.add_typer(slo_commands.app, name="slo")
app.add_typer(promptfoo_commands.import_app, name="import")
app.add_typer(promptfoo_commands.export_app, name="export")


@app.callback()
def main(
    api_key: str | None = typer.Option(
        None,
        "--api-key",
        envvar="AUTOFORGE_API_KEY",
        help="act as this API key (its project and role) instead of the local owner",
        show_default=False,
    ),
    project: str | None = typer.Option(
        None,
        "--project",
        envvar="AUTOFORGE_PROJECT",
        help="act in this project (an id) instead of the one `project use` chose",
        show_default=False,
    ),
) -> None:
    """AutoForgeNexus: keep, version, evaluate and optimize prompts."""
    import os

    # Settings read the environment: the options reach every command through it.
    if api_key:
        os.environ["AUTOFORGE_API_KEY"] = api_key
    if project:
        os.environ["AUTOFORGE_PROJECT"] = project


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="interface to listen on"),
    port: int = typer.Option(8000, help="port to listen on"),
    migrate: bool = typer.Option(True, help="apply pending migrations before starting"),
    warm: bool = typer.Option(True, help="load the local model in the background at start"),
    workers: int = typer.Option(
        1,
        min=1,
        max=64,
        help="server processes on this database; one of them runs the background work",
    ),
) -> None:
    """Start the API (docs at /docs) on the configured database.

    With --workers N, N processes share the port and the database. One of them (whichever
    holds <data dir>/background.lock) runs the event handlers, the job runner, the SLO checks
    and the embeddings; another takes over within seconds if it dies. Each process starts its
    own local model only when a request there needs it (about 0.5 GB each)."""
    import uvicorn

    from autoforge.app import create_app
    from autoforge.bootstrap import bootstrap
    from autoforge.config import get_settings
    from autoforge.db import migrations
    from autoforge.observability.process import prepare_process

    prepare_process(get_settings())  # logs, shared metrics directory, spans: before the rest
    container = bootstrap()
    if container.settings.auth_mode == "local" and not _is_loopback(host):
        container.close()
        typer.echo(
            f"error: refusing to listen on {host} without authentication: in local mode every "
            "request without credentials acts as the owner. Set AUTH_MODE=required (callers "
            "then need an API key, `autoforge key create`, or a Clerk token: CLERK_JWKS_URL "
            "and CLERK_ISSUER), or listen on 127.0.0.1.",
            err=True,
        )
        raise typer.Exit(2)
    if migrate:
        migrations.upgrade(container.database.engine)
    typer.echo(f"AutoForgeNexus on http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
    if workers > 1:
        container.close()
        typer.echo(f"{workers} server processes; background work in one of them")
        # The processes inherit the environment: each elects, bootstraps and logs itself.
        os.environ["BACKGROUND_ELECTION"] = "true"
        uvicorn.run(
            "autoforge.app:create_worker_app",
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_level="info",
            log_config=None,
        )
        return
    if warm:
        _warm_up_in_background(container)
    # log_config=None: uvicorn's lines go through our (JSON) handler, with request ids.
    uvicorn.run(create_app(container), host=host, port=port, log_level="info", log_config=None)
    container.close()


@app.command()
def worker(
    concurrency: int = typer.Option(2, help="jobs this worker runs at once"),
    pool: str = typer.Option("threads", help="Celery pool: threads, prefork or solo"),
) -> None:
    """Start a Celery worker (scaled-out shape): takes evaluation and optimization jobs from
    the Redis broker at REDIS_URL. Jobs survive a killed worker: another one resumes them."""
    from autoforge.bootstrap import bootstrap
    from autoforge.config import Settings
    from autoforge.db import migrations
    from autoforge.observability.process import prepare_process

    settings = Settings()
    prepare_process(settings)
    if not settings.redis_url:
        typer.echo("error: REDIS_URL is not set (e.g. redis://127.0.0.1:6379/0)", err=True)
        raise typer.Exit(1)
    from autoforge.worker.celery_app import QUEUE, create_celery

    built = bootstrap(settings)
    migrations.upgrade(built.database.engine)
    built.close()
    create_celery(settings).worker_main(
        [
            "worker",
            "--loglevel=INFO",
            f"--concurrency={concurrency}",
            f"--pool={pool}",
            f"--queues={QUEUE}",
            "--without-gossip",
            "--without-mingle",
        ]
    )


def _warm_up_in_background(container: Container) -> None:
    import threading

    from autoforge.llm.litellm_client import LiteLLMClient

    client = container.gateway.client
    if isinstance(client, LiteLLMClient):
        threading.Thread(target=client.warm_up, name="model-warm-up", daemon=True).start()


if __name__ == "__main__":
    app()
