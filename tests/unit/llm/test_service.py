"""`run_completion`: what the prompt "run" endpoint calls with already-rendered messages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from autoforge.bootstrap import Container
from autoforge.llm.fake import FakeModelClient
from autoforge.llm.gateway import Gateway
from autoforge.llm.service import list_traces, run_completion
from tests.support.gateway import make_gateway

PROJECT = "project-1"
MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "cats dogs"}]


@pytest.fixture
def fake() -> FakeModelClient:
    return FakeModelClient()


@pytest.fixture
def gateway(file_container: Container, fake: FakeModelClient) -> Iterator[Gateway]:
    gateway = make_gateway(file_container.database, fake, default_model="fake/default")
    yield gateway
    gateway.close()


def test_a_run_uses_the_default_model_and_stores_its_origin(gateway: Gateway) -> None:
    result = run_completion(
        gateway,
        MESSAGES,
        params={"temperature": 0},
        prompt_id="prompt-1",
        prompt_version=2,
        variables={"animals": "cats dogs"},
        project_id=PROJECT,
    )

    assert result.text == "dogs cats"
    assert result.record.model == "fake/default"
    [trace] = list_traces(gateway, PROJECT, prompt_id="prompt-1")
    assert trace.id == result.record.id
    assert trace.prompt_version == 2
    assert trace.variables == {"animals": "cats dogs"}
    assert trace.input["messages"] == MESSAGES
    assert trace.input["params"] == {"temperature": 0}


def test_a_run_can_name_its_model_and_skip_the_cache(
    gateway: Gateway, fake: FakeModelClient
) -> None:
    for _ in range(2):
        run_completion(
            gateway,
            MESSAGES,
            model="fake/x",
            params={"temperature": 0},
            no_cache=True,
            project_id=PROJECT,
        )

    assert fake.calls_to("fake/x") == 2
    assert [t.model for t in list_traces(gateway, PROJECT)] == ["fake/x", "fake/x"]


def test_traces_are_listed_in_their_own_project_only(gateway: Gateway) -> None:
    run_completion(gateway, MESSAGES, params={"temperature": 0}, project_id=PROJECT)
    run_completion(gateway, MESSAGES, params={"temperature": 1}, project_id="project-2")

    mine = list_traces(gateway, PROJECT)
    theirs = list_traces(gateway, "project-2")

    assert [t.input["params"] for t in mine] == [{"temperature": 0}]
    assert [t.input["params"] for t in theirs] == [{"temperature": 1}]
