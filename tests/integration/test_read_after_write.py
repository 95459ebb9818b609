"""A 2xx means committed: every write, read back at once over HTTP, is there.

A real `autoforge serve`, and a CPU-bound process beside it (started and stopped here), the
conditions in which the commit used to land after the response: 7-10 of 150 immediate reads
missed a fresh prompt. Each write endpoint is called in a loop, and the read that follows
each call must find the write, every time.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests.support.fake_model import FakeModel
from tests.support.server import served, server_env

API = "/api/v1"
ROUNDS = 100  # create, edit, label and import
SMALL_ROUNDS = 25  # the other write endpoints

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def busy_neighbour() -> Iterator[None]:
    """One process that keeps a core busy for the whole module."""
    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        burner.kill()
        burner.wait(10)


@pytest.fixture(scope="module")
def client(
    tmp_path_factory: pytest.TempPathFactory, busy_neighbour: None
) -> Iterator[httpx.Client]:
    data_dir: Path = tmp_path_factory.mktemp("read-after-write")
    # The evaluations started below run on the model fake: only their rows matter here.
    with (
        served(data_dir, server_env(data_dir), fake=FakeModel()) as base,
        httpx.Client(base_url=base + API, timeout=30) as http,
    ):
        yield http


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def assert_always_seen(rounds: int, write_then_read: Callable[[int], bool]) -> None:
    """Runs `rounds` rounds; each must read back what it wrote."""
    missed = [i for i in range(rounds) if not write_then_read(i)]
    assert not missed, f"{len(missed)} of {rounds} immediate reads missed the write: {missed}"


def prompt(client: httpx.Client, name: str, **fields: Any) -> dict[str, Any]:
    body = {"name": name, "title": name, "content": f"{name} v1", **fields}
    created: dict[str, Any] = ok(client.post("/prompts", json=body), 201)
    return created


def test_create_prompt_then_read(client: httpx.Client) -> None:
    def round_(i: int) -> bool:
        created = prompt(client, f"create-{i}")
        return client.get(f"/prompts/{created['id']}").status_code == 200

    assert_always_seen(ROUNDS, round_)


def test_edit_prompt_then_read(client: httpx.Client) -> None:
    created = prompt(client, "edited")

    def round_(i: int) -> bool:
        ok(
            client.patch(
                f"/prompts/{created['id']}", json={"content": f"edit {i}", "base_version": i + 1}
            )
        )
        read = ok(client.get(f"/prompts/{created['id']}"))
        return bool(read["version"] == i + 2 and read["content"] == f"edit {i}")

    assert_always_seen(ROUNDS, round_)


def test_label_then_fetch_by_name(client: httpx.Client) -> None:
    created = prompt(client, "labelled")
    ok(client.patch(f"/prompts/{created['id']}", json={"content": "v2", "base_version": 1}))

    def round_(i: int) -> bool:
        version = 1 + i % 2
        ok(client.put(f"/prompts/{created['id']}/labels/production", json={"version": version}))
        live = ok(client.get("/prompts/by-name/labelled", params={"label": "production"}))
        return bool(live["version"] == version)

    assert_always_seen(ROUNDS, round_)


def test_import_then_export(client: httpx.Client) -> None:
    def round_(i: int) -> bool:
        lines = [
            orjson.dumps(
                {"name": f"imported-{i}-{n}", "title": "t", "content": "c", "tags": [f"batch{i}"]}
            ).decode()
            for n in range(5)
        ]
        report = ok(
            client.post(
                "/prompts:import",
                content="\n".join(lines),
                headers={"content-type": "application/x-ndjson"},
            )
        )
        assert report["created"] == 5
        exported = client.get("/prompts:export", params={"tag": f"batch{i}"})
        return len(exported.text.splitlines()) == 5

    assert_always_seen(ROUNDS, round_)


def test_prompt_lifecycle_writes_then_read(client: httpx.Client) -> None:
    """Status changes, soft delete, restore and rollback."""
    created = prompt(client, "lifecycle")
    url = f"/prompts/{created['id']}"

    def round_(i: int) -> bool:
        status = "active" if i % 2 == 0 else "archived"
        ok(client.post(f"{url}/status", json={"status": status}))
        seen = [ok(client.get(url))["status"] == status]
        ok(client.delete(url), 204)
        seen.append(client.get(url).status_code == 404)
        ok(client.post(f"{url}/restore"))
        seen.append(client.get(url).status_code == 200)
        edited = ok(client.patch(url, json={"content": f"lc {i}", "base_version": 1 + 2 * i}))
        seen.append(ok(client.get(url))["version"] == edited["version"])
        rolled = ok(client.post(f"{url}/rollback", json={"version": 1}))
        seen.append(ok(client.get(url))["version"] == rolled["version"] == edited["version"] + 1)
        return all(seen)

    assert_always_seen(SMALL_ROUNDS, round_)


def test_template_writes_then_read(client: httpx.Client) -> None:
    def round_(i: int) -> bool:
        body = {
            "name": f"template-{i}",
            "content": "Answer {{question}}",
            "parameters": [{"name": "question"}],
        }
        created = ok(client.post("/templates", json=body), 201)
        url = f"/templates/{created['id']}"
        seen = [client.get(url).status_code == 200]
        ok(client.patch(url, json={"description": f"edit {i}"}))
        seen.append(ok(client.get(url))["description"] == f"edit {i}")
        ok(client.delete(url), 204)
        seen.append(client.get(url).status_code == 404)
        return all(seen)

    assert_always_seen(SMALL_ROUNDS, round_)


def test_dataset_writes_then_read(client: httpx.Client) -> None:
    def round_(i: int) -> bool:
        items = [{"input": {"text": "a"}, "expected": "yes"}]
        created = ok(client.post("/datasets", json={"name": f"data-{i}", "items": items}), 201)
        url = f"/datasets/{created['id']}"
        seen = [client.get(url).status_code == 200]
        ok(client.post(f"{url}/versions", json={"mode": "append", "items": items}), 201)
        seen.append(ok(client.get(url))["latest_version"] == 2)
        line = orjson.dumps({"input": {"text": "b"}, "expected": "no"}).decode()
        ok(
            client.post(
                f"{url}:import", content=line, headers={"content-type": "application/x-ndjson"}
            ),
            201,
        )
        seen.append(ok(client.get(url))["latest_version"] == 3)
        ok(client.delete(url), 204)
        seen.append(client.get(url).status_code == 404)
        return all(seen)

    assert_always_seen(SMALL_ROUNDS, round_)


def test_start_evaluation_then_read(client: httpx.Client) -> None:
    prompt(client, "judged", content="Is {{text}} good?")
    items = [{"input": {"text": "cake"}, "expected": "yes"}]
    ok(client.post("/datasets", json={"name": "judged-data", "items": items}), 201)

    def round_(_: int) -> bool:
        body = {"prompt_name": "judged", "dataset_name": "judged-data", "no_cache": True}
        batch = ok(client.post("/evaluations", json=body), 202)
        return client.get(f"/evaluations/{batch['evaluations'][0]['id']}").status_code == 200

    assert_always_seen(SMALL_ROUNDS, round_)
