"""The one settings object: every knob comes from the environment (or `.env`)."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    LOCAL = "local"
    STAGING = "staging"
    PRODUCTION = "production"


class PoolSettings(BaseSettings):
    """Connection pool sizing; only remote (sqld / Turso) connections are pooled this way."""

    size: int
    max_overflow: int
    timeout_s: float
    recycle_s: int
    pre_ping: bool = True
    use_lifo: bool = False


# Figures from the seeds' per-environment pool review: short recycle in production keeps
# Turso's idle-connection reaper from handing us dead sockets.
POOL_DEFAULTS: dict[Environment, dict[str, object]] = {
    Environment.LOCAL: {"size": 5, "max_overflow": 10, "timeout_s": 30, "recycle_s": 3600},
    Environment.STAGING: {"size": 10, "max_overflow": 20, "timeout_s": 20, "recycle_s": 1800},
    Environment.PRODUCTION: {
        "size": 20,
        "max_overflow": 40,
        "timeout_s": 10,
        "recycle_s": 900,
        "use_lifo": True,
    },
}


class TokenPrice(BaseModel):
    """One model's price in `LLM_PRICES`: USD per million input and output tokens."""

    model_config = ConfigDict(extra="forbid")

    input: float = Field(ge=0)
    output: float = Field(ge=0)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    app_env: Environment = Environment.LOCAL
    autoforge_data_dir: Path = Path("./data")
    database_url: str | None = None
    turso_database_url: str | None = None
    turso_auth_token: SecretStr | None = None
    db_busy_timeout_ms: int = 5000
    db_pool_size: int | None = None
    db_pool_max_overflow: int | None = None
    db_pool_timeout_s: float | None = None
    db_pool_recycle_s: int | None = None
    log_level: str = "INFO"
    # Observability (docs/observability.md). Off: no HTTP/database metrics or spans at all
    # (the benchmark compares both in one process).
    metrics_enabled: bool = True
    # When set, GET /metrics needs `Authorization: Bearer <token>`; unset, it answers only
    # loopback clients in AUTH_MODE=required (and everyone in local mode).
    metrics_token: SecretStr | None = None
    # Statements slower than this are logged and kept in `<data dir>/slow_queries.jsonl`.
    slow_query_ms: float = Field(default=100.0, ge=0)
    slow_query_log_bytes: int = Field(default=5 * 1024 * 1024, ge=4096, description="rotated")

    # Who may call. "local": a request without credentials acts as the local owner of the
    # default project (make run on 127.0.0.1, no sign-in); credentials, when sent, are still
    # checked. "required": every route but health and docs needs an API key or a Clerk token.
    # `serve` refuses to bind beyond loopback in local mode.
    auth_mode: Literal["local", "required"] = "local"
    clerk_jwks_url: str | None = Field(
        default=None, description="https://<app>/.well-known/jwks.json"
    )
    clerk_issuer: str | None = Field(default=None, description="the tokens' `iss`")
    clerk_audience: str | None = Field(default=None, description="checked when set")
    # In required mode, let callers without credentials read public prompts (GET only).
    anonymous_public_prompts: bool = False
    # Clerk's hosted sign-in page (Account Portal): the web UI links to it.
    clerk_sign_in_url: str | None = None
    jwt_leeway_s: float = Field(default=5.0, ge=0, description="clock skew allowed on exp/nbf")
    # A token naming a key the cached JWKS lacks refetches it, at most this often.
    clerk_jwks_refetch_s: float = Field(default=10.0, ge=0)
    # A verified key or token is remembered this long per process: revocation in another
    # process takes effect within it (in this process at once).
    auth_cache_s: float = Field(default=5.0, ge=0)
    # Per API key (or signed-in user) and per client IP; `limits` syntax, e.g. "100/second".
    rate_limit_key: str = "1200/minute"
    rate_limit_ip: str = "600/minute"
    rate_limit_enabled: bool = True
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1, description="413 beyond")
    cors_origins: list[str] = Field(default_factory=list, description="allowed browser origins")
    # The CLI acts as this key (its project and role) instead of the local owner.
    autoforge_api_key: SecretStr | None = None
    # The CLI's project (an id), over the one `autoforge project use` chose.
    autoforge_project: str | None = None
    # Fernet keys for the secrets projects store (provider API keys), as a JSON list, newest
    # first: the first encrypts, all decrypt, `autoforge secret rotate` moves every secret to
    # the first. Empty in local mode: one key is made on first use and kept in
    # `<data dir>/secret.key` (mode 0600). Empty with AUTH_MODE=required: storing fails.
    secret_keys: list[SecretStr] = Field(default_factory=list)

    # LLM gateway. Model names are LiteLLM's (`openai/gpt-4o-mini`, `ollama/llama3`, ...).
    llm_default_model: str = "local/gemma-3-270m"
    llm_models: list[str] = Field(default_factory=list, description="also listed at /v1/models")
    llm_timeout_s: float = 60.0
    llm_max_retries: int = Field(default=2, ge=0)
    llm_backoff_base_s: float = 0.5
    llm_backoff_max_s: float = 8.0
    # Parallel calls per model or per provider prefix; the local model runs one at a time.
    llm_concurrency: dict[str, int] = Field(default_factory=lambda: {"local": 1})
    llm_default_concurrency: int = Field(default=8, ge=1)
    llm_fallbacks: dict[str, list[str]] = Field(default_factory=dict)
    # Calls past a model's concurrency wait in a bounded queue; the wait has its own deadline.
    llm_queue_timeout_s: float = Field(default=600.0, gt=0)
    llm_queue_max: int = Field(default=1000, ge=1)
    # Extra LiteLLM arguments per model, e.g. {"openai/qwen": {"api_base": "http://h:8001/v1"}}.
    llm_model_options: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # USD per million tokens per model, e.g. {"ollama/llama3": {"input": 0.2, "output": 0.6}}:
    # prices custom and self-hosted models, and wins over LiteLLM's table (llm/pricing.py).
    llm_prices: dict[str, TokenPrice] = Field(default_factory=dict)
    # A provider's embeddings for similar-prompt search (any LiteLLM embedding model that
    # takes `dimensions`, e.g. "openai/text-embedding-3-small"); unset: the bundled MiniLM.
    embedding_model: str | None = None
    local_model_path: Path | None = None
    # The web UI's static export (`make web`); the API serves it at `/` when it exists.
    autoforge_web_dir: Path = Path(__file__).resolve().parents[2] / "web" / "out"
    local_model_threads: int | None = None
    local_model_context: int = 2048
    local_model_max_tokens: int = 256
    # "process": llama.cpp runs in a supervised child process, so a crash of native code
    # (SIGILL, SIGSEGV, the OOM killer) fails one call instead of the server.
    # "inprocess": in the server's own process (benchmarks compare the two).
    local_model_isolation: Literal["process", "inprocess"] = "process"

    # Scaled out: with REDIS_URL set, jobs go to Celery workers (`autoforge worker`) through
    # Redis, and `serve` stops running them itself.
    redis_url: str | None = Field(default=None, description="redis://host:6379/0")
    celery_visibility_timeout_s: int = Field(default=3600, ge=1)
    celery_restore_sweep_s: int = Field(default=100, ge=1, description="redelivery sweep")
    # The read cache (`cache/`, docs/cache.md): in-process, or in Redis with REDIS_URL set.
    cache_enabled: bool = Field(
        default=True, description="false: every read goes to the database (debugging, benchmarks)"
    )
    cache_prompt_ttl_s: float = Field(default=600.0, gt=0, description="prompt detail, by name")
    cache_list_ttl_s: float = Field(default=300.0, gt=0, description="prompt listings")
    cache_evaluation_ttl_s: float = Field(default=3600.0, gt=0, description="completed results")
    cache_template_list_ttl_s: float = Field(default=3600.0, gt=0)
    cache_max_entries: int = Field(default=10_000, ge=1, description="in-process LRU bound")
    cache_redis_timeout_s: float = Field(default=0.25, gt=0, description="socket timeouts")
    cache_redis_retry_s: float = Field(default=2.0, gt=0, description="rest after a failure")
    # Background jobs (evaluations). The embedded worker runs in the API process; a job's
    # lease is renewed every heartbeat, so a dead worker's job is taken over once it expires.
    inprocess_worker: bool = Field(default=True, description="run jobs inside `serve`")
    worker_threads: int = Field(default=2, ge=1, description="jobs run at once per process")
    job_lease_s: float = Field(default=30.0, gt=0)
    job_heartbeat_s: float = Field(default=10.0, gt=0)
    job_poll_s: float = Field(default=2.0, gt=0, description="idle poll; enqueues wake at once")
    # Prompt SLOs (docs/slos.md): every `serve` process runs the scheduler; the `schedules`
    # table lets exactly one of them check per interval, and each alert is sent once.
    slo_scheduler: bool = Field(default=True, description="check SLOs and send alerts in serve")
    background_election: bool = Field(
        default=False,
        description="set by `serve --workers N`: of the processes on this data directory, "
        "only the one holding <data dir>/background.lock runs relay, jobs, SLO checks",
    )
    background_embeddings: bool = Field(
        default=True,
        description="embed prompt versions for similar-prompt search in this process; off "
        "where another process does it (or a benchmark must not share the CPU with it)",
    )
    slo_check_interval_s: float = Field(default=60.0, gt=0)
    webhook_max_attempts: int = Field(default=6, ge=1, description="then the alert is dead")
    webhook_backoff_s: float = Field(default=5.0, gt=0, description="doubles per attempt")
    webhook_timeout_s: float = Field(default=10.0, gt=0)
    evaluation_concurrency: int = Field(default=4, ge=1, le=64, description="cases at once")
    judge_model: str | None = Field(default=None, description="llm_judge model (default model)")

    @model_validator(mode="after")
    def _heartbeat_within_lease(self) -> Settings:
        if self.job_heartbeat_s >= self.job_lease_s:
            raise ValueError("job_heartbeat_s must be shorter than job_lease_s")
        return self

    @property
    def runs_jobs_in_process(self) -> bool:
        """With a Redis broker configured, Celery workers run the jobs, not `serve`."""
        return self.inprocess_worker and not self.redis_url

    @property
    def data_dir(self) -> Path:
        return self.autoforge_data_dir

    @property
    def resolved_database_url(self) -> str:
        """DATABASE_URL wins, then TURSO_DATABASE_URL, then the embedded file under the data dir."""
        if self.database_url:
            return self.database_url
        if self.turso_database_url:
            return self.turso_database_url
        return f"file:{(self.data_dir / 'autoforge.db').as_posix()}"

    @property
    def auth_token(self) -> str | None:
        return self.turso_auth_token.get_secret_value() if self.turso_auth_token else None

    @property
    def pool(self) -> PoolSettings:
        values = dict(POOL_DEFAULTS[self.app_env])
        overrides = {
            "size": self.db_pool_size,
            "max_overflow": self.db_pool_max_overflow,
            "timeout_s": self.db_pool_timeout_s,
            "recycle_s": self.db_pool_recycle_s,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return PoolSettings.model_validate(values)


@lru_cache
def get_settings() -> Settings:
    return Settings()
