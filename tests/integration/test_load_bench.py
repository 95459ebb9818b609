"""`python -m bench.load`, small: a real `autoforge serve` (every model the fake) under the
mixed workload from locust ends with no error and no database lock, and the mix is the one
the benchmark claims. Bounded by a request count, with a generous time bound: nothing here
depends on how fast the machine is."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.load_report import GROUPS, scan_server_log
from bench.load_run import LoadPlan, run_load

pytestmark = pytest.mark.integration

REQUESTS = 400


def test_a_short_mixed_load_ends_without_errors_or_locks(tmp_path: Path) -> None:
    plan = LoadPlan(seconds=120, users=4, max_requests=REQUESTS, model_delay_ms=50, prompts=40)

    report = run_load(plan, tmp_path)

    assert report.problems() == [], report.errors
    assert report.total.failures == 0
    assert report.server_log.lock_errors == 0
    assert report.server_log.responses_5xx == 0
    # Bounded in count, exactly: the requests under way at the bound are finished.
    assert report.total.requests == REQUESTS
    named = report.by_name()
    assert set(named) == {name for names in GROUPS.values() for name in names}
    assert all(endpoint.requests > 0 for endpoint in named.values()), named
    assert sum(e.requests for e in named.values()) == report.total.requests
    # 80/15/5 by weight: 400 draws land well within these bounds.
    assert 0.70 <= report.share("reads") <= 0.90
    assert 0.07 <= report.share("writes") <= 0.24
    assert 0.01 <= report.share("runs") <= 0.11
    # The server really answered: every request is in its access log.
    assert report.server_log.lines > report.total.requests


def test_the_log_scan_finds_locks_and_5xx_answers(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text(
        '{"logger": "uvicorn.access", "message": "127.0.0.1:1 - \\"GET /api/v1/prompts '
        'HTTP/1.1\\" 200"}\n'
        '{"logger": "uvicorn.access", "message": "127.0.0.1:1 - \\"PATCH /api/v1/prompts/x '
        'HTTP/1.1\\" 503"}\n'
        '{"level": "error", "message": "(sqlite3.OperationalError) database is locked"}\n'
        '{"level": "error", "message": "SQLITE_BUSY: cannot commit"}\n'
        '{"logger": "uvicorn.access", "message": "\\"GET /api/v1/prompts/x HTTP/1.1\\" 404"}\n'
    )

    scanned = scan_server_log(log)

    assert (scanned.lines, scanned.lock_errors, scanned.responses_5xx) == (5, 2, 1)
    assert len(scanned.examples) == 3
