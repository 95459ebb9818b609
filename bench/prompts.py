"""Prompt management at size: bulk import, the hot reads, GraphQL, and 1 vs 2 workers.

1. Import 10,000 prompts: the same rows by raw libsql `executemany` (the floor), the
   service layer, and end to end over HTTP (JSONL body).
2. Newest 50 active prompts of one project among 100,000: latency at the service layer,
   against the same SQL run on a raw libsql connection (the floor) in the same process.
3. Requests/s driven by `wrk -t1 -c16` from a second process, each against a bare route of
   the same server returning a constant: the list, detail and label fetch, from the cache
   and with CACHE_ENABLED=false; GraphQL's prompts-with-versions query against the REST
   calls that fetch the same; one server process against `--workers 2`.

`python -m bench.prompts --markdown` prints the README's table; `--save PATH` appends the
figures as one JSON line, and `--report PATH --markdown` prints the last one saved.
"""

from __future__ import annotations

import argparse
import json
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
from bench.graphql_vs_rest import bench_graphql

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


def start_server(
    data_dir: Path, *, workers: int = 1, **env: str
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.http_server", str(data_dir), str(port), str(workers)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": os.pathsep.join((str(ROOT), str(ROOT / "src"))), **env},
    )
    wait_for_port(port, 120)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while httpx.get(f"{base}/health/live", timeout=10).status_code != 200:
        assert time.monotonic() < deadline, "the bench server did not come up"
        time.sleep(0.2)
    return proc, base


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def bench_import_raw(root: Path) -> float:
    """The rows a service import writes (every table it fills), inserted again into a fresh
    database by raw libsql `executemany` in one transaction: the floor of an import."""
    source = fresh(root, "import-source")
    with source.database.transaction() as uow:
        import_prompts(uow, OWNER, records("raw", 10_000))
    source.close()
    with libsql.connect(str(root / "import-source" / "autoforge.db")) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " AND name NOT LIKE 'alembic%' AND name NOT LIKE '%_idx_shadow'"
            ).fetchall()
        ]
        rows = {t: conn.execute(f'SELECT * FROM "{t}"').fetchall() for t in tables}
    rows = {t: r for t, r in rows.items() if r}
    best = float("inf")
    for run in range(3):
        fresh(root, f"import-raw-{run}").close()
        conn = libsql.connect(str(root / f"import-raw-{run}" / "autoforge.db"))
        # Rows a migration wrote itself (the default project) are there already.
        seeded = {t for t in rows if conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]}
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        for table, values in rows.items():
            if table in seeded:
                continue
            marks = ", ".join("?" * len(values[0]))
            conn.executemany(f'INSERT INTO "{table}" VALUES ({marks})', values)
        conn.commit()
        best = min(best, time.perf_counter() - started)
        conn.close()
    return best


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
        stop_server(proc)
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


