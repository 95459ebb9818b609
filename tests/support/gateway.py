"""Builds gateways for tests: the real cache and call log on a test database, any client."""

from __future__ import annotations

from typing import Any

from autoforge.db.unit_of_work import Database
from autoforge.llm.cache import ResponseCache
from autoforge.llm.gateway import Gateway, GatewayConfig, ModelClient
from autoforge.llm.repository import CallLog
from autoforge.llm.write_behind import WriteBehind


class SleepRecorder:
    """Stands in for `time.sleep`: remembers the back-off delays instead of waiting them out."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def make_gateway(
    database: Database,
    client: ModelClient,
    *,
    sleep: SleepRecorder | None = None,
    **config: Any,
) -> Gateway:
    config.setdefault("default_model", "fake/primary")
    writes = WriteBehind(database)
    return Gateway(
        client,
        GatewayConfig(**config),
        cache=ResponseCache(database, writes),
        calls=CallLog(database, writes),
        sleep=sleep or SleepRecorder(),
        jitter=lambda: 0.5,
    )
