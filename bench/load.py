"""A mixed load on a real `autoforge serve`: 80 % reads, 15 % writes, 5 % model runs.

    python -m bench.load                          # 60 s, 16 users
    python -m bench.load --seconds 30 --users 32 --workers 2 --save bench/results/load.jsonl

The server runs on a fresh data dir with every model the test fake, answering after a fixed
delay (`--model-delay-ms`). 200 prompts are imported, half of them labelled `production`.
Locust (`bench/locustfile.py`) then drives, in one run, with no think time:

    reads  80 %  list (GET /api/v1/prompts?limit=50) 30, detail 30, label fetch by name 20
    writes 15 %  edit (PATCH: a new version) 8, label move (PUT .../labels/production) 7
    runs    5 %  POST /api/v1/prompts/by-name/{name}/run on the fake, no response cache

The run ends after `--seconds` or `--max-requests`, whichever comes first. It prints the
throughput, per endpoint the count, req/s, p50/p95/p99 and errors, the CPU seconds of the
load generator and of the server (both share the machine), and what the server log holds of
database locks and 5xx answers. It exits 1 on any error or lock.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from bench.load_report import LoadReport, print_report
from bench.load_run import LoadPlan, run_load

RESULTS = Path(__file__).resolve().parent / "results" / "load.jsonl"


def measure(plan: LoadPlan) -> LoadReport:
    """Runs the plan on a fresh data dir, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="bench-load-") as root:
        return run_load(plan, Path(root))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="run time")
    parser.add_argument("--users", type=int, default=16, help="concurrent users (connections)")
    parser.add_argument("--workers", type=int, default=1, help="`autoforge serve --workers N`")
    parser.add_argument(
        "--max-requests", type=int, default=500_000, help="end the run after this many"
    )
    parser.add_argument("--model-delay-ms", type=int, default=200, help="the fake's delay")
    parser.add_argument("--prompts", type=int, default=200, help="prompts seeded")
    parser.add_argument(
        "--save", type=Path, help=f"append the results as a JSON line (e.g. {RESULTS})"
    )
    args = parser.parse_args(argv)
    plan = LoadPlan(
        seconds=args.seconds,
        users=args.users,
        workers=args.workers,
        max_requests=args.max_requests,
        model_delay_ms=args.model_delay_ms,
        prompts=args.prompts,
    )
    report = measure(plan)
    print_report(report)
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        line = {"benchmark": "load", "at": datetime.now(UTC).isoformat(), **asdict(report)}
        with args.save.open("a") as saved:
            saved.write(json.dumps(line) + "\n")
    problems = report.problems()
    if problems:
        print("FAILED: " + "; ".join(problems))
        sys.exit(1)
    print("OK: 0 errors, no database lock errors, no 5xx in the server log")


if __name__ == "__main__":
    main()
