"""The composition root: the single place where real adapters are wired together."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from autoforge.cache.aside import Cache
from autoforge.cache.backend import CacheBackend
from autoforge.cache.memory import InProcessBackend
from autoforge.cache.off import CacheOff
from autoforge.config import Settings, get_settings
from autoforge.db.engine import make_engine
from autoforge.db.unit_of_work import Database
from autoforge.evaluations.embeddings import SentenceEmbedder, TextEmbedder
from autoforge.events.base import DomainEvent
from autoforge.events.bus import EventBus
from autoforge.events.relay import OutboxRelay
from autoforge.identity import service as identity_service
from autoforge.identity.authenticate import Authenticator
from autoforge.identity.caller import Caller
from autoforge.identity.clerk import ClerkIdentity, ClerkVerifier, TokenRejected
from autoforge.identity.service import Rejected
from autoforge.llm.cache import ResponseCache
from autoforge.llm.gateway import Gateway, GatewayConfig, ModelClient
from autoforge.llm.litellm_client import LiteLLMClient
from autoforge.llm.local_model import (
    GGUF_FILE,
    LocalModelConfig,
    LocalRunner,
    shared_local_model,
)
from autoforge.llm.model_process import shared_model_process
from autoforge.llm.pricing import Price, Pricing
from autoforge.llm.repository import CallLog
from autoforge.llm.write_behind import WriteBehind
from autoforge.secrets.keys import vault_of
from autoforge.secrets.provider_keys import ProviderKeys
from autoforge.worker.dispatch import JobSignal, dispatch_jobs

log = logging.getLogger("autoforge")


@dataclass
class Container:
    settings: Settings
    database: Database
    bus: EventBus
    relay: OutboxRelay
    gateway: Gateway
    cache: Cache
    # Loads nothing until the first text is embedded (similarity assertions and
    # similar-prompt search need it); a provider's when EMBEDDING_MODEL is set.
    embedder: TextEmbedder = field(default_factory=SentenceEmbedder)
    # Wakes this process's job workers when a job is enqueued here.
    jobs: JobSignal = field(default_factory=JobSignal)
    authenticator: Authenticator = field(init=False)

    def __post_init__(self) -> None:
        self.authenticator = build_authenticator(self.settings, self.database)

    def publish_infrastructure(self, event: DomainEvent) -> None:
        """Infrastructure events bypass the outbox: they report on the database itself."""
        log.info("%s %s", event.event_type, event.payload())
        self.bus.dispatch(event)

    def close(self) -> None:
        self.relay.stop()
        self.gateway.close()
        self.cache.close()
        self.bus.close()
        self.database.engine.dispose()


def bootstrap(settings: Settings | None = None) -> Container:
    settings = settings or get_settings()
    bus = EventBus()
    holder: list[Container] = []
    engine = make_engine(
        settings, on_event=lambda e: holder[0].publish_infrastructure(e) if holder else None
    )
    database = Database(engine)
    relay = OutboxRelay(database, bus)
    database.after_commit = relay.notify
    container = Container(
        settings=settings,
        database=database,
        bus=bus,
        relay=relay,
        gateway=build_gateway(settings, database),
        cache=Cache(build_cache_backend(settings)),
        embedder=build_embedder(settings),
    )
    database.invalidate = container.cache.invalidate
    database.dispatch_jobs = lambda job_ids: dispatch_jobs(container, job_ids)
    holder.append(container)
    return container


def build_embedder(settings: Settings) -> TextEmbedder:
    if settings.embedding_model:
        from autoforge.llm.litellm_client import LiteLLMEmbedder

        options = settings.llm_model_options.get(settings.embedding_model)
        return LiteLLMEmbedder(settings.embedding_model, options)
    return SentenceEmbedder()


def build_cache_backend(settings: Settings) -> CacheBackend:
    """Redis when scaled out (one store: an invalidation is seen by every process); else
    this process's memory, told of other processes' writes by a stamp in the data dir."""
    if not settings.cache_enabled:
        return CacheOff()
    if settings.redis_url:
        from autoforge.cache.redis_backend import RedisBackend

        longest_ttl_s = max(
            settings.cache_prompt_ttl_s,
            settings.cache_list_ttl_s,
            settings.cache_evaluation_ttl_s,
            settings.cache_template_list_ttl_s,
        )
        return RedisBackend(
            settings.redis_url,
            timeout_s=settings.cache_redis_timeout_s,
            retry_s=settings.cache_redis_retry_s,
            generation_ttl_s=2 * longest_ttl_s,
        )
    stamp = None
    if not (settings.database_url or settings.turso_database_url):
        stamp = settings.data_dir / "cache.stamp"
    return InProcessBackend(max_entries=settings.cache_max_entries, stamp_file=stamp)


def build_authenticator(settings: Settings, database: Database) -> Authenticator:
    """API keys always; Clerk tokens when its JWKS URL and issuer are configured."""
    verify, sign_in = None, None
    if settings.clerk_jwks_url and settings.clerk_issuer:
        verifier = ClerkVerifier(
            settings.clerk_jwks_url,
            settings.clerk_issuer,
            audience=settings.clerk_audience,
            leeway_s=settings.jwt_leeway_s,
            refetch_interval_s=settings.clerk_jwks_refetch_s,
        )

        def verify(token: str) -> ClerkIdentity:
            try:
                return verifier.verify(token)
            except TokenRejected as exc:
                raise Rejected(f"the sign-in token is not accepted: {exc}") from None

        def sign_in(identity: ClerkIdentity, project: str | None) -> Caller:
            return database.run(lambda uow: identity_service.sign_in(uow, identity, project))

    return Authenticator(
        database,
        allow_local=settings.auth_mode == "local",
        cache_s=settings.auth_cache_s,
        anonymous_public=settings.anonymous_public_prompts,
        verify_token=verify,
        sign_in=sign_in,
    )


def build_gateway(settings: Settings, database: Database) -> Gateway:
    """LiteLLM for every provider plus the embedded model; neither is imported or loaded yet."""
    local = local_runner(settings)
    config = GatewayConfig(
        default_model=settings.llm_default_model,
        timeout_s=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
        backoff_base_s=settings.llm_backoff_base_s,
        backoff_max_s=settings.llm_backoff_max_s,
        concurrency=settings.llm_concurrency,
        default_concurrency=settings.llm_default_concurrency,
        fallbacks=settings.llm_fallbacks,
        models=settings.llm_models,
        queue_timeout_s=settings.llm_queue_timeout_s,
        queue_max=settings.llm_queue_max,
    )
    writes = WriteBehind(database)
    client = _model_client(settings, local, database)
    return Gateway(
        client,
        config,
        cache=ResponseCache(database, writes),
        calls=CallLog(database, writes),
        pricing=Pricing(prices(settings), client.price),
    )


def prices(settings: Settings) -> dict[str, Price]:
    """LLM_PRICES as the gateway's prices."""
    return {model: Price(price.input, price.output) for model, price in settings.llm_prices.items()}


def local_model_config(settings: Settings) -> LocalModelConfig:
    return LocalModelConfig(
        path=settings.local_model_path or settings.data_dir / "models" / GGUF_FILE,
        threads=settings.local_model_threads,
        context=settings.local_model_context,
        default_max_tokens=settings.local_model_max_tokens,
    )


def local_runner(settings: Settings) -> LocalRunner:
    """The local model in a supervised child process (the default), or in this process."""
    config = local_model_config(settings)
    if settings.local_model_isolation == "inprocess":
        return shared_local_model(config)
    return shared_model_process(config)


def _model_client(settings: Settings, local: LocalRunner, database: Database) -> ModelClient:
    # A project's stored provider key pays for its calls; the vault is only built (and in
    # local mode its key file only made) once a stored key is to be decrypted.
    provider_keys = ProviderKeys(database, lambda: vault_of(settings))
    return LiteLLMClient(
        local, model_options=settings.llm_model_options, provider_keys=provider_keys
    )
