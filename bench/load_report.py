"""What `python -m bench.load` measured: locust's per-endpoint figures, the server log's
locks and 5xx answers, and the printed report."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The workload's groups, by locust request name (bench/locustfile.py), and their weights.
GROUPS: dict[str, tuple[str, ...]] = {
    "reads": ("list", "detail", "label"),
    "writes": ("edit", "label move"),
    "runs": ("run",),
}
WEIGHTS = {"reads": 80, "writes": 15, "runs": 5}
_LOCK = re.compile(r"database is locked|SQLITE_BUSY|SQLITE_LOCKED", re.IGNORECASE)
# uvicorn's access line: `"GET /path HTTP/1.1" 503`.
_STATUS_5XX = re.compile(r'HTTP/[\d.]+\\?" (5\d\d)\b')


@dataclass(frozen=True)
class Endpoint:
    name: str
    requests: int
    failures: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of(cls, figures: dict[str, Any], elapsed_s: float) -> Endpoint:
        return cls(rps=round(figures["requests"] / elapsed_s, 1), **figures)


@dataclass(frozen=True)
class ServerLog:
    lock_errors: int
    responses_5xx: int
    lines: int
    examples: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LoadReport:
    seconds: int
    max_requests: int
    users: int
    workers: int
    model_delay_ms: int
    prompts: int
    cpu_count: int
    generator_cpu_s: float
    server_cpu_s: float
    elapsed_s: float
    endpoints: list[Endpoint]
    total: Endpoint
    errors: list[dict[str, Any]]
    server_log: ServerLog
    note: str | None = None

    @classmethod
    def of(cls, result: dict[str, Any], **run: Any) -> LoadReport:
        """From bench/load_locust.py's result and what the run knows of itself."""
        elapsed = float(result["elapsed_s"])
        return cls(
            elapsed_s=elapsed,
            endpoints=[Endpoint.of(e, elapsed) for e in result["endpoints"]],
            total=Endpoint.of(result["total"], elapsed),
            errors=result["errors"],
            **run,
        )

    def by_name(self) -> dict[str, Endpoint]:
        return {e.name: e for e in self.endpoints}

    def share(self, group: str) -> float:
        """This group's fraction of all requests."""
        named = self.by_name()
        count = sum(named[n].requests for n in GROUPS[group] if n in named)
        return count / self.total.requests if self.total.requests else 0.0

    def problems(self) -> list[str]:
        found = []
        if self.total.failures:
            found.append(f"{self.total.failures} failed requests")
        if self.server_log.lock_errors:
            found.append(f"{self.server_log.lock_errors} database lock errors in the server log")
        if self.server_log.responses_5xx:
            found.append(f"{self.server_log.responses_5xx} 5xx answers in the server log")
        return found


def scan_server_log(path: Path, keep: int = 5) -> ServerLog:
    """Counts database lock errors and 5xx answers in the server's output."""
    locks = errors = lines = 0
    examples: list[str] = []
    with path.open(encoding="utf-8", errors="replace") as log:
        for line in log:
            lines += 1
            locked = bool(_LOCK.search(line))
            failed = bool(_STATUS_5XX.search(line))
            locks += locked
            errors += failed
            if (locked or failed) and len(examples) < keep:
                examples.append(line.strip()[:300])
    return ServerLog(lock_errors=locks, responses_5xx=errors, lines=lines, examples=examples)


def print_report(report: LoadReport) -> None:
    total = report.total
    print(
        f"mixed load: {report.users} users without think time for {report.seconds} s "
        f"(or {report.max_requests} requests), {report.workers} server worker(s), "
        f"{report.prompts} prompts, model fake {report.model_delay_ms} ms; "
        f"{report.cpu_count} CPUs shared by server, load generator and anything else running"
    )
    if report.note:
        print(f"  note: {report.note}")
    print(
        f"  throughput  {total.rps:8.1f} req/s  ({total.requests} requests in "
        f"{report.elapsed_s:.1f} s, {total.failures} errors)"
    )
    mix = ", ".join(
        f"{group} {report.share(group) * 100:.1f} % (target {weight} %)"
        for group, weight in WEIGHTS.items()
    )
    print(f"  mix         {mix}")
    print(
        f"  {'endpoint':12s} {'requests':>9s} {'req/s':>8s} {'p50 ms':>8s} {'p95 ms':>8s} "
        f"{'p99 ms':>8s} {'max ms':>8s} {'errors':>7s}"
    )
    for e in [*report.endpoints, total]:
        print(
            f"  {e.name:12s} {e.requests:9d} {e.rps:8.1f} {e.p50_ms:8.0f} {e.p95_ms:8.0f} "
            f"{e.p99_ms:8.0f} {e.max_ms:8.0f} {e.failures:7d}"
        )
    for error in report.errors[:10]:
        print(
            f"  error: {error['method']} {error['name']} x{error['count']}: {error['error'][:200]}"
        )
    print(
        f"  CPU seconds: load generator (locust) {report.generator_cpu_s:.1f}, "
        f"server {report.server_cpu_s:.1f}, of "
        f"{report.elapsed_s * report.cpu_count:.0f} available"
    )
    log = report.server_log
    print(
        f"  server log: {log.lines} lines, {log.lock_errors} database lock errors "
        f"(database is locked / SQLITE_BUSY), {log.responses_5xx} 5xx answers"
    )
    for line in log.examples:
        print(f"    {line}")
