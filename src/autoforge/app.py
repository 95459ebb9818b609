"""create_app(): lifespan, routers, problem+json handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from autoforge import __version__
from autoforge.api import problems, web_ui
from autoforge.api.access import AccessMiddleware
from autoforge.api.bodies import MAX_IMPORT_BYTES
from autoforge.api.body_limit import BodyLimitMiddleware
from autoforge.api.rate_limit import RateLimiter
from autoforge.api.responses import guarded
from autoforge.bootstrap import Container, bootstrap
from autoforge.config import get_settings
from autoforge.dashboard.router import router as dashboard_router
from autoforge.datasets.router import router as datasets_router
from autoforge.diffoscope.router import router as diffoscope_router
from autoforge.evaluations.router import router as evaluations_router
from autoforge.graphql.router import router as graphql_router
from autoforge.health.router import router as health_router
from autoforge.identity.router import router as identity_router
from autoforge.identity.session import router as session_router
from autoforge.langfuse.router import router as langfuse_router
from autoforge.llm.router import openai_router
from autoforge.llm.router import router as llm_router
from autoforge.observability.http import ObservabilityMiddleware
from autoforge.observability.process import prepare_process
from autoforge.observability.router import router as metrics_router
from autoforge.optimizations.router import router as optimizations_router
from autoforge.promptfoo.router import router as promptfoo_router
from autoforge.prompts.router import router as prompts_router
from autoforge.runs.router import router as runs_router
from autoforge.secrets.router import router as secrets_router
from autoforge.similarity.router import router as similarity_router
from autoforge.slos.router import router as slos_router
from autoforge.style.router import router as style_router
from autoforge.telemetry.router import router as telemetry_router
from autoforge.templates.router import router as templates_router
from autoforge.worker.background import BackgroundWork

# Every router behind AccessMiddleware, in matching order (`/prompts:search` before
# `/prompts/{prompt_id}`); their OpenAPI entries list the auth problems.
GUARDED_ROUTERS = (
    llm_router,
    openai_router,
    similarity_router,
    prompts_router,
    runs_router,
    templates_router,
    evaluations_router,
    diffoscope_router,
    datasets_router,
    promptfoo_router,
    optimizations_router,
    dashboard_router,
    identity_router,
    secrets_router,
    slos_router,
    style_router,
    telemetry_router,
    langfuse_router,
    graphql_router,
)


def create_worker_app() -> FastAPI:
    """One process of `serve --workers N` (uvicorn imports this by name in each process):
    its own logs, metrics files and container, bootstrapped in its lifespan."""
    prepare_process(get_settings())
    return create_app()


def create_app(container: Container | None = None) -> FastAPI:
    # Read once: the UI's folder is needed now, the rest when the lifespan bootstraps.
    settings = container.settings if container is not None else get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = app.state.container is None
        if owned:
            app.state.container = bootstrap(settings)
        background = BackgroundWork(app.state.container)
        background.start()  # relay, jobs, SLO checks, embeddings: see worker/background.py
        yield
        background.stop()
        if owned:
            app.state.container.close()

    app = FastAPI(
        title="AutoForgeNexus",
        version=__version__,
        description="Keep, version, evaluate and optimize prompts. Errors are "
        "`application/problem+json`.",
        lifespan=lifespan,
    )
    app.state.container = container
    problems.install(app)
    # The last added runs first: CORS (so that 4xx answers carry its headers), the body
    # limit (before anything reads a body), then authentication, roles and rate limits.
    limiter = (
        RateLimiter(settings.rate_limit_key, settings.rate_limit_ip, settings.redis_url or None)
        if settings.rate_limit_enabled
        else None
    )
    app.add_middleware(
        AccessMiddleware, authenticator=lambda: app.state.container.authenticator, limiter=limiter
    )
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        path_limits=[
            (r"/api/v1/prompts:import", MAX_IMPORT_BYTES),
            (r"/api/v1/datasets/[^/]+:import", MAX_IMPORT_BYTES),
        ],
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["Retry-After", "ETag"],
        )
    # Outermost: every answer (refusals too) gets a request id, a duration and a span.
    app.add_middleware(ObservabilityMiddleware, enabled=settings.metrics_enabled)
    app.include_router(health_router)
    app.include_router(metrics_router)
    for router in GUARDED_ROUTERS:
        app.include_router(router, responses=guarded())
    app.include_router(session_router)
    web_ui.mount(app, settings.autoforge_web_dir)
    return app
