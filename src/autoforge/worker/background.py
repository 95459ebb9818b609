"""What a `serve` process does besides answering requests: the outbox relay (the event
handlers), the job runner, the SLO scheduler and the embedding of prompt versions.

One process runs it. `serve --workers N` starts N processes on one data directory; there,
the one holding an exclusive lock on `<data dir>/background.lock` runs it, and the others
try to take the lock every `job_poll_s`, so one of them takes over within seconds when that
process dies (the kernel releases a dead process's lock). Requests served by the others
still enqueue jobs and write events: the runner finds them at its next poll instead of
being woken at once.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from typing import TYPE_CHECKING, TextIO

from autoforge.similarity import handler as similarity
from autoforge.slos.scheduler import SLOScheduler
from autoforge.worker.inprocess import InProcessWorker

if TYPE_CHECKING:
    from autoforge.bootstrap import Container

log = logging.getLogger(__name__)
LOCK_FILE = "background.lock"


class BackgroundWork:
    def __init__(self, container: Container) -> None:
        self._container = container
        self._worker = InProcessWorker(container)
        self._slos = SLOScheduler(container)
        self._stopping = threading.Event()
        self._lock_file: TextIO | None = None
        self._standby: threading.Thread | None = None
        self.running = False

    def start(self) -> None:
        """At once in a single process; with `BACKGROUND_ELECTION` (set by `serve --workers`)
        once this process holds the lock, now or when the holder dies."""
        self._stopping.clear()
        if not self._container.settings.background_election:
            self._run()
            return
        if self._take_lock():
            self._run()
            return
        self._standby = threading.Thread(target=self._stand_by, name="background-standby")
        self._standby.daemon = True
        self._standby.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._standby is not None:
            self._standby.join(timeout=10)
        if self.running:
            similarity.stop(self._container)
            self._slos.stop()
            self._worker.stop()
            self._container.relay.stop()
            self.running = False
        if self._lock_file is not None:
            self._lock_file.close()  # releases the lock
            self._lock_file = None

    def _run(self) -> None:
        settings = self._container.settings
        self._container.relay.start()  # also publishes what a crashed predecessor left
        if settings.runs_jobs_in_process:
            self._worker.start()  # also resumes jobs whose worker died (lease expired)
        if settings.slo_scheduler:
            self._slos.start()  # single-flight across processes: see slos/scheduler.py
        similarity.start(self._container)
        self.running = True
        log.info("background work runs in process %d", os.getpid())

    def _take_lock(self) -> bool:
        path = self._container.settings.data_dir / LOCK_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        lock_file = path.open("a")
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.close()
            return False
        self._lock_file = lock_file
        return True

    def _stand_by(self) -> None:
        poll_s = self._container.settings.job_poll_s
        while not self._stopping.wait(poll_s):
            if self._take_lock():
                if not self._stopping.is_set():
                    self._run()
                return
