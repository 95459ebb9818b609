"""The unmodified `langfuse` Python SDK against a real `autoforge serve` that requires keys:
auth_check, text and chat prompts (config, labels, tags, commit message), fetch by default
label, label and version, compile, label moves, folder names, its cache and its fallback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from langfuse import Langfuse
from langfuse.api import NotFoundError, UnauthorizedError

from tests.support.cli import Cli
from tests.support.fake_model import FakeModel
from tests.support.server import served, server_env

CHAT = [
    {"role": "system", "content": "You are {{persona}}."},
    {"type": "placeholder", "name": "history"},
    {"role": "user", "content": "{{question}}"},
]


@dataclass
class Server:
    url: str
    log: Path
    auth: tuple[str, str]

    def api(self) -> httpx.Client:
        """Our HTTP client, with the same key pair: changes the SDK does not see coming."""
        return httpx.Client(base_url=self.url, auth=self.auth, timeout=30)

    def requests_for(self, path: str) -> int:
        """How many requests for `path` the server's access log shows so far. A request for
        a marker path is made and awaited in the log first, so every earlier line is in."""
        marker = "/api/public/projects"
        seen = self.log.read_text().count(marker)
        with self.api() as client:
            assert client.get(marker).status_code == 200
        deadline = time.monotonic() + 30
        while self.log.read_text().count(marker) == seen:
            assert time.monotonic() < deadline, "the marker request never reached the log"
            time.sleep(0.02)
        return self.log.read_text().count(f"{path} ") + self.log.read_text().count(f"{path}?")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Keys required; a member key pair made with `autoforge key create` on the same data."""
    data_dir = tmp_path_factory.mktemp("langfuse")
    made = Cli(data_dir).json("key", "create", "--role", "member", "--note", "langfuse sdk")
    env = server_env(
        data_dir,
        AUTH_MODE="required",
        REDIS_URL="",
        PYTHONUNBUFFERED="1",  # the access log reaches the file line by line
    )
    with served(data_dir, env, fake=FakeModel()) as url:
        yield Server(url, data_dir / "server.log", (made["public_key"], made["secret"]))


@pytest.fixture(scope="module")
def langfuse(server: Server) -> Iterator[Langfuse]:
    client = Langfuse(
        public_key=server.auth[0],
        secret_key=server.auth[1],
        host=server.url,
        tracing_enabled=False,
    )
    yield client
    client.shutdown()


def test_auth_check_accepts_the_key_pair_and_refuses_a_wrong_one(
    langfuse: Langfuse, server: Server
) -> None:
    assert langfuse.auth_check() is True

    stranger = Langfuse(
        public_key="pk-afn-000000000000000000000000",
        secret_key="sk-afn-not-a-key",
        host=server.url,
        tracing_enabled=False,
    )
    with pytest.raises(UnauthorizedError):
        stranger.auth_check()
    stranger.shutdown()


def test_a_text_prompt_by_default_label_by_label_and_by_version(langfuse: Langfuse) -> None:
    created = langfuse.create_prompt(
        name="greeting",
        prompt="Hello {{name}}, welcome to {{place}}!",
        config={"model": "fake", "temperature": 0.1},
        labels=["production"],
        tags=["onboarding"],
        commit_message="first words",
    )
    langfuse.create_prompt(name="greeting", prompt="Hi {{name}}!", labels=["staging"])

    assert (created.version, created.is_fallback) == (1, False)
    live = langfuse.get_prompt("greeting")
    assert (live.version, live.prompt) == (1, "Hello {{name}}, welcome to {{place}}!")
    assert live.config == {"model": "fake", "temperature": 0.1}
    assert (live.labels, live.tags, live.commit_message) == (
        ["production"],
        ["onboarding"],
        "first words",
    )
    assert live.compile(name="Ada", place="Paris") == "Hello Ada, welcome to Paris!"
    staging = langfuse.get_prompt("greeting", label="staging")
    assert (staging.version, staging.labels) == (2, ["latest", "staging"])
    assert staging.compile(name="Bo") == "Hi Bo!"
    assert langfuse.get_prompt("greeting", version=1).prompt == live.prompt
    assert langfuse.get_prompt("greeting", label="latest").version == 2


