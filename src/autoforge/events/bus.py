"""An in-process bus: concurrent handlers, each retried, then dead-lettered."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from tenacity import Retrying, stop_after_attempt, wait_exponential

from autoforge.events.base import DomainEvent

log = logging.getLogger(__name__)

Handler = Callable[[DomainEvent], None]


@dataclass(frozen=True)
class Failure:
    handler: str
    error: str
    attempts: int


@dataclass
class Outcome:
    delivered: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)


class EventBus:
    def __init__(self, *, max_workers: int = 4, attempts: int = 3, backoff_s: float = 0.05) -> None:
        self._handlers: dict[str, list[tuple[str, Handler]]] = defaultdict(list)
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="event-handler")
        self.attempts = attempts
        self.backoff_s = backoff_s

    def subscribe(
        self, event_type: type[DomainEvent] | str, handler: Handler, *, name: str | None = None
    ) -> None:
        """`name` identifies the handler in delivery records; it must be stable across runs."""
        key = event_type if isinstance(event_type, str) else event_type.__name__
        self._handlers[key].append(
            (name or f"{handler.__module__}.{handler.__qualname__}", handler)
        )

    def handler_names(self, event: DomainEvent) -> list[str]:
        return [name for name, _ in self._handlers.get(event.event_type, [])]

    def dispatch(self, event: DomainEvent, *, skip: Iterable[str] = ()) -> Outcome:
        """Runs every handler not in `skip` concurrently and waits for all of them."""
        skipped = set(skip)
        todo = [(n, h) for n, h in self._handlers.get(event.event_type, []) if n not in skipped]
        outcome = Outcome()
        futures = [
            (name, self._pool.submit(self._run, name, handler, event)) for name, handler in todo
        ]
        for name, future in futures:
            failure = future.result()
            if failure is None:
                outcome.delivered.append(name)
            else:
                outcome.failed.append(failure)
        return outcome

    def _run(self, name: str, handler: Handler, event: DomainEvent) -> Failure | None:
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=self.backoff_s, max=2.0),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    handler(event)
        except Exception as exc:
            log.error("handler %s failed on %s %s: %r", name, event.event_type, event.event_id, exc)
            return Failure(name, f"{type(exc).__name__}: {exc}", self.attempts)
        return None

    def close(self) -> None:
        self._pool.shutdown(wait=True)
