"""The app as `autoforge serve` runs it, plus one bare route returning a constant: the
framework's own ceiling on this machine, measured in the same server process."""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

from autoforge.app import create_app
from autoforge.bootstrap import bootstrap
from autoforge.config import Settings


def main(data_dir: str, port: int) -> None:
    # No web UI: its mount at `/` would shadow the route added below. No background
    # embedding: 100,000 freshly imported prompts would keep the CPU busy for an hour.
    settings = Settings(  # type: ignore[call-arg]
        autoforge_data_dir=Path(data_dir),
        autoforge_web_dir=Path(data_dir) / "no-web-ui",
        background_embeddings=False,
        _env_file=None,
    )
    container = bootstrap(settings)
    app = create_app(container)

    @app.get("/bench/constant", include_in_schema=False)
    def constant() -> dict[str, str]:
        return {"status": "ok"}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
