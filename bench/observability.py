"""What metrics and tracing cost a request: the prompt list (`GET /api/v1/prompts`, 50 of
them) over the app's ASGI interface, with METRICS_ENABLED on (HTTP and statement metrics in
multiprocess files, request and statement spans sent to a local OTLP receiver) against off,
interleaved in one run so that both see the same machine.

Target: the overhead is under 5 %. Spans are sampled as OTEL_TRACES_SAMPLER says (the
SDK's default keeps every span); run it again with
`OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.1` to see the cost
at one trace in ten. `--from-database` lets listings expire at once, so every request
reads its rows (the endpoint as a first fetch sees it) instead of answering from the cache.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from contextlib import AsyncExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from autoforge.app import create_app
from autoforge.bootstrap import Container, bootstrap
from autoforge.config import Settings
from autoforge.db import migrations
from autoforge.identity.caller import DEFAULT_PROJECT_ID
from autoforge.observability import metrics
from autoforge.prompts.bulk_import import import_prompts

ROUNDS = 40
PER_ROUND = 50
URL = "/api/v1/prompts?limit=50"
PROMPTS = 200


class _Receiver(BaseHTTPRequestHandler):
    """Takes OTLP exports and drops them (the exporter's work is what is measured)."""

    spans_bytes = 0

    def do_POST(self) -> None:
        _Receiver.spans_bytes += len(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        return


def settings(root: Path, enabled: bool, *, from_database: bool = False) -> Settings:
    # From the database: listings expire at once, so every request reads its 50 rows
    # (the list endpoint as it was before the cache, and as a first fetch is).
    ttl = {"cache_list_ttl_s": 1e-9} if from_database else {}
    return Settings(  # type: ignore[call-arg]
        autoforge_data_dir=root,
        rate_limit_enabled=False,
        metrics_enabled=enabled,
        _env_file=None,
        **ttl,
    )


async def timed(client: httpx.AsyncClient, n: int) -> list[float]:
    spent = []
    for _ in range(n):
        started = time.perf_counter()
        response = await client.get(URL)
        spent.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
    return spent


async def run(root: Path, *, from_database: bool) -> None:
    metrics.use_directory(root / "metrics")  # as `serve` does: samples in shared files
    containers: dict[str, Container] = {
        "off": bootstrap(settings(root, False, from_database=from_database)),
        "on": bootstrap(settings(root, True, from_database=from_database)),
    }
    migrations.upgrade(containers["off"].database.engine)
    records = [
        {"name": f"p-{i}", "title": f"Prompt {i}", "content": f"Answer {{{{q}}}} #{i}"}
        for i in range(PROMPTS)
    ]
    with containers["off"].database.transaction() as uow:
        import_prompts(uow, DEFAULT_PROJECT_ID, records)
    apps = {name: create_app(container) for name, container in containers.items()}
    spent: dict[str, list[float]] = {name: [] for name in apps}
    clients = {
        name: httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b")
        for name, app in apps.items()
    }
    async with AsyncExitStack() as stack:
        for name, client in clients.items():
            await stack.enter_async_context(apps[name].router.lifespan_context(apps[name]))
            await stack.enter_async_context(client)
            await timed(client, 200)  # warm: caches, compiled statements, connections
        for round_number in range(ROUNDS):
            # Alternate which goes first, so neither always follows the other's export work.
            order = list(clients.items())
            for name, client in order if round_number % 2 else reversed(order):
                spent[name].append(statistics.median(await timed(client, PER_ROUND)))
    for container in containers.values():
        container.close()

    off = statistics.median(spent["off"])
    on = statistics.median(spent["on"])
    # Paired by round: a busy machine slows both sides of a round alike.
    overhead = statistics.median(
        (with_ - without) / without * 100
        for with_, without in zip(spent["on"], spent["off"], strict=True)
    )
    served = "from the database" if from_database else "cached"
    print(f"GET {URL} ({served}) in-process, median of {ROUNDS} interleaved rounds of {PER_ROUND}")
    print(f"  metrics and tracing off  {off:6.3f} ms")
    print(f"  metrics and tracing on   {on:6.3f} ms   added {on - off:+.3f} ms")
    print(f"  overhead, median of the rounds' ratios: {overhead:+.1f} %")
    print(f"  spans exported to the OTLP receiver: {_Receiver.spans_bytes} bytes")
    verdict = "MET" if overhead < 5 else "NOT MET"
    print(f"goal: metrics and tracing add < 5 %: {overhead:+.1f} %, {verdict}")


def main() -> None:
    from_database = "--from-database" in sys.argv[1:]
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    # Read once per process, when the first gateway is built (in `bootstrap`).
    os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] = f"http://127.0.0.1:{receiver.server_address[1]}"
    sampler = os.environ.get("OTEL_TRACES_SAMPLER", "parentbased_always_on")
    print(f"sampler: {sampler} {os.environ.get('OTEL_TRACES_SAMPLER_ARG', '')}")
    # The receiver stays up (a daemon thread) for the exporter's flush at exit.
    with tempfile.TemporaryDirectory(prefix="bench-observability-") as root:
        asyncio.run(run(Path(root), from_database=from_database))


if __name__ == "__main__":
    main()
