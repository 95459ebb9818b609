"""Request and response bodies of `/api/v1/slos` and `/api/v1/webhooks`."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

DEFAULT_WINDOW_S = 86_400
MAX_WINDOW_S = 30 * 86_400


class Targets(BaseModel):
    """At least one objective. The score is a floor (mean score of the evaluations finished
    in the window); the trace objectives are ceilings over the window's calls."""

    model_config = ConfigDict(extra="forbid")
    min_score: float | None = Field(default=None, ge=0, le=1, description="e.g. 0.8")
    max_p95_latency_ms: float | None = Field(default=None, gt=0, description="e.g. 2000")
    max_error_rate: float | None = Field(default=None, ge=0, le=1, description="e.g. 0.05")
    max_cost_per_call: float | None = Field(default=None, ge=0, description="USD, e.g. 0.01")


class SLOSet(Targets):
    """Sets the SLO of `prompt` (and `label`): made if there is none, else replaced."""

    prompt: str = Field(min_length=1, max_length=200, description="the prompt's name or id")
    label: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="only the version this label points at (e.g. production); none: all",
    )
    window_s: int = Field(default=DEFAULT_WINDOW_S, ge=60, le=MAX_WINDOW_S)
    min_calls: int = Field(
        default=1,
        ge=1,
        le=1_000_000,
        description="fewer calls: the trace objectives are unmeasured",
    )

    @model_validator(mode="after")
    def _some_objective(self) -> SLOSet:
        if all(
            value is None
            for value in (
                self.min_score,
                self.max_p95_latency_ms,
                self.max_error_rate,
                self.max_cost_per_call,
            )
        ):
            raise ValueError(
                "set at least one objective: min_score, max_p95_latency_ms, max_error_rate "
                "or max_cost_per_call"
            )
        return self


class Figures(BaseModel):
    """What a window held. A value is null when there was nothing to compute it from."""

    calls: int = 0
    errors: int = 0
    error_rate: float | None = None
    p95_latency_ms: float | None = None
    cost_per_call: float | None = Field(
        default=None, description="over priced calls only (unpriced calls have no cost)"
    )
    total_cost: float = Field(default=0.0, description="the sum over priced calls")
    unpriced_calls: int = Field(default=0, description="calls without a known price")
    evaluations: int = 0
    score: float | None = None


State = Literal["unknown", "ok", "violated"]


class SLO(BaseModel):
    id: str
    prompt_id: str
    prompt_name: str
    label: str | None
    window_s: int
    targets: Targets
    min_calls: int
    state: State = Field(description="unknown until the first check that had data")
    state_since: datetime
    breached: list[str] = Field(description="the objectives missing their target now")
    figures: Figures = Field(description="the window at the last check")
    checked_at: datetime | None
    created_at: datetime
    updated_at: datetime


class SLOCheck(BaseModel):
    checked_at: datetime
    result: Literal["ok", "violated", "no_data"]
    state: State
    transition: Literal["violated", "recovered"] | None
    breached: list[str]
    figures: Figures


class SLOHistory(BaseModel):
    slo: SLO
    items: list[SLOCheck] = Field(description="the most recent checks, oldest first")


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(
        min_length=8, max_length=2000, pattern=r"^https?://\S+$", description="http(s) URL"
    )
    description: str = Field(default="", max_length=200)

    @field_validator("url")
    @classmethod
    def _sendable(cls, url: str) -> str:
        """A URL an alert can be posted to: http(s), with a host, nothing unprintable."""
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, ValueError):
            raise ValueError("not a URL") from None
        if parsed.scheme not in ("http", "https") or not parsed.host or not url.isprintable():
            raise ValueError("must be an http(s) URL with a host")
        return url


class Webhook(BaseModel):
    id: str
    url: str
    description: str
    created_at: datetime


class WebhookCreated(Webhook):
    secret: str = Field(
        description="the signing secret, shown this once: verify `X-Autoforge-Signature` "
        "with it (docs/slos.md)"
    )


class Delivery(BaseModel):
    id: str
    webhook_id: str
    event_id: str
    event_type: str
    status: Literal["pending", "delivered", "dead"]
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    response_status: int | None
    delivered_at: datetime | None
    created_at: datetime
