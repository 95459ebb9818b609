"""Sensitive dataset fields over HTTP on a real libSQL file: sealed with Fernet at rest (no
plaintext in any table or in the database file), decrypted for whoever may read the
dataset, in plaintext only in memory when an evaluation or an optimization uses them (never
in stored results, traced variables, events, audit entries or logs), and moved to the
newest key by a key rotation.

Each test makes values of its own: a freed page of the shared database file may still hold
what an earlier test wrote, and must not be mistaken for a leak here.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import text

from autoforge.app import create_app
from autoforge.bootstrap import Container
from autoforge.datasets import service
from autoforge.datasets.sealing import REDACTED, SEALED
from autoforge.llm.fake import FakeModelClient
from autoforge.secrets import service as secrets
from autoforge.secrets.keys import vault_of
from autoforge.secrets.vault import SecretsUnavailable, Vault, new_key
from tests.api.test_secrets_api import database_bytes, everything_stored
from tests.support.gateway import make_gateway
from tests.support.optimizations import oracle_items
from tests.unit.optimizations.oracle import START, TARGET, dataset, oracle_client

API = "/api/v1"
MODEL = "fake/primary"


@dataclasses.dataclass
class World:
    client: TestClient
    container: Container
    fake: FakeModelClient
    key: str


@contextmanager
def serve(file_container: Container, fake: FakeModelClient, model: str) -> Iterator[World]:
    """The app on the file container with `fake` as every model and one encryption key."""
    key = new_key()
    settings = file_container.settings.model_copy(update={"secret_keys": [SecretStr(key)]})
    gateway = make_gateway(file_container.database, fake, default_model=model, max_retries=0)
    container = dataclasses.replace(file_container, settings=settings, gateway=gateway)
    with TestClient(create_app(container)) as client:
        yield World(client, container, fake, key)
    gateway.close()


@pytest.fixture
def world(file_container: Container) -> Iterator[World]:
    # A model that never repeats its prompt: whatever holds a value got it from elsewhere.
    with serve(file_container, FakeModelClient(reply=lambda _: "yes"), MODEL) as world:
        yield world


def values(count: int = 3) -> list[str]:
    """Values found nowhere else, e.g. `SSN-1-3f2a9c0d-PLAINTEXT`."""
    tag = uuid.uuid4().hex[:8]
    return [f"SSN-{i}-{tag}-PLAINTEXT" for i in range(count)]


def items(ssns: list[str]) -> list[dict[str, Any]]:
    return [
        {"name": f"c{i}", "input": {"patient": f"patient {i}", "ssn": ssn}, "expected": "yes"}
        for i, ssn in enumerate(ssns)
    ]


def create(world: World, ssns: list[str], **fields: Any) -> dict[str, Any]:
    body = {"name": "patients", "items": items(ssns), "sensitive": ["ssn"], **fields}
    response = world.client.post(f"{API}/datasets", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def listed(world: World, dataset_id: str, version: int) -> list[dict[str, Any]]:
    page = world.client.get(f"{API}/datasets/{dataset_id}/versions/{version}/items")
    assert page.status_code == 200, page.text
    return [item["input"] for item in page.json()["items"]]


def stored(container: Container, version: int) -> list[dict[str, Any]]:
    """The items' `input` of version `version` as raw SQL reads it."""
    query = text(
        "SELECT i.input FROM dataset_items i JOIN dataset_versions v "
        "ON v.id = i.dataset_version_id WHERE v.version_number = :n ORDER BY i.position"
    )
    with container.database.engine.connect() as conn:
        return [json.loads(raw) for raw in conn.execute(query, {"n": version}).scalars()]


def leaked(ssns: list[str], where: str | bytes) -> list[str]:
    haystack = where.decode(errors="replace") if isinstance(where, bytes) else where
    return [ssn for ssn in ssns if ssn in haystack]


