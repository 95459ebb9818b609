"""`/api/v1/prompts/{id}/similar`, `/api/v1/prompts:search` and the duplicate warning, on a
real `autoforge serve` with the real local embedder: embeddings are made in the background,
results stay in the caller's project, a near-duplicate write is warned about, not refused."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from autoforge.bootstrap import bootstrap
from autoforge.config import Settings
from autoforge.db import migrations
from autoforge.identity import service as identity_service
from autoforge.identity.caller import local_caller
from autoforge.identity.schemas import KeyCreate, ProjectCreate
from tests.support.server import served, server_env

API = "/api/v1"
FRENCH = "Translate the following text into French, keeping its tone: {text}"


def _project_b_key(data_dir: Path) -> dict[str, str]:
    container = bootstrap(Settings(autoforge_data_dir=data_dir, _env_file=None))  # type: ignore[call-arg]
    migrations.upgrade(container.database.engine)

    def make(uow: Any) -> str:
        project = identity_service.create_project(uow, local_caller(), ProjectCreate(name="B"))
        caller = local_caller(project.id)
        return identity_service.create_key(uow, caller, KeyCreate(role="admin")).secret  # type: ignore[arg-type]

    secret = container.database.run(make)
    container.close()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    data_dir = tmp_path_factory.mktemp("similar")
    other = _project_b_key(data_dir)
    with (
        served(data_dir, server_env(data_dir, REDIS_URL="")) as base,
        httpx.Client(base_url=base, timeout=120) as client,
    ):
        yield client, other


def create(client: httpx.Client, name: str, content: str, **headers: str) -> httpx.Response:
    response = client.post(
        f"{API}/prompts", json={"name": name, "title": name, "content": content}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response


def similar(client: httpx.Client, prompt_id: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"{API}/prompts/{prompt_id}/similar", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def wait_embedded(client: httpx.Client, prompt_id: str, timeout_s: float = 240) -> None:
    deadline = time.monotonic() + timeout_s
    while similar(client, prompt_id)["pending"]:
        assert time.monotonic() < deadline, "the versions were not embedded in the background"
        time.sleep(0.2)


def test_similar_search_and_duplicate_warning(world: tuple[httpx.Client, dict[str, str]]) -> None:
    client, other = world
    french = create(client, "to-french", FRENCH).json()
    summary = create(
        client, "summary", "Summarize the article in three short sentences: {article}"
    ).json()
    create(client, "b-french", FRENCH, **other)
    wait_embedded(client, french["id"])

    # A near-duplicate is created (201), with a warning that names the prompt it repeats.
    copy = create(client, "to-french-copy", FRENCH.replace("following ", ""))
    assert "to-french" in copy.headers["Warning"]
    assert copy.headers["Warning"].startswith("299 ")
    unrelated = create(client, "haiku", "Write a haiku about autumn leaves.")
    assert "Warning" not in unrelated.headers
    wait_embedded(client, french["id"])

    found = similar(client, french["id"])
    assert found["threshold"] == 0.7
    assert [p["name"] for p in found["items"]] == ["to-french-copy"]  # not B's twin
    assert found["items"][0]["similarity"] > 0.95
    loose = similar(client, french["id"], threshold=0.0, k=2)["items"]
    assert loose[0]["name"] == "to-french-copy"
    assert len(loose) == 2  # k is honoured; the threshold let every prompt in

    search = client.get(f"{API}/prompts:search", params={"q": "translate into French"}).json()
    assert {p["name"] for p in search["items"][:2]} == {"to-french", "to-french-copy"}
    filtered = client.get(
        f"{API}/prompts:search", params={"q": "translate into French", "text": "copy"}
    ).json()
    assert [p["name"] for p in filtered["items"]] == ["to-french-copy"]

    # Project B sees only its own prompt, and A's prompt is not found from B.
    from_b = client.get(
        f"{API}/prompts:search", params={"q": "translate into French"}, headers=other
    ).json()
    assert [p["name"] for p in from_b["items"]] == ["b-french"]
    hidden = client.get(f"{API}/prompts/{french['id']}/similar", headers=other)
    assert hidden.status_code == 404
    assert hidden.headers["content-type"].startswith("application/problem+json")

    # An edit that makes a duplicate is saved, and warned about.
    edited = client.patch(
        f"{API}/prompts/{summary['id']}", json={"content": FRENCH, "base_version": 1}
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 2
    assert "to-french" in edited.headers["Warning"]


@pytest.mark.parametrize(
    "url",
    [
        f"{API}/prompts:search",
        f"{API}/prompts:search?q=",
        f"{API}/prompts:search?q=x&k=0",
        f"{API}/prompts:search?q=x&threshold=1.5",
        f"{API}/prompts/nope/similar?k=500",
    ],
)
def test_bad_parameters_are_problems(world: tuple[httpx.Client, dict[str, str]], url: str) -> None:
    client, _ = world
    response = client.get(url)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


def test_similar_to_an_unknown_prompt_is_404(world: tuple[httpx.Client, dict[str, str]]) -> None:
    client, _ = world
    response = client.get(f"{API}/prompts/no-such-prompt/similar")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
