"""The app as `autoforge serve` runs it, plus one bare route returning a constant: the
framework's own ceiling on this machine, measured in the same server process.

`python -m bench.http_server DATA_DIR PORT [WORKERS]`: with WORKERS > 1, as
`autoforge serve --workers N` runs (one process holds the background work)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import uvicorn
from fastapi import FastAPI, Response

from autoforge.app import create_app
from autoforge.bootstrap import bootstrap
from autoforge.config import Settings

DATA_DIR_ENV = "BENCH_DATA_DIR"


def create() -> FastAPI:
    """The app on the data dir in BENCH_DATA_DIR (uvicorn calls this in each process)."""
    data_dir = Path(os.environ[DATA_DIR_ENV])
    # No web UI: its mount at `/` would shadow the route added below. No background
    # embedding: 100,000 freshly imported prompts would keep the CPU busy for an hour.
    settings = Settings(  # type: ignore[call-arg]
        autoforge_data_dir=data_dir,
        autoforge_web_dir=data_dir / "no-web-ui",
        background_embeddings=False,
        _env_file=None,
    )
    app = create_app(bootstrap(settings))

    # The cheapest answer the framework can give (no thread-pool hop, no serialization):
    # the ceiling every route of this server is compared with.
    @app.get("/bench/constant", include_in_schema=False)
    async def constant() -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    return app


def main(data_dir: str, port: int, workers: int = 1) -> None:
    os.environ[DATA_DIR_ENV] = data_dir
    if workers > 1:
        os.environ["BACKGROUND_ELECTION"] = "true"
    uvicorn.run(
        "bench.http_server:create",
        factory=True,
        workers=workers,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 1)
