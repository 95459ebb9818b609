"""Embeds prompt versions in the background, from the events that create versions, and
once at startup for whatever an earlier process left unembedded."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from autoforge.events.base import DomainEvent
from autoforge.events.bus import EventBus
from autoforge.prompts.domain import (
    PromptCreated,
    PromptDeleted,
    PromptRolledBack,
    PromptsImported,
    PromptUpdated,
)
from autoforge.similarity import service

if TYPE_CHECKING:
    from autoforge.bootstrap import Container

HANDLER = "similarity.embed_versions"
GARBAGE = "similarity.collect_garbage"


@dataclass
class _Embedding:
    """One bus's embedding: one pass at a time (a second pass would find nothing left), and
    a stop that ends a pass between two batches when the app shuts down."""

    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    catch_up: threading.Thread | None = None


# A container may serve several apps in turn (tests); each bus gets the handlers once.
_state: weakref.WeakKeyDictionary[EventBus, _Embedding] = weakref.WeakKeyDictionary()


def start(container: Container) -> None:
    """Subscribes the handlers (once per bus) and starts a catch-up pass in the background.
    Off with BACKGROUND_EMBEDDINGS=false (then another process embeds)."""
    if not container.settings.background_embeddings:
        return
    state = _state.get(container.bus)
    if state is None:
        state = _state[container.bus] = _Embedding()
        _subscribe(container, state)
    state.stop.clear()
    state.catch_up = threading.Thread(
        target=_embed, args=(container, state), name="embed-catch-up", daemon=True
    )
    state.catch_up.start()


def stop(container: Container, timeout_s: float = 10.0) -> None:
    """Ends the running pass after its current batch (a few seconds at most)."""
    state = _state.get(container.bus)
    if state is None:
        return
    state.stop.set()
    if state.catch_up is not None:
        state.catch_up.join(timeout_s)


def _embed(container: Container, state: _Embedding) -> None:
    with state.lock:
        service.embed_missing(container.database, container.embedder, stop=state.stop)


def _subscribe(container: Container, state: _Embedding) -> None:
    """Every event that makes a version embeds every version still missing one: the new
    one, and any written by a process that runs no handlers (the CLI publishes its events to
    a bus without this handler; an import makes many versions at once)."""

    def embed(_event: DomainEvent) -> None:
        _embed(container, state)

    def collect(event: DomainEvent) -> None:
        if isinstance(event, PromptDeleted) and event.hard:
            service.collect_garbage(container.database)

    for event_type in (PromptCreated, PromptUpdated, PromptRolledBack, PromptsImported):
        container.bus.subscribe(event_type, embed, name=HANDLER)
    container.bus.subscribe(PromptDeleted, collect, name=GARBAGE)
