"""`/api/v1/secrets` on a server that requires credentials: values are encrypted at rest and
never sent back, only admins manage them, each project sees its own, and a project's stored
provider key pays for its LiteLLM calls without reaching the call log, the events, the
audit log, the response cache or the logs."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import text

from autoforge.app import create_app
from autoforge.bootstrap import Container
from autoforge.identity import service as identity_service
from autoforge.identity.caller import DEFAULT_ORGANIZATION_ID, local_caller
from autoforge.identity.models import ProjectRow
from autoforge.identity.schemas import KeyCreate
from autoforge.llm.litellm_client import LiteLLMClient, _litellm
from autoforge.secrets.keys import vault_of
from autoforge.secrets.models import ProjectSecretRow
from autoforge.secrets.provider_keys import ProviderKeys
from autoforge.secrets.vault import new_key
from tests.support.gateway import make_gateway

API = "/api/v1"
MODEL = "openai/gpt-4o-mini"
VALUE = "sk-proj-STORED-VALUE-never-shown-8f3e2a9c1d7b"
OTHER_VALUE = "sk-ant-OTHER-VALUE-never-shown-77aa11bb22cc"
SECRETS = (VALUE, OTHER_VALUE)


@dataclasses.dataclass
class World:
    client: TestClient
    container: Container
    headers: dict[str, dict[str, str]]
    # The keyword arguments of every `litellm.completion` call, and a switch that makes the
    # provider refuse the key the way OpenAI does: quoting it.
    calls: list[dict[str, Any]]
    refuse: list[bool]


def _bearer(container: Container, project_id: str, role: str) -> dict[str, str]:
    made = container.database.run(
        lambda uow: identity_service.create_key(
            uow,
            local_caller(project_id),
            KeyCreate(role=role),  # type: ignore[arg-type]
        )
    )
    return {"Authorization": f"Bearer {made.secret}"}


def _project_b(container: Container) -> str:
    def make(uow: Any) -> str:
        row = ProjectRow(organization_id=DEFAULT_ORGANIZATION_ID, name="B")
        uow.session.add(row)
        uow.session.flush()
        return row.id

    return container.database.run(make)


def _capture(world_calls: list[dict[str, Any]], refuse: list[bool]) -> Any:
    litellm = _litellm()
    original = litellm.completion

    def completion(*args: Any, **kwargs: Any) -> Any:
        world_calls.append(kwargs)
        if refuse and kwargs.get("api_key"):
            raise litellm.AuthenticationError(
                message=f"Incorrect API key provided: {kwargs['api_key']}",
                llm_provider="openai",
                model=MODEL,
            )
        return original(*args, **kwargs)

    return completion


def serve(file_container: Container, **settings: Any) -> Container:
    """The file container as a server requiring credentials, its LiteLLM calls mocked."""
    configured = file_container.settings.model_copy(
        update={"auth_mode": "required", "rate_limit_enabled": False, **settings}
    )
    container = dataclasses.replace(file_container, settings=configured)
    keys = ProviderKeys(container.database, lambda: vault_of(configured))
    client = LiteLLMClient(
        model_options={MODEL: {"mock_response": "mocked answer"}}, provider_keys=keys
    )
    container.gateway = make_gateway(container.database, client, default_model=MODEL)
    return container


@pytest.fixture
def world(file_container: Container, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    container = serve(file_container, secret_keys=[SecretStr(new_key())])
    calls: list[dict[str, Any]] = []
    refuse: list[bool] = []
    monkeypatch.setattr(_litellm(), "completion", _capture(calls, refuse))
    project_b = _project_b(container)
    headers = {
        role: _bearer(container, local_caller().project_id, role)
        for role in ("viewer", "member", "admin")
    }
    headers["other project's admin"] = _bearer(container, project_b, "admin")
    with TestClient(create_app(container)) as client:
        yield World(client, container, headers, calls, refuse)
    container.gateway.close()


def put(world: World, name: str, value: str, caller: str = "admin") -> Any:
    return world.client.put(
        f"{API}/secrets/{name}", json={"value": value}, headers=world.headers[caller]
    )


def everything_stored(container: Container) -> str:
    """Every row of every table, as raw SQL reads it: what a stolen database file shows."""
    container.gateway.flush()
    with container.database.engine.connect() as conn:
        names = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))
        rows = {
            name: conn.execute(text(f'SELECT * FROM "{name}"')).all() for name in names.scalars()
        }
    return "\n".join(f"{name}: {found}" for name, found in rows.items())


def database_bytes(container: Container) -> bytes:
    container.gateway.flush()
    files = sorted(container.settings.data_dir.glob("autoforge.db*"))
    assert files, "no database file found"
    return b"".join(path.read_bytes() for path in files)


def test_a_value_is_stored_encrypted_and_never_sent_back(world: World) -> None:
    stored = put(world, "OPENAI_API_KEY", OTHER_VALUE)
    assert stored.status_code == 200, stored.text
    replaced = put(world, "OPENAI_API_KEY", f"  {VALUE}\n")
    listed = world.client.get(f"{API}/secrets", headers=world.headers["admin"])

    assert replaced.status_code == 200
    assert replaced.json()["display"] == f"…{VALUE[-4:]}"
    assert replaced.json()["created_at"] == stored.json()["created_at"]
    assert replaced.json()["updated_at"] >= stored.json()["updated_at"]
    assert [(s["name"], s["display"]) for s in listed.json()] == [
        ("OPENAI_API_KEY", f"…{VALUE[-4:]}")
    ]
    for answer in (stored, replaced, listed):
        assert not [s for s in SECRETS if s in answer.text]
    dump = everything_stored(world.container)
    assert "OPENAI_API_KEY" in dump
    assert not [s for s in SECRETS if s in dump]
    assert not [s for s in SECRETS if s.encode() in database_bytes(world.container)]
    # What is stored does decrypt to the value, surrounding whitespace dropped.
    [row] = world.container.database.run(
        lambda uow: list(uow.session.query(ProjectSecretRow)), read_only=True
    )
    assert vault_of(world.container.settings).decrypt(row.ciphertext) == VALUE


def test_only_admins_see_or_change_secrets(world: World) -> None:
    assert put(world, "OPENAI_API_KEY", VALUE).status_code == 200
    url = f"{API}/secrets/OPENAI_API_KEY"

    for caller in ("viewer", "member"):
        headers = world.headers[caller]
        assert world.client.get(f"{API}/secrets", headers=headers).status_code == 403
        assert put(world, "OPENAI_API_KEY", OTHER_VALUE, caller).status_code == 403
        assert world.client.delete(url, headers=headers).status_code == 403
    assert world.client.get(f"{API}/secrets").status_code == 401

    assert world.client.get(f"{API}/secrets", headers=world.headers["admin"]).status_code == 200
    assert world.client.delete(url, headers=world.headers["admin"]).status_code == 204
    assert world.client.delete(url, headers=world.headers["admin"]).status_code == 404


def test_another_project_sees_none_of_them(world: World) -> None:
    assert put(world, "OPENAI_API_KEY", VALUE).status_code == 200
    other = world.headers["other project's admin"]

    assert world.client.get(f"{API}/secrets", headers=other).json() == []
    gone = world.client.delete(f"{API}/secrets/OPENAI_API_KEY", headers=other)
    assert gone.status_code == 404
    assert put(world, "OPENAI_API_KEY", OTHER_VALUE, "other project's admin").status_code == 200

    mine = world.client.get(f"{API}/secrets", headers=world.headers["admin"]).json()
    assert [s["display"] for s in mine] == [f"…{VALUE[-4:]}"]


def test_names_and_values_are_checked_without_echoing_the_value(world: World) -> None:
    too_long = VALUE * 300

    assert put(world, "openai_api_key", VALUE).status_code == 422
    assert put(world, "OPENAI_API_KEY", "").status_code == 422
    assert put(world, "OPENAI_API_KEY", " \n").status_code == 422
    refused = put(world, "OPENAI_API_KEY", too_long)
    assert refused.status_code == 422
    assert VALUE not in refused.text


def test_a_server_requiring_credentials_without_keys_refuses_to_store(
    file_container: Container,
) -> None:
    container = serve(file_container)
    headers = _bearer(container, local_caller().project_id, "admin")
    with TestClient(create_app(container)) as client:
        refused = client.put(
            f"{API}/secrets/OPENAI_API_KEY", json={"value": VALUE}, headers=headers
        )
        listed = client.get(f"{API}/secrets", headers=headers)
    container.gateway.close()

    assert refused.status_code == 503
    assert "SECRET_KEYS" in refused.json()["detail"]
    assert VALUE not in refused.text
    assert listed.json() == []
    assert not (container.settings.data_dir / "secret.key").exists()


def chat(world: World, caller: str, **extra: Any) -> Any:
    body = {"model": MODEL, "messages": [{"role": "user", "content": "Hi"}], **extra}
    return world.client.post("/v1/chat/completions", json=body, headers=world.headers[caller])


def test_a_projects_stored_key_pays_for_its_calls_and_is_never_recorded(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert put(world, "OPENAI_API_KEY", VALUE).status_code == 200
    assert put(world, "ANTHROPIC_API_KEY", OTHER_VALUE).status_code == 200

    answered = chat(world, "member", temperature=0)
    streamed = chat(world, "member", stream=True)
    other = chat(world, "other project's admin")

    assert answered.status_code == 200, answered.text
    assert answered.json()["choices"][0]["message"]["content"] == "mocked answer"
    assert streamed.status_code == 200
    assert [call.get("api_key") for call in world.calls] == [VALUE, VALUE, None]
    world.refuse.append(True)
    refused = chat(world, "member", temperature=0.5)
    assert refused.status_code == 400
    assert world.calls[-1]["api_key"] == VALUE
    for answer in (answered, streamed, other, refused):
        assert not [s for s in SECRETS if s in answer.text]
    # The call log, the audit log, the outbox, the events, the response cache: none has it.
    dump = everything_stored(world.container)
    assert "Incorrect API key provided" in dump
    assert not [s for s in SECRETS if s in dump]
    logged = "\n".join(
        [r.getMessage() for r in caplog.records] + [r.exc_text or "" for r in caplog.records]
    )
    assert not [s for s in SECRETS if s in logged]
    assert not [s for s in SECRETS if s in caplog.text]


def test_traces_keep_no_key_even_when_listed(world: World) -> None:
    assert put(world, "OPENAI_API_KEY", VALUE).status_code == 200
    assert chat(world, "member").status_code == 200

    traces = world.client.get(f"{API}/traces", headers=world.headers["member"])

    assert traces.status_code == 200
    assert traces.json()["items"]
    assert VALUE not in json.dumps(traces.json())