def test_values_are_sealed_at_rest_and_read_back_in_plaintext(world: World) -> None:
    ssns = values()
    created = create(world, ssns)

    assert created["latest"]["sensitive"] == ["ssn"]
    assert listed(world, created["id"], 1) == [item["input"] for item in items(ssns)]
    for i, inputs in enumerate(stored(world.container, 1)):
        assert inputs["patient"] == f"patient {i}"  # not sensitive: as given
        assert list(inputs["ssn"]) == [SEALED]
        assert Vault([world.key]).decrypt(inputs["ssn"][SEALED]) == json.dumps(ssns[i])
    assert not leaked(ssns, everything_stored(world.container))
    assert not leaked(ssns, database_bytes(world.container))


def test_a_value_keeps_its_json_type(world: World) -> None:
    body = {
        "name": "typed",
        "items": [{"input": {"n": 42, "l": ["a", 1]}}],
        "sensitive": ["n", "l"],
    }
    created = world.client.post(f"{API}/datasets", json=body).json()

    assert listed(world, created["id"], 1) == [{"n": 42, "l": ["a", 1]}]
    assert set(stored(world.container, 1)[0]["n"]) == {SEALED}


def test_new_versions_carry_the_fields_forward_unless_overridden(world: World) -> None:
    ssns = values(4)
    dataset_id = create(world, ssns[:2])["id"]
    url = f"{API}/datasets/{dataset_id}/versions"
    more = {"mode": "append", "items": [{"input": {"patient": "p", "ssn": ssns[2]}}]}

    kept = world.client.post(url, json=more).json()
    emptied = world.client.post(url, json={"items": []})
    both = world.client.post(
        url,
        json={
            "mode": "append",
            "items": [{"input": {"patient": "q", "ssn": ssns[3]}}],
            "sensitive": ["patient", "ssn"],
        },
    ).json()

    assert kept["sensitive"] == ["ssn"]
    assert all(set(i["ssn"]) == {SEALED} for i in stored(world.container, 2))
    assert emptied.status_code == 201
    assert emptied.json()["sensitive"] == ["ssn"]  # kept even with no item holding it
    # Version 3 was empty, so version 4 appends to nothing: its own item, both fields sealed.
    assert both["sensitive"] == ["patient", "ssn"]
    assert [set(v) for v in stored(world.container, 4)[0].values()] == [{SEALED}, {SEALED}]
    assert listed(world, dataset_id, 4) == [{"patient": "q", "ssn": ssns[3]}]
    assert listed(world, dataset_id, 2)[2] == {"patient": "p", "ssn": ssns[2]}
    assert not leaked(ssns, everything_stored(world.container))


def test_an_append_that_changes_the_fields_reseals_the_copied_items(world: World) -> None:
    ssns = values(2)
    dataset_id = create(world, ssns)["id"]

    moved = world.client.post(
        f"{API}/datasets/{dataset_id}/versions",
        json={"mode": "append", "items": [{"input": {"patient": "x"}}], "sensitive": ["patient"]},
    )

    assert moved.status_code == 201, moved.text
    assert listed(world, dataset_id, 2)[:2] == [item["input"] for item in items(ssns)]
    copied = stored(world.container, 2)
    assert [set(inputs["patient"]) for inputs in copied] == [{SEALED}] * 3
    # Taken off the list on purpose: from this version on the value is stored as given.
    assert [inputs["ssn"] for inputs in copied[:2]] == ssns


@pytest.mark.parametrize(
    ("fmt", "content_type", "body"),
    [
        ("jsonl", "text/plain", lambda s: "".join(json.dumps(i) + "\n" for i in items(s))),
        (
            "csv",
            "text/csv",
            lambda s: "name,patient,ssn\n" + "".join(f"c{n},p,{v}\n" for n, v in enumerate(s)),
        ),
    ],
)
def test_an_import_marks_fields_sensitive(
    world: World, fmt: str, content_type: str, body: Any
) -> None:
    ssns = values()
    dataset_id = world.client.post(f"{API}/datasets", json={"name": "imported"}).json()["id"]

    imported = world.client.post(
        f"{API}/datasets/{dataset_id}:import?format={fmt}&sensitive=ssn",
        content=body(ssns),
        headers={"content-type": content_type},
    )

    assert imported.status_code == 201, imported.text
    assert imported.json()["sensitive"] == ["ssn"]
    assert [inputs["ssn"] for inputs in listed(world, dataset_id, 1)] == ssns
    assert all(set(inputs["ssn"]) == {SEALED} for inputs in stored(world.container, 1))
    assert not leaked(ssns, everything_stored(world.container))


