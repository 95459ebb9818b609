"""The composition root: the single place where real adapters are wired together."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from autoforge.config import Settings, get_settings
from autoforge.db.engine import make_engine
from autoforge.db.unit_of_work import Database
from autoforge.events.base import DomainEvent
from autoforge.events.bus import EventBus
from autoforge.events.relay import OutboxRelay

log = logging.getLogger("autoforge")


@dataclass
class Container:
    settings: Settings
    database: Database
    bus: EventBus
    relay: OutboxRelay

    def publish_infrastructure(self, event: DomainEvent) -> None:
        """Infrastructure events bypass the outbox: they report on the database itself."""
        log.info("%s %s", event.event_type, event.payload())
        self.bus.dispatch(event)

    def close(self) -> None:
        self.relay.stop()
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
    container = Container(settings=settings, database=database, bus=bus, relay=relay)
    holder.append(container)
    return container
