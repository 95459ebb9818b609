"""Prompt management at size: bulk import, the hot list query, and HTTP throughput.

1. Import 10,000 prompts: service layer, and end to end over HTTP (JSONL body).
2. Newest 50 active prompts of one user among 100,000: latency at the service layer,
   against the same SQL run on a raw libsql connection (the floor) in the same process.
3. Requests/s of `GET /api/v1/prompts?status=active&limit=50` against a bare route of the
   same app returning a constant, both driven by `wrk` from a second process.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import libsql
from tests.support.sqld import free_port, wait_for_port

from autoforge.bootstrap import Container, bootstrap
from autoforge.config import Settings
from autoforge.db import migrations
from autoforge.db.tenancy import reading
from autoforge.identity.caller import DEFAULT_PROJECT_ID
from autoforge.prompts.bulk_import import import_prompts
from autoforge.prompts.domain import ListFilters
from autoforge.prompts.models import PromptRow
from autoforge.prompts.repository import PromptRepository
from autoforge.prompts.service import list_prompts

ROOT = Path(__file__).resolve().parents[1]
OWNER = DEFAULT_PROJECT_ID  # the project `autoforge serve` acts in, in local mode
USERS = 10
PER_USER = 10_000
STATUSES = ("active", "active", "active", "draft", "archived")


def records(prefix: str, n: int) -> list[dict[str, Any]]:
    return [
        {
            "name": f"{prefix}-{i}",
            "title": f"Prompt {i}",
            "content": f"You are a helpful assistant. Task {i}: answer {{{{question}}}} briefly.",
            "status": STATUSES[i % len(STATUSES)],
            "tags": [f"team-{i % 4}"],
        }
        for i in range(n)
    ]


def fresh(root: Path, name: str) -> Container:
    settings = Settings(autoforge_data_dir=root / name, _env_file=None)  # type: ignore[call-arg]
    container = bootstrap(settings)
    migrations.upgrade(container.database.engine)
    return container


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_import_service(root: Path) -> float:
    best = float("inf")
    for run in range(3):
        container = fresh(root, f"import-{run}")
        batch = records("imp", 10_000)
        started = time.perf_counter()
        with container.database.transaction() as uow:
            report = import_prompts(uow, OWNER, batch)
        best = min(best, time.perf_counter() - started)
        assert report.created == 10_000
        container.close()
    return best


def start_server(data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.http_server", str(data_dir), str(port)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    wait_for_port(port, 30)
    return proc, f"http://127.0.0.1:{port}"


def bench_import_http(root: Path) -> float:
    import orjson

    best = float("inf")
    for run in range(3):
        container = fresh(root, f"http-import-{run}")
        container.close()
        proc, base = start_server(root / f"http-import-{run}")
        body = b"\n".join(orjson.dumps(r) for r in records("http", 10_000))
        started = time.perf_counter()
        response = httpx.post(
            f"{base}/api/v1/prompts:import",
            content=body,
            headers={"content-type": "application/x-ndjson"},
            timeout=60,
        )
        best = min(best, time.perf_counter() - started)
        assert response.status_code == 200, response.text
        assert response.json()["created"] == 10_000
        proc.terminate()
        proc.wait(10)
    return best


def populate_100k(root: Path) -> Container:
    container = fresh(root, "hundred-k")
    for user in range(USERS):
        owner = OWNER if user == 0 else f"user-{user}"
        with container.database.transaction() as uow:
            import_prompts(uow, owner, records(f"u{user}", PER_USER))
    with container.database.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    return container


def bench_list(container: Container, runs: int = 2000) -> tuple[list[float], list[float]]:
    filters = ListFilters(status="active")
    service_ms: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        with container.database.transaction(read_only=True, scope=reading(OWNER)) as uow:
            page = list_prompts(uow, OWNER, filters, limit=50)
        service_ms.append((time.perf_counter() - started) * 1000)
        assert len(page.items) == 50
    # The floor: the very statement the repository issues, on a bare libsql connection.
    with container.database.transaction(read_only=True) as uow:
        # What the scoped session sends: the project filter included.
        statement = PromptRepository(uow.session, OWNER).page_statement(filters, None, 51)
        statement = statement.where(PromptRow.project_id == OWNER)
        compiled = statement.compile(uow.session.bind, compile_kwargs={"literal_binds": True})
    raw = libsql.connect(str(container.settings.data_dir / "autoforge.db"))
    raw_ms: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        rows = raw.execute(str(compiled)).fetchall()
        raw_ms.append((time.perf_counter() - started) * 1000)
        assert len(rows) == 51
    raw.close()
    return service_ms, raw_ms


def wrk(url: str, seconds: int = 8) -> float:
    out = subprocess.run(
        ["wrk", "-t1", "-c16", f"-d{seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert match, out
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    assert non_2xx is None, out
    return float(match[1])


def bench_http(container: Container) -> tuple[float, float] | None:
    if shutil.which("wrk") is None:
        print("  (wrk not installed: `apt-get install wrk`; HTTP throughput skipped)")
        return None
    proc, base = start_server(container.settings.data_dir)
    try:
        httpx.get(f"{base}/api/v1/prompts?status=active&limit=50").raise_for_status()
        constant = wrk(f"{base}/bench/constant")
        listing = wrk(f"{base}/api/v1/prompts?status=active&limit=50")
    finally:
        proc.terminate()
        proc.wait(10)
    return constant, listing


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-prompts-"))
    try:
        service_import = bench_import_service(root)
        http_import = bench_import_http(root)
        print("import 10,000 prompts (best of 3; target < 1 s)")
        print(f"  service layer        {service_import * 1000:8.1f} ms")
        print(f"  HTTP, end to end     {http_import * 1000:8.1f} ms")

        container = populate_100k(root)
        service_ms, raw_ms = bench_list(container)
        print(f"newest 50 active prompts of one user among {USERS * PER_USER:,} (2,000 calls)")
        for label, xs in (("service layer", service_ms), ("raw libsql, same SQL", raw_ms)):
            print(
                f"  {label:22s} p50 {statistics.median(xs):6.3f} ms  p95 "
                f"{percentile(xs, 0.95):6.3f} ms  p99 {percentile(xs, 0.99):6.3f} ms"
            )
        ratio = percentile(service_ms, 0.95) / percentile(raw_ms, 0.95)
        print(f"  p95 ratio service / raw: {ratio:.2f}x  (target p95 < 5 ms)")

        http = bench_http(container)
        if http:
            constant, listing = http
            print("HTTP throughput, wrk -t1 -c16, 8 s each, one uvicorn worker")
            print(f"  bare route returning a constant  {constant:8.0f} req/s")
            print(f"  GET /api/v1/prompts (50 active)  {listing:8.0f} req/s")
            print(f"  ratio list / constant: {listing / constant:.2f}")
        container.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
