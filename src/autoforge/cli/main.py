"""Entry point: `autoforge serve`, `autoforge db ...` and the capability sub-commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from autoforge.cli import db as db_commands
from autoforge.cli import prompts as prompt_commands
from autoforge.cli import runs as run_commands
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
app.add_typer(run_commands.models_app, name="models")
app.command("run")(run_commands.run)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="interface to listen on"),
    port: int = typer.Option(8000, help="port to listen on"),
    migrate: bool = typer.Option(True, help="apply pending migrations before starting"),
    warm: bool = typer.Option(True, help="load the local model in the background at start"),
) -> None:
    """Start the API (docs at /docs) on the configured database."""
    import uvicorn

    from autoforge.app import create_app
    from autoforge.bootstrap import bootstrap
    from autoforge.db import migrations

    container = bootstrap()
    if migrate:
        migrations.upgrade(container.database.engine)
    if warm:
        _warm_up_in_background(container)
    typer.echo(f"AutoForgeNexus on http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
    uvicorn.run(create_app(container), host=host, port=port, log_level="info")
    container.close()


def _warm_up_in_background(container: Container) -> None:
    import threading

    from autoforge.llm.litellm_client import LiteLLMClient

    client = container.gateway.client
    if isinstance(client, LiteLLMClient):
        threading.Thread(target=client.warm_up, name="model-warm-up", daemon=True).start()


if __name__ == "__main__":
    app()