def test_a_field_in_no_item_is_a_422_naming_it_and_writes_nothing(world: World) -> None:
    ssns = values(1)
    body = {"name": "typo", "items": items(ssns), "sensitive": ["ssn", "snn"]}

    refused = world.client.post(f"{API}/datasets", json=body)
    no_items = world.client.post(f"{API}/datasets", json={"name": "bare", "sensitive": ["ssn"]})
    dataset_id = create(world, ssns)["id"]
    version = world.client.post(
        f"{API}/datasets/{dataset_id}/versions", json={"items": [], "sensitive": ["ssn"]}
    )
    imported = world.client.post(
        f"{API}/datasets/{dataset_id}:import?sensitive=nope",
        content=json.dumps({"input": {"ssn": ssns[0]}}),
        headers={"content-type": "text/plain"},
    )

    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "sensitive", "message": "'snn' is in no item's input"}
    ]
    assert "'snn'" in refused.json()["detail"]
    assert no_items.status_code == 422
    assert version.status_code == 422
    assert "'nope'" in imported.json()["detail"]
    assert imported.status_code == 422
    for answer in (refused, version, imported):
        assert not leaked(ssns, answer.text)
    names = [d["name"] for d in world.client.get(f"{API}/datasets").json()["items"]]
    assert names == ["patients"]
    assert world.client.get(f"{API}/datasets/{dataset_id}").json()["latest_version"] == 1


def finished(world: World, path: str, timeout_s: float = 30) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        body = world.client.get(f"{API}/{path}").json()
        if body["status"] in ("completed", "failed"):
            return body
        time.sleep(0.05)
    raise AssertionError(f"{path} did not finish")


