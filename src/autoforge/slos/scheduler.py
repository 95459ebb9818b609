"""The SLO scheduler: a thread in every `autoforge serve` process (embedded or scaled out)
that checks every SLO once per `slo_check_interval_s` and sends due alert deliveries.

Single-flight across processes: the `schedules` row decides. Each process polls it with a
cheap read, and when the check is due, one guarded UPDATE moves the due time on and names
the holder; of several processes only one UPDATE matches. Crash-safe: each SLO is checked
in its own transaction (state, history, event and alerts commit together or not at all); a
holder that dies mid-check stops holding once its lease ends, and the next turn checks
every SLO again. Deliveries are claimed row by row the same way (`WebhookRepository`).
"""

from __future__ import annotations

import logging
import threading
import time
from functools import partial
from typing import TYPE_CHECKING

from autoforge.db.base import utcnow
from autoforge.db.tenancy import Scope
from autoforge.observability import metrics
from autoforge.secrets.keys import vault_of
from autoforge.slos import service
from autoforge.slos.objectives import OBJECTIVE_KINDS
from autoforge.slos.repository import ScheduleRepository, SLORepository
from autoforge.slos.webhooks import Sender
from autoforge.worker.runner import worker_identity

if TYPE_CHECKING:
    from autoforge.bootstrap import Container

log = logging.getLogger(__name__)

SLO_CHECK = "slo_check"
ACTOR = "slo-scheduler"
# A turn is held at most this long past the interval before another process may take it.
_LEASE_S = 300.0
_MAX_TICK_S = 1.0


def check_all(container: Container) -> int:
    """Checks every project's SLOs once; returns how many were checked."""
    database = container.database
    started = time.perf_counter()
    every = database.run(lambda uow: SLORepository(uow.session).every_slo(), read_only=True)
    violated: dict[str, bool] = dict.fromkeys(OBJECTIVE_KINDS, False)
    checked = 0
    for project_id, slo_id in every:
        scope = Scope(project_id=project_id, actor=ACTOR)
        try:
            found = database.run(partial(service.check_slo, slo_id=slo_id), scope=scope)
        except Exception:
            log.exception("checking SLO %s failed; the next turn checks it again", slo_id)
            continue
        checked += 1
        metrics.SLO_EVALUATIONS.labels(result=found.result).inc()
        for kind in found.breached:
            violated[kind] = True
    for kind, is_violated in violated.items():
        metrics.SLO_STATE.labels(objective=kind).set(1 if is_violated else 0)
    metrics.SLO_CHECK_SECONDS.observe(time.perf_counter() - started)
    return checked


class SLOScheduler:
    def __init__(self, container: Container) -> None:
        self._container = container
        settings = container.settings
        self._sender = Sender(container.database, settings, lambda: vault_of(settings))
        self._every_s = settings.slo_check_interval_s
        self._tick_s = min(_MAX_TICK_S, self._every_s)
        self._holder = worker_identity()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="slo-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self._sender.close()

    def tick(self) -> None:
        """One pass: the SLO check if this process wins its turn, then due alerts."""
        if self._take_turn():
            try:
                check_all(self._container)
            finally:
                self._container.database.run(
                    lambda uow: ScheduleRepository(uow.session).let_go(SLO_CHECK, self._holder)
                )
        if self._sender.any_due():
            self._sender.send_due()

    def _take_turn(self) -> bool:
        database = self._container.database
        now = utcnow()
        due = database.run(
            lambda uow: ScheduleRepository(uow.session).due_at(SLO_CHECK), read_only=True
        )
        if due is not None and due > now:
            return False  # the cheap read: no write lock while nothing is due
        lease = self._every_s + _LEASE_S
        return database.run(
            lambda uow: ScheduleRepository(uow.session).take(
                SLO_CHECK, self._holder, utcnow(), self._every_s, lease
            )
        )

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:
                log.exception("SLO scheduler pass failed; retrying at the next tick")
            self._stop.wait(self._tick_s)