def test_a_chat_prompt_compiles_its_messages_and_placeholders(langfuse: Langfuse) -> None:
    langfuse.create_prompt(
        name="assistant",
        type="chat",
        prompt=CHAT,  # type: ignore[arg-type]
        config={"max_tokens": 50},
        labels=["production"],
        commit_message="chat v1",
    )

    chat = langfuse.get_prompt("assistant", type="chat")
    assert (chat.version, chat.config, chat.commit_message) == (1, {"max_tokens": 50}, "chat v1")
    compiled = chat.compile(
        persona="a librarian",
        question="Where is {{the}} atlas?",
        history=[{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Hi"}],
    )
    assert compiled == [
        {"role": "system", "content": "You are a librarian."},
        {"role": "user", "content": "Hello"},
        {"role": "assistant", "content": "Hi"},
        {"role": "user", "content": "Where is {{the}} atlas?"},
    ]


def test_update_prompt_moves_a_label_and_our_api_sees_it(
    langfuse: Langfuse, server: Server
) -> None:
    langfuse.create_prompt(name="mover", prompt="one", labels=["production"])
    langfuse.create_prompt(name="mover", prompt="two")
    assert langfuse.get_prompt("mover").prompt == "one"

    updated = langfuse.update_prompt(name="mover", version=2, new_labels=["production"])

    assert sorted(updated.labels) == ["latest", "production"]
    assert langfuse.get_prompt("mover").prompt == "two"  # update_prompt emptied the cache
    with server.api() as api:
        ours = api.get("/api/v1/prompts/by-name/mover", params={"label": "production"})
    assert (ours.status_code, ours.json()["version"], ours.json()["title"]) == (200, 2, "mover")


def test_a_folder_name_round_trips(langfuse: Langfuse, server: Server) -> None:
    name = "team/support/reply"
    langfuse.create_prompt(name=name, prompt="Dear {{customer}},", labels=["production"])

    langfuse.update_prompt(name=name, version=1, new_labels=["staging"])

    fetched = langfuse.get_prompt(name, label="staging")
    assert (fetched.name, fetched.compile(customer="Kim")) == (name, "Dear Kim,")
    with server.api() as api:
        ours = api.get("/api/v1/prompts/by-name/team%2Fsupport%2Freply")
    assert (ours.status_code, ours.json()["name"]) == (200, name)


def test_a_second_get_within_the_ttl_comes_from_the_cache(
    langfuse: Langfuse, server: Server
) -> None:
    langfuse.create_prompt(name="cached", prompt="first", labels=["production"])
    assert langfuse.get_prompt("cached", cache_ttl_seconds=300).prompt == "first"
    fetched = server.requests_for("/api/public/v2/prompts/cached")
    with server.api() as api:  # a change behind the SDK's back
        second = {"name": "cached", "prompt": "second", "labels": ["production"]}
        assert api.post("/api/public/v2/prompts", json=second).status_code == 201

    again = langfuse.get_prompt("cached", cache_ttl_seconds=300)

    assert again.prompt == "first"
    assert server.requests_for("/api/public/v2/prompts/cached") == fetched == 1
    assert langfuse.get_prompt("cached", cache_ttl_seconds=0).prompt == "second"
    assert server.requests_for("/api/public/v2/prompts/cached") == 2


def test_a_missing_prompt_gives_the_fallback_or_a_404(langfuse: Langfuse, server: Server) -> None:
    fallback = langfuse.get_prompt("missing", fallback="Hi {{name}}", max_retries=0)

    assert (fallback.is_fallback, fallback.compile(name="Al")) == (True, "Hi Al")
    chat = langfuse.get_prompt(
        "missing-chat", type="chat", fallback=[{"role": "user", "content": "x"}], max_retries=0
    )
    assert (chat.is_fallback, chat.compile()) == (True, [{"role": "user", "content": "x"}])
    with pytest.raises(NotFoundError):
        langfuse.get_prompt("missing", max_retries=0)
    assert server.requests_for("/api/public/v2/prompts/missing") == 2
