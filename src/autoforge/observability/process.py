"""What a long-running process (`serve`, `worker`) sets up before anything else: its logs,
the shared metrics directory, and its span pipeline.

Metrics directory: PROMETHEUS_MULTIPROC_DIR when set, else `<data dir>/metrics/`. Each
process writes files named with its pid there; the first process to start (no file there
belongs to a live process) empties it, so counters restart with the deployment and files of
old processes do not pile up. At exit a process drops its live gauges (pool, SLO state).
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import shutil
from pathlib import Path

from autoforge.config import Settings
from autoforge.observability import metrics
from autoforge.observability.logs import configure_logging
from autoforge.telemetry import emit

log = logging.getLogger(__name__)
_PID_IN_NAME = re.compile(r"_(\d+)\.db$")


def prepare_process(settings: Settings) -> None:
    configure_logging(settings.log_level)
    if settings.metrics_enabled:
        directory = metrics.multiprocess_directory() or settings.data_dir / "metrics"
        claim_directory(directory)
        metrics.use_directory(directory)
        atexit.register(_drop_live_gauges, directory)
    emit.configure()


def claim_directory(directory: Path) -> None:
    """Makes `directory`, emptied when no live process has files in it."""
    directory.mkdir(parents=True, exist_ok=True)
    owners = {int(m.group(1)) for f in directory.iterdir() if (m := _PID_IN_NAME.search(f.name))}
    if any(_alive(pid) for pid in owners - {os.getpid()}):
        return
    for entry in directory.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _drop_live_gauges(directory: Path) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(os.getpid(), str(directory))  # type: ignore[no-untyped-call]