def test_an_evaluation_runs_on_plaintext_and_stores_none(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ssns = values()
    create(world, ssns)
    prompt = {"name": "check", "title": "check", "content": "Is {{ssn}} valid for {{patient}}?"}
    assert world.client.post(f"{API}/prompts", json=prompt).status_code == 201

    started = world.client.post(
        f"{API}/evaluations", json={"prompt_name": "check", "dataset_name": "patients"}
    )
    assert started.status_code == 202, started.text
    evaluation_id = started.json()["evaluations"][0]["id"]
    done = finished(world, f"evaluations/{evaluation_id}")
    results = world.client.get(f"{API}/evaluations/{evaluation_id}/results").json()["items"]

    assert done["status"] == "completed", done["error"]
    sent = [str(call.as_input()) for call in world.fake.calls]
    assert [ssn for ssn in ssns if any(ssn in prompt for prompt in sent)] == ssns
    assert [r["input"] for r in results] == [
        {"patient": f"patient {i}", "ssn": REDACTED} for i in range(len(ssns))
    ]
    with world.container.database.engine.connect() as conn:
        traced = conn.execute(text("SELECT variables FROM llm_calls")).scalars().all()
    assert [json.loads(v)["ssn"] for v in traced] == [REDACTED] * len(ssns)
    world.container.gateway.flush()
    # Nothing stored anywhere: results, traces (the prompt sent and the answer included,
    # where the call log masks each value), events, audit rows.
    assert not leaked(ssns, everything_stored(world.container))
    with world.container.database.engine.connect() as conn:
        kept = conn.execute(text("SELECT input FROM llm_calls")).scalars().all()
    assert all(REDACTED in prompt for prompt in kept)
    assert not leaked(ssns, caplog.text)
    assert not leaked(ssns, "\n".join(r.exc_text or "" for r in caplog.records))


def test_an_optimization_never_shows_a_sensitive_value_in_a_candidate(
    file_container: Container,
) -> None:
    cases = dataset(24)
    reviews = [str(case.inputs["text"]) for case in cases]
    with serve(file_container, oracle_client(cases), TARGET) as world:
        body = {"name": "sentiment", "items": oracle_items(24), "sensitive": ["text"]}
        assert world.client.post(f"{API}/datasets", json=body).status_code == 201
        prompt = {"name": "review", "title": "review", "content": START}
        assert world.client.post(f"{API}/prompts", json=prompt).status_code == 201

        started = world.client.post(
            f"{API}/optimizations",
            json={"prompt": "review", "dataset": "sentiment", "budget": {"calls": 600}},
        )
        assert started.status_code == 202, started.text
        done = finished(world, f"optimizations/{started.json()['id']}")

        assert done["status"] == "completed", done["error"]
        sent = "\n".join(str(call.as_input()) for call in world.fake.calls)
        # The split may leave a case or two out; the rest reach the target in plaintext.
        assert len([review for review in reviews if review in sent]) >= 20
        # No trainset value became a demonstration in a stored candidate or prompt version.
        world.container.gateway.flush()
        assert not leaked(reviews, everything_stored(world.container))


def test_rotation_moves_every_sealed_value_to_the_newest_key(world: World) -> None:
    ssns = values()
    dataset_id = create(world, ssns)["id"]
    newer = new_key()
    rotated_settings = world.container.settings.model_copy(
        update={"secret_keys": [SecretStr(newer), SecretStr(world.key)]}
    )

    rotation = world.container.database.run(
        lambda uow: secrets.reencrypt_all(uow, vault_of(rotated_settings), actor="test")
    )
    again = world.container.database.run(
        lambda uow: secrets.reencrypt_all(uow, Vault([newer]), actor="test")
    )

    assert rotation.dataset_values.model_dump() == {"reencrypted": 3, "current": 0}
    assert again.dataset_values.model_dump() == {"reencrypted": 0, "current": 3}
    for inputs in stored(world.container, 1):
        with pytest.raises(SecretsUnavailable):
            Vault([world.key]).decrypt(inputs["ssn"][SEALED])
    only_newer = rotated_settings.model_copy(update={"secret_keys": [SecretStr(newer)]})
    page = world.container.database.run(
        lambda uow: service.list_items(
            uow, "", dataset_id, None, vault=partial(vault_of, only_newer)
        ),
        read_only=True,
    )
    assert [item.input["ssn"] for item in page.items] == ssns


def test_rotation_without_the_old_key_changes_nothing_and_names_the_item(world: World) -> None:
    create(world, values(1))
    before = stored(world.container, 1)

    with pytest.raises(SecretsUnavailable) as refused:
        world.container.database.run(
            lambda uow: secrets.reencrypt_all(uow, Vault([new_key()]), actor="test")
        )

    assert "item 'c0' in dataset 'patients' v1" in refused.value.detail
    assert stored(world.container, 1) == before


def test_a_model_that_repeats_a_value_does_not_get_it_stored(file_container: Container) -> None:
    """The echo fake answers with its prompt, value and all: the result and the trace keep
    the answer with the value masked."""
    with serve(file_container, FakeModelClient(), MODEL) as world:
        ssns = values()
        create(world, ssns)
        prompt = {"name": "echo", "title": "echo", "content": "Repeat {{ssn}} for {{patient}}"}
        assert world.client.post(f"{API}/prompts", json=prompt).status_code == 201
        started = world.client.post(
            f"{API}/evaluations", json={"prompt_name": "echo", "dataset_name": "patients"}
        )
        evaluation_id = started.json()["evaluations"][0]["id"]
        finished(world, f"evaluations/{evaluation_id}")
        results = world.client.get(f"{API}/evaluations/{evaluation_id}/results").json()["items"]
        world.container.gateway.flush()

        answers = [str(call.as_input()) for call in world.fake.calls]
        assert [ssn for ssn in ssns if any(ssn in a for a in answers)] == ssns  # it was asked
        assert all(REDACTED in r["output"] for r in results)
        assert not leaked(ssns, everything_stored(world.container))
