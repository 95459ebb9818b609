"""The embedded worker: threads in the API process that take jobs from the job table.

Each thread claims the oldest claimable job (queued, or running under an expired lease: its
worker died), runs it with `run_claimed`, and goes back for more. Idle threads sleep until
an enqueue wakes them or the poll interval passes; the poll is what finds jobs enqueued by
other processes and jobs whose holder died.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from autoforge.worker.runner import claim_next, run_claimed

if TYPE_CHECKING:
    from autoforge.bootstrap import Container

log = logging.getLogger(__name__)


class InProcessWorker:
    def __init__(self, container: Container, *, threads: int | None = None) -> None:
        self._container = container
        self._count = threads or container.settings.worker_threads
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._stopping.clear()
        for index in range(self._count):
            thread = threading.Thread(target=self._loop, name=f"job-worker-{index}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout_s: float = 30.0) -> None:
        """Lets running cases finish and hands unfinished jobs back to the queue.

        A thread still busy after `timeout_s` is left behind (it is a daemon thread): its
        job keeps its lease until the lease expires, and then the next start resumes it.
        """
        self._stopping.set()
        self._container.jobs.notify()
        for thread in self._threads:
            thread.join(timeout_s)
        self._threads = [thread for thread in self._threads if thread.is_alive()]
        if self._threads:
            log.warning("%d job thread(s) still busy at shutdown", len(self._threads))

    def _loop(self) -> None:
        signal = self._container.jobs
        poll_s = self._container.settings.job_poll_s
        while not self._stopping.is_set():
            seen = signal.generation
            try:
                job = claim_next(self._container)
            except Exception:
                log.exception("could not claim a job")
                job = None
            if job is None:
                signal.wait(seen, poll_s)
                continue
            try:
                run_claimed(self._container, job, should_stop=self._stopping.is_set)
            except Exception:
                # The failure is recorded on the job and its target; the worker lives on.
                log.exception("job %s failed", job.id)
