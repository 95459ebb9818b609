"""The wake-up signal of the in-process workers: a wake is never lost between poll and wait."""

from __future__ import annotations

import threading
import time

from autoforge.worker.dispatch import JobSignal


def test_a_wake_before_the_wait_returns_at_once() -> None:
    signal = JobSignal()
    seen = signal.generation  # the worker polled and found nothing...
    signal.notify()  # ...a job is enqueued before it starts waiting
    started = time.monotonic()
    signal.wait(seen, timeout_s=5)
    assert time.monotonic() - started < 0.5


def test_a_wait_ends_when_notified_from_another_thread() -> None:
    signal = JobSignal()
    seen = signal.generation
    threading.Timer(0.05, signal.notify).start()
    started = time.monotonic()
    signal.wait(seen, timeout_s=5)
    assert time.monotonic() - started < 1.0


def test_without_a_wake_the_wait_times_out() -> None:
    signal = JobSignal()
    started = time.monotonic()
    signal.wait(signal.generation, timeout_s=0.05)
    assert 0.04 <= time.monotonic() - started < 1.0
