"""The Celery transport: a job id travels through Redis; the job row stays the truth.

A task carries only the job id. `execute_job` claims the row with a lease, resumes from the
results already committed and records the outcome, so a redelivered task (the worker was
killed: `acks_late` + `task_reject_on_worker_lost` put the message back) finishes the same
job without scoring anything twice.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from celery import Celery

from autoforge.config import Settings

if TYPE_CHECKING:
    from autoforge.bootstrap import Container

log = logging.getLogger(__name__)
RUN_JOB = "autoforge.run_job"
QUEUE = "autoforge"

_containers: dict[str, Container] = {}
_container_lock = threading.Lock()


def create_celery(settings: Settings) -> Celery:
    if not settings.redis_url:
        raise RuntimeError("REDIS_URL is not set: the Celery transport needs a Redis broker")
    app = Celery("autoforge", broker=settings.redis_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        task_default_queue=QUEUE,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        # An unacknowledged message (its worker died) is delivered again after this long.
        broker_transport_options=_transport_options(settings),
        worker_hijack_root_logger=False,
    )
    app.task(name=RUN_JOB, acks_late=True, ignore_result=True)(run_job)
    return app


def _transport_options(settings: Settings) -> dict[str, int]:
    """A killed worker's unacknowledged message is delivered again once it is older than the
    visibility timeout, at the next sweep for such messages; kombu sweeps every 100 s by
    default, which `celery_restore_sweep_s` shortens."""
    sweep = settings.celery_restore_sweep_s
    interval = min(10, sweep)
    return {
        "visibility_timeout": settings.celery_visibility_timeout_s,
        "unacked_restore_interval": interval,
        "unacked_restore_throttle": max(1, round(sweep / interval)),
    }


def _worker_container() -> Container:
    """One container per worker process, built at its first task (after any fork)."""
    with _container_lock:
        if "worker" not in _containers:
            from autoforge.bootstrap import bootstrap

            _containers["worker"] = bootstrap(Settings())
        return _containers["worker"]


def run_job(job_id: str) -> None:
    from autoforge.worker.runner import execute_job

    log.info("celery task for job %s", job_id)
    execute_job(_worker_container(), job_id)


_apps: dict[tuple[str, int], Celery] = {}


def celery_for(settings: Settings) -> Celery:
    """The producer side, one per broker: building a Celery app per request would reconnect."""
    key = (str(settings.redis_url), settings.celery_visibility_timeout_s)
    with _container_lock:
        if key not in _apps:
            _apps[key] = create_celery(settings)
        return _apps[key]


def send_jobs(app: Celery, job_ids: list[str]) -> None:
    for job_id in job_ids:
        app.send_task(RUN_JOB, args=[job_id], queue=QUEUE)
