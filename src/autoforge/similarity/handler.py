"""Embeds prompt versions in the background, from the events that create versions."""

from __future__ import annotations

import weakref
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
# A container may serve several apps in turn (tests); each bus gets the handlers once.
_subscribed: weakref.WeakSet[EventBus] = weakref.WeakSet()


def subscribe(container: Container) -> None:
    """Every event that makes a version embeds every version still missing one: the new
    one, and any written by a process that runs no handlers (the CLI publishes its events to
    a bus without this handler; an import makes many versions at once)."""
    if container.bus in _subscribed:
        return
    _subscribed.add(container.bus)

    def embed(_event: DomainEvent) -> None:
        service.embed_missing(container.database, container.embedder)

    def collect(event: DomainEvent) -> None:
        if isinstance(event, PromptDeleted) and event.hard:
            service.collect_garbage(container.database)

    for event_type in (PromptCreated, PromptUpdated, PromptRolledBack, PromptsImported):
        container.bus.subscribe(event_type, embed, name=HANDLER)
    container.bus.subscribe(PromptDeleted, collect, name=GARBAGE)