def wrk(url: str, seconds: int = 8, server: subprocess.Popen[bytes] | None = None) -> float:
    """Requests/s; with `server`, also records its CPU time per request (its worker
    processes included) in CPU_MS, a figure the machine's other load disturbs far less."""
    before = _cpu_s(server)
    out = subprocess.run(
        ["wrk", "-t1", "-c16", f"-d{seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert match, out
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    assert non_2xx is None, out
    requests = re.search(r"(\d+) requests in", out)
    if server is not None and requests:
        CPU_MS[url] = (_cpu_s(server) - before) * 1000 / int(requests[1])
    return float(match[1])


CPU_MS: dict[str, float] = {}


def _cpu_s(server: subprocess.Popen[bytes] | None) -> float:
    if server is None:
        return 0.0
    import psutil

    root = psutil.Process(server.pid)
    total = 0.0
    for process in (root, *root.children(recursive=True)):
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


LIST = "/api/v1/prompts?status=active&limit=50"


def read_paths(base: str) -> dict[str, str]:
    """The list, one prompt's detail and its label fetch (a `production` label is set)."""
    listed = httpx.get(f"{base}{LIST}", timeout=60)
    listed.raise_for_status()
    first = listed.json()["items"][0]
    labelled = httpx.put(
        f"{base}/api/v1/prompts/{first['id']}/labels/production", json={"version": 1}, timeout=60
    )
    labelled.raise_for_status()
    return {
        "list": LIST,
        "detail": f"/api/v1/prompts/{first['id']}",
        "label fetch": f"/api/v1/prompts/by-name/{first['name']}?label=production",
    }


def bench_http(data_dir: Path) -> tuple[dict[str, float], dict[str, float]]:
    """Requests/s, and the server's CPU ms per request; every figure of one server run is
    measured beside its own bare route."""
    figures: dict[str, float] = {}
    cpu: dict[str, float] = {}
    proc, base = start_server(data_dir)
    try:
        paths = read_paths(base)
        figures["bare"] = wrk(f"{base}/bench/constant", server=proc)
        cpu["bare"] = CPU_MS[f"{base}/bench/constant"]
        for name, path in paths.items():
            wrk(f"{base}{path}", 1)  # fills the cache
            figures[f"{name}, cached"] = wrk(f"{base}{path}", server=proc)
            cpu[f"{name}, cached"] = CPU_MS[f"{base}{path}"]
        graphql, rest = bench_graphql(base)
        figures["graphql"] = graphql
        figures["rest"] = rest
    finally:
        stop_server(proc)

    proc, base = start_server(data_dir, CACHE_ENABLED="false")
    try:
        figures["bare off"] = wrk(f"{base}/bench/constant", server=proc)
        cpu["bare off"] = CPU_MS[f"{base}/bench/constant"]
        for name, path in paths.items():
            figures[f"{name}, uncached"] = wrk(f"{base}{path}", server=proc)
            cpu[f"{name}, uncached"] = CPU_MS[f"{base}{path}"]
    finally:
        stop_server(proc)

    for workers in (1, 2):
        proc, base = start_server(data_dir, workers=workers, CACHE_ENABLED="false")
        try:
            figures[f"bare {workers}w"] = wrk(f"{base}/bench/constant")
            figures[f"list {workers}w"] = wrk(f"{base}{LIST}", server=proc)
            cpu[f"list {workers}w"] = CPU_MS[f"{base}{LIST}"]
        finally:
            stop_server(proc)
    return figures, cpu


def ratio(figures: dict[str, float], name: str, base: str) -> str:
    return f"{figures[name] / figures[base]:.2f}"


def report(results: dict[str, Any], *, markdown: bool) -> None:
    imp, lst, http = results["import"], results["list"], results["http"]
    cpu = results["cpu_ms_per_request"]

    def rate(key: str) -> str:
        spent = f", {cpu[key]:.2f} ms CPU" if key in cpu else ""
        return f"{http[key]:.0f} req/s{spent}"

    rows: list[tuple[str, str, str, str]] = [
        ("import 10,000 prompts: raw libsql executemany", f"{imp['raw'] * 1000:.0f} ms", "1", ""),
        (
            "import 10,000 prompts: service layer",
            f"{imp['service'] * 1000:.0f} ms",
            f"{imp['service'] / imp['raw']:.1f}x raw",
            "",
        ),
        (
            "import 10,000 prompts: HTTP end to end",
            f"{imp['http'] * 1000:.0f} ms",
            f"{imp['http'] / imp['raw']:.1f}x raw",
            "< 500 ms and <= 3x raw",
        ),
        ("list (newest 50 of 100,000): raw libsql", f"p95 {lst['raw_p95']:.2f} ms", "1", ""),
        (
            "list (newest 50 of 100,000): service layer",
            f"p50 {lst['service_p50']:.2f} ms, p95 {lst['service_p95']:.2f} ms",
            f"{lst['service_p95'] / lst['raw_p95']:.1f}x raw (p95)",
            "<= 3x raw",
        ),
    ]
    if http:
        rows.append(("HTTP: bare route returning a constant", rate("bare"), "1", ""))
        for name in ("list", "detail", "label fetch"):
            rows.append(
                (
                    f"HTTP: {name}, from the cache",
                    rate(f"{name}, cached"),
                    f"{ratio(http, f'{name}, cached', 'bare')} of bare",
                    ">= 0.5 of bare" if name == "list" else "",
                )
            )
        rows.append(
            (
                "HTTP: bare route (server with CACHE_ENABLED=false)",
                rate("bare off"),
                "1",
                "",
            )
        )
        for name in ("list", "detail", "label fetch"):
            rows.append(
                (
                    f"HTTP: {name}, uncached",
                    rate(f"{name}, uncached"),
                    f"{ratio(http, f'{name}, uncached', 'bare off')} of bare",
                    "",
                )
            )
        rows.append(
            (
                "GraphQL: 50 prompts with versions, one query",
                f"{http['graphql']:.1f} pages/s",
                f"{ratio(http, 'graphql', 'rest')} of REST",
                ">= 0.7 of REST",
            )
        )
        rows.append(
            (
                "REST: the same, list + 50 version calls",
                f"{http['rest']:.1f} pages/s",
                "1",
                "",
            )
        )
        for workers in (1, 2):
            rows.append(
                (
                    f"HTTP: uncached list, serve --workers {workers}",
                    rate(f"list {workers}w"),
                    f"{ratio(http, f'list {workers}w', 'list 1w')} of 1 worker",
                    "",
                )
            )
    if markdown:
        print("| what | measured | ratio | goal |")
        print("|---|---|---|---|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
        return
    for what, measured, rel, goal in rows:
        print(f"{what:52s} {measured:>34s}  {rel:>22s}  {goal}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.prompts", description=__doc__)
    parser.add_argument("--markdown", action="store_true", help="print the README's table")
    parser.add_argument("--save", type=Path, help="append the figures as one JSON line")
    parser.add_argument(
        "--report", type=Path, help="measure nothing: print the last run saved in this file"
    )
    args = parser.parse_args(argv)
    if args.report:
        saved = args.report.read_text().splitlines()[-1]
        report(json.loads(saved), markdown=args.markdown)
        return
    root = Path(tempfile.mkdtemp(prefix="bench-prompts-"))
    try:
        results: dict[str, Any] = {
            "import": {
                "raw": bench_import_raw(root),
                "service": bench_import_service(root),
                "http": bench_import_http(root),
            }
        }
        container = populate_100k(root)
        service_ms, raw_ms = bench_list(container)
        results["list"] = {
            "service_p50": statistics.median(service_ms),
            "service_p95": percentile(service_ms, 0.95),
            "raw_p95": percentile(raw_ms, 0.95),
        }
        container.close()
        if shutil.which("wrk") is None:
            print("(wrk is not installed: `make bench-tools`; the HTTP figures are left out)")
            results["http"], results["cpu_ms_per_request"] = {}, {}
        else:
            results["http"], results["cpu_ms_per_request"] = bench_http(root / "hundred-k")
        report(results, markdown=args.markdown)
        if args.save:
            with args.save.open("a") as out:
                out.write(json.dumps({"at": time.time(), **results}) + "\n")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
