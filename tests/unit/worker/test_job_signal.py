"""The wake-up signal of the in-process workers: a wake is never lost between poll and wait.

The waits are long on purpose: a lost wake would show as a wait that times out (False), so
the result says what happened without measuring how long it took."""

from __future__ import annotations

import threading

from autoforge.worker.dispatch import JobSignal

LONG_S = 60.0


def test_a_wake_before_the_wait_is_not_lost() -> None:
    signal = JobSignal()
    seen = signal.generation  # the worker polled and found nothing...
    signal.notify()  # ...a job is enqueued before it starts waiting
    assert signal.wait(seen, timeout_s=LONG_S) is True


def test_a_wait_ends_when_notified_from_another_thread() -> None:
    signal = JobSignal()
    seen = signal.generation
    waiting = threading.Event()
    woke: list[bool] = []

    def worker() -> None:
        waiting.set()
        woke.append(signal.wait(seen, timeout_s=LONG_S))

    thread = threading.Thread(target=worker)
    thread.start()
    waiting.wait()
    signal.notify()
    thread.join(timeout=LONG_S)
    assert woke == [True]


def test_without_a_wake_the_wait_times_out() -> None:
    signal = JobSignal()
    assert signal.wait(signal.generation, timeout_s=0.01) is False


def test_a_wake_seen_by_an_earlier_wait_does_not_end_the_next() -> None:
    signal = JobSignal()
    signal.notify()
    assert signal.wait(signal.generation, timeout_s=0.01) is False
