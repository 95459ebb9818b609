"""The moving parts of `python -m bench.load`: the server, its seed and the locust run."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
from tests.support.fake_model import FakeModel
from tests.support.server import REPO, autoforge, free_port, server_env, with_fake

from bench.load_report import LoadReport, scan_server_log

LABEL = "production"
# A provider's name, not the local model's: the local model runs one call at a time, which
# would make the runs a queue. Every model is the fake here; no call leaves the machine.
RUN_MODEL = "openai/gpt-4o-mini"
# The limiter stays on, with limits no load test reaches (600/minute per IP is the default).
UNREACHED_LIMIT = "100000000/minute"


@dataclass(frozen=True)
class LoadPlan:
    seconds: int = 60
    users: int = 16
    workers: int = 1
    max_requests: int = 500_000
    model_delay_ms: int = 200
    prompts: int = 200

    def __post_init__(self) -> None:
        # Every user owns at least one prompt to edit (bench/load_locust.py).
        if not 1 <= self.users <= self.prompts:
            raise ValueError("users must be between 1 and the number of prompts")


@dataclass(frozen=True)
class Driven:
    result: dict[str, Any]  # bench/load_locust.py's figures
    cpu_s: float  # the load generator's CPU seconds, user + system


def serve_has_workers(env: dict[str, str], fake: FakeModel) -> bool:
    """Whether this `autoforge serve` takes `--workers` (it is being added)."""
    help_text = subprocess.run(
        [*autoforge(fake), "serve", "--help"],
        env=with_fake(env, fake),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return "--workers" in help_text


@contextmanager
def serving(
    data_dir: Path, env: dict[str, str], fake: FakeModel, workers: int
) -> Iterator[tuple[str, psutil.Process]]:
    """`autoforge serve` (with every model the fake) on a free port, logging to
    `data_dir/server.log`; yields its URL and process, stops it."""
    port = free_port()
    command = [*autoforge(fake), "serve", "--port", str(port), "--no-warm"]
    if workers > 1:
        command += ["--workers", str(workers)]
    with (data_dir / "server.log").open("wb") as log:
        process = subprocess.Popen(
            command, cwd=data_dir, env=with_fake(env, fake), stdout=log, stderr=log
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_live(base, process)
            yield base, psutil.Process(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=60)


def _wait_until_live(base: str, process: subprocess.Popen[bytes], timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}: see server.log")
        try:
            if httpx.get(f"{base}/health/live", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not come up within {timeout_s:.0f} s")


def seed(base: str, count: int) -> list[dict[str, object]]:
    """Imports `count` prompts in one request and labels every other one; returns each
    prompt's id, name and whether it carries the label."""
    lines = (
        json.dumps(
            {
                "name": f"load-{i}",
                "title": f"Load prompt {i}",
                "content": f"You are a helpful assistant. Task {i}: answer {{{{question}}}}.",
                "status": "active",
                "tags": [f"team-{i % 4}"],
            }
        )
        for i in range(count)
    )
    with httpx.Client(base_url=base, timeout=60) as client:
        imported = client.post(
            "/api/v1/prompts:import",
            content="\n".join(lines),
            headers={"content-type": "application/x-ndjson"},
        )
        imported.raise_for_status()
        ids = _all_ids(client)
        prompts = []
        for i in range(count):
            labeled = i % 2 == 0
            if labeled:
                client.put(
                    f"/api/v1/prompts/{ids[f'load-{i}']}/labels/{LABEL}", json={"version": 1}
                ).raise_for_status()
            prompts.append({"id": ids[f"load-{i}"], "name": f"load-{i}", "labeled": labeled})
    return prompts


def _all_ids(client: httpx.Client) -> dict[str, str]:
    ids: dict[str, str] = {}
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/prompts", params=params)
        page.raise_for_status()
        body = page.json()
        ids.update({item["name"]: item["id"] for item in body["items"]})
        cursor = body["next_cursor"]
        if cursor is None:
            return ids


def drive(plan: LoadPlan, base: str, prompts: list[dict[str, object]], root: Path) -> Driven:
    """Runs the load generator (`bench/load_locust.py`) in a process of its own."""
    plan_file, result_file = root / "locust-plan.json", root / "locust-result.json"
    plan_file.write_text(
        json.dumps(
            {
                "base": base,
                "prompts": prompts,
                "label": LABEL,
                "model": RUN_MODEL,
                "users": plan.users,
                "seconds": plan.seconds,
                "max_requests": plan.max_requests,
            }
        )
    )
    command = [sys.executable, "-m", "bench.load_locust", str(plan_file), str(result_file)]
    # Only waited-for children count, and the server is still running: this is locust's.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with (root / "locust.log").open("wb") as log:
        done = subprocess.run(
            command,
            check=False,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=plan.seconds + 300,
        )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0 or not result_file.exists():
        tail = (root / "locust.log").read_text(errors="replace")[-3000:]
        raise RuntimeError(f"the load generator failed; its output ends with:\n{tail}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Driven(json.loads(result_file.read_text()), cpu)


def _cpu_seconds(process: psutil.Process) -> float:
    """User + system CPU seconds of the server and of every process it started."""
    total = 0.0
    for each in (process, *process.children(recursive=True)):
        try:
            times = each.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def run_load(plan: LoadPlan, root: Path) -> LoadReport:
    """The whole run in `root`: start, seed, load, stop, read the results and the log."""
    fake = FakeModel(delay_ms=plan.model_delay_ms)
    data_dir = root / "data"
    data_dir.mkdir()
    env = server_env(data_dir, RATE_LIMIT_KEY=UNREACHED_LIMIT, RATE_LIMIT_IP=UNREACHED_LIMIT)
    workers = plan.workers
    note = None
    if workers > 1 and not serve_has_workers(env, fake):
        note = f"`autoforge serve` has no --workers yet: ran 1 worker, not {workers}"
        workers = 1
    with serving(data_dir, env, fake, workers) as (base, server):
        prompts = seed(base, plan.prompts)
        server_cpu_before = _cpu_seconds(server)
        driven = drive(plan, base, prompts, root)
        server_cpu = _cpu_seconds(server) - server_cpu_before
    return LoadReport.of(
        driven.result,
        seconds=plan.seconds,
        max_requests=plan.max_requests,
        users=plan.users,
        workers=workers,
        model_delay_ms=plan.model_delay_ms,
        prompts=plan.prompts,
        cpu_count=os.cpu_count() or 1,
        generator_cpu_s=round(driven.cpu_s, 2),
        server_cpu_s=round(server_cpu, 2),
        server_log=scan_server_log(data_dir / "server.log"),
        note=note,
    )
