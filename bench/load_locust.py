"""The load generator of `python -m bench.load`: locust, as a library, in a process of its own
(locust patches the standard library for gevent on import).

    python -m bench.load_locust PLAN.json RESULT.json

PLAN holds the server URL, the seeded prompts and the bounds; RESULT gets locust's final
figures per request name. The workload, with no think time between requests:

    reads  80 %  list 30, detail 30, label fetch by name 20
    writes 15 %  edit (a new version) 8, label move 7
    runs    5 %  a labelled prompt run by name on the model fake, no response cache
"""

from __future__ import annotations

import itertools
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import gevent
from locust import FastHttpUser, constant, task
from locust.contrib.fasthttp import ResponseContextManager
from locust.env import Environment
from locust.exception import StopUser
from locust.stats import StatsEntry

PERCENTILES = {"p50_ms": 0.50, "p95_ms": 0.95, "p99_ms": 0.99}
# Users finish the request they are in when the run ends, so none is cut off half-way.
STOP_TIMEOUT_S = 30


def _judge(response: ResponseContextManager) -> None:
    """Any answer but 2xx is an error, reported with the start of its body."""
    if 200 <= response.status_code < 300:
        response.success()
    else:
        response.failure(f"{response.status_code} {(response.text or '')[:300]}")


class PromptClient(FastHttpUser):
    """An application and its editors on one server. The weights add up to 100 and each
    request is drawn by weight, so the counts come out 80/15/5 whatever each one costs."""

    wait_time = constant(0)
    # Set by `main` from the plan.
    prompts: list[dict[str, Any]] = []
    labeled: list[dict[str, Any]] = []
    label = "production"
    model = ""
    users = 1
    max_requests = 0
    started = 0  # requests begun, by all users: the count bound
    # The version each prompt is at. Only its owner edits a prompt, so this is exact for
    # the edits; a label moved to any version up to it points at one that exists.
    versions: dict[str, int] = {}
    numbers = itertools.count()

    def _take(self) -> None:
        """Counts the request about to be sent, or stops this user at the bound. Users take
        turns (gevent) only while waiting for I/O, so the bound is exact."""
        if PromptClient.started >= self.max_requests:
            raise StopUser
        PromptClient.started += 1

    def on_start(self) -> None:
        # Each user edits its own share of the prompts, as an editor edits their own: it
        # always knows the base version, so no edit meets a 409 from a concurrent one.
        self.own = self.prompts[next(self.numbers) % self.users :: self.users]

    # Reads: 80.
    @task(30)
    def list_prompts(self) -> None:
        self._take()
        with self.client.get("/api/v1/prompts?limit=50", name="list", catch_response=True) as r:
            _judge(r)

    @task(30)
    def prompt_detail(self) -> None:
        self._take()
        prompt = random.choice(self.prompts)
        path = f"/api/v1/prompts/{prompt['id']}"
        with self.client.get(path, name="detail", catch_response=True) as r:
            _judge(r)

    @task(20)
    def label_fetch(self) -> None:
        self._take()
        prompt = random.choice(self.labeled)
        path = f"/api/v1/prompts/by-name/{prompt['name']}?label={self.label}"
        with self.client.get(path, name="label", catch_response=True) as r:
            _judge(r)

    # Writes: 15.
    @task(8)
    def edit(self) -> None:
        self._take()
        prompt = random.choice(self.own)
        body = {
            "content": f"You are a helpful assistant (edit {random.randrange(10**9)}): "
            "answer {{question}} briefly.",
            "change_note": "load test",
            "base_version": self.versions[prompt["id"]],
        }
        path = f"/api/v1/prompts/{prompt['id']}"
        with self.client.patch(path, json=body, name="edit", catch_response=True) as r:
            _judge(r)
            if r.status_code == 200:
                self.versions[prompt["id"]] = int(r.json()["version"])

    @task(7)
    def move_label(self) -> None:
        self._take()
        prompt = random.choice(self.labeled)
        body = {"version": random.randint(1, self.versions[prompt["id"]])}
        path = f"/api/v1/prompts/{prompt['id']}/labels/{self.label}"
        with self.client.put(path, json=body, name="label move", catch_response=True) as r:
            _judge(r)

    # Runs on the model fake: 5.
    @task(5)
    def run_prompt(self) -> None:
        self._take()
        prompt = random.choice(self.labeled)
        body = {
            "label": self.label,
            "model": self.model,
            "variables": {"question": "where is my order?"},
            "no_cache": True,
        }
        path = f"/api/v1/prompts/by-name/{prompt['name']}/run"
        with self.client.post(path, json=body, name="run", catch_response=True) as r:
            _judge(r)


def _figures(entry: StatsEntry) -> dict[str, Any]:
    return {
        "name": entry.name,
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        **{key: entry.get_response_time_percentile(q) for key, q in PERCENTILES.items()},
        "max_ms": round(entry.max_response_time, 1),
    }


def drive(plan: dict[str, Any]) -> dict[str, Any]:
    """Runs the users until `seconds` have passed or `max_requests` were sent."""
    PromptClient.prompts = plan["prompts"]
    PromptClient.labeled = [p for p in plan["prompts"] if p["labeled"]]
    PromptClient.label = plan["label"]
    PromptClient.model = plan["model"]
    PromptClient.users = plan["users"]
    PromptClient.max_requests = plan["max_requests"]
    PromptClient.versions = {p["id"]: 1 for p in plan["prompts"]}
    environment = Environment(
        user_classes=[PromptClient], host=plan["base"], stop_timeout=STOP_TIMEOUT_S
    )
    runner = environment.create_local_runner()
    stats = environment.stats
    started = time.monotonic()
    runner.start(plan["users"], spawn_rate=plan["users"])
    deadline = started + plan["seconds"]
    while time.monotonic() < deadline and PromptClient.started < plan["max_requests"]:
        gevent.sleep(0.05)
    runner.quit()
    elapsed = time.monotonic() - started
    return {
        "elapsed_s": round(elapsed, 2),
        "endpoints": [_figures(e) for e in sorted(stats.entries.values(), key=lambda e: e.name)],
        "total": _figures(stats.total),
        "errors": [
            {"name": e.name, "method": e.method, "error": str(e.error), "count": e.occurrences}
            for e in stats.errors.values()
        ],
    }


def main() -> None:
    plan_file, result_file = sys.argv[1:3]
    result = drive(json.loads(Path(plan_file).read_text()))
    Path(result_file).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
