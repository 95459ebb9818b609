"""What authentication costs a request: the prompt list over the app's ASGI interface, as
the local owner (no credentials) and with an API key (Bearer, and HTTP Basic), interleaved
in one run so that both see the same machine. Also the first request of a key, which looks
it up in the database before the answer is remembered.

Target: a remembered key adds under 0.3 ms to a request.
"""

from __future__ import annotations

import asyncio
import base64
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from autoforge.app import create_app
from autoforge.bootstrap import bootstrap
from autoforge.config import Settings
from autoforge.db import migrations
from autoforge.identity import service
from autoforge.identity.caller import local_caller
from autoforge.identity.schemas import KeyCreate

ROUNDS = 20
PER_ROUND = 200
URL = "/api/v1/prompts?limit=1"


async def timed(client: httpx.AsyncClient, headers: dict[str, str], n: int) -> list[float]:
    spent = []
    for _ in range(n):
        started = time.perf_counter()
        response = await client.get(URL, headers=headers)
        spent.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
    return spent


async def run(root: Path) -> None:
    settings = Settings(autoforge_data_dir=root, rate_limit_enabled=False, _env_file=None)  # type: ignore[call-arg]
    container = bootstrap(settings)
    migrations.upgrade(container.database.engine)
    key = container.database.run(
        lambda uow: service.create_key(uow, local_caller(), KeyCreate(role="member"))
    )
    basic = base64.b64encode(f"{key.public_key}:{key.secret}".encode()).decode()
    callers = {
        "anonymous (local owner)": {},
        "API key, Bearer": {"Authorization": f"Bearer {key.secret}"},
        "API key, HTTP Basic": {"Authorization": f"Basic {basic}"},
    }
    app = create_app(container)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
    ):
        first = []
        for _ in range(50):  # a fresh key each time: the lookup, then remembered
            fresh = container.database.run(
                lambda uow: service.create_key(uow, local_caller(), KeyCreate(role="member"))
            )
            first += await timed(client, {"Authorization": f"Bearer {fresh.secret}"}, 1)
        for headers in callers.values():
            await timed(client, headers, 100)  # warm
        spent: dict[str, list[float]] = {name: [] for name in callers}
        for _ in range(ROUNDS):
            for name, headers in callers.items():
                spent[name].append(statistics.median(await timed(client, headers, PER_ROUND)))
    container.close()

    base = statistics.median(spent["anonymous (local owner)"])
    print(f"GET {URL} in-process, median of {ROUNDS} interleaved rounds of {PER_ROUND} requests")
    for name, medians in spent.items():
        median = statistics.median(medians)
        print(f"  {name:26} {median:6.3f} ms   added {median - base:+.3f} ms")
    print(f"  a key's first request (database lookup): median {statistics.median(first):.3f} ms")
    added = statistics.median(spent["API key, Bearer"]) - base
    verdict = "MET" if added < 0.3 else "NOT MET"
    print(f"goal: a remembered key adds < 0.3 ms: {added:+.3f} ms, {verdict}")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-auth-") as root:
        asyncio.run(run(Path(root)))


if __name__ == "__main__":
    main()
