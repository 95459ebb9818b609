"""`/api/v1/slos` and `/api/v1/webhooks` on a server that requires credentials: SLOs are set
and checked over real traces (OTLP ingestion), only state changes emit events and alerts,
alerts reach a real HTTP receiver signed, failed ones are retried and then dead-lettered,
webhook secrets are shown once and stored encrypted, and each project sees only its own."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from pydantic import SecretStr
from sqlalchemy import select

from autoforge.app import create_app
from autoforge.bootstrap import Container
from autoforge.events.models import StoredEventRow
from autoforge.identity import service as identity_service
from autoforge.identity.caller import DEFAULT_ORGANIZATION_ID, local_caller
from autoforge.identity.models import ProjectRow
from autoforge.identity.schemas import KeyCreate
from autoforge.secrets.keys import vault_of
from autoforge.secrets.vault import new_key
from autoforge.slos.models import WebhookRow
from autoforge.slos.scheduler import check_all
from autoforge.slos.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, Sender, verify
from tests.support.slos import Receiver, genai_span, otlp_json

API = "/api/v1"
PROBLEM = "application/problem+json"


@dataclasses.dataclass
class World:
    client: TestClient
    container: Container
    admin: dict[str, str]
    member: dict[str, str]
    viewer: dict[str, str]
    other: dict[str, str]  # an admin of project B

    def sender(self) -> Sender:
        settings = self.container.settings
        return Sender(self.container.database, settings, lambda: vault_of(settings))


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


@pytest.fixture
def world(file_container: Container) -> Iterator[World]:
    settings = file_container.settings.model_copy(
        update={
            "auth_mode": "required",
            "rate_limit_enabled": False,
            "secret_keys": [SecretStr(new_key())],
            # Checks run when a test asks (POST .../check); the scheduler has its own test.
            "slo_scheduler": False,
            "webhook_backoff_s": 0.05,
            "webhook_max_attempts": 3,
        }
    )
    container = dataclasses.replace(file_container, settings=settings)
    a = local_caller().project_id
    b = _project_b(container)
    with TestClient(create_app(container)) as client:
        yield World(
            client,
            container,
            admin=_bearer(container, a, "admin"),
            member=_bearer(container, a, "member"),
            viewer=_bearer(container, a, "viewer"),
            other=_bearer(container, b, "admin"),
        )


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _prompt(world: World, name: str = "support-reply") -> dict[str, Any]:
    body = {"name": name, "title": "Support", "content": "Answer {{question}}"}
    return ok(world.client.post(f"{API}/prompts", json=body, headers=world.member), 201)  # type: ignore[no-any-return]


def _traces(world: World, spans: list[dict[str, Any]]) -> None:
    ok(world.client.post("/v1/traces", json=otlp_json(spans), headers=world.member))


def _set(world: World, **body: Any) -> Any:
    return world.client.post(f"{API}/slos", json=body, headers=world.member)


def _check(world: World, slo_id: str) -> Any:
    return ok(world.client.post(f"{API}/slos/{slo_id}/check", headers=world.member))


def _events(world: World, slo_id: str) -> list[str]:
    query = (
        select(StoredEventRow.event_type)
        .where(StoredEventRow.stream_id == f"slo-{slo_id}")
        .order_by(StoredEventRow.version)
    )
    return list(world.container.database.run(lambda uow: uow.session.scalars(query).all()))


def test_an_slo_is_set_shown_and_replaced(world: World) -> None:
    prompt = _prompt(world)
    made = _set(world, prompt="support-reply", max_p95_latency_ms=800)
    assert made.status_code == 201, made.text
    slo = made.json()
    assert (slo["prompt_id"], slo["state"], slo["window_s"]) == (prompt["id"], "unknown", 86400)
    assert slo["label"] is None
    assert slo["targets"]["max_p95_latency_ms"] == 800

    replaced = _set(world, prompt=prompt["id"], max_error_rate=0.1, window_s=3600)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["id"] == slo["id"]
    assert replaced.json()["targets"] == {
        "min_score": None,
        "max_p95_latency_ms": None,
        "max_error_rate": 0.1,
        "max_cost_per_call": None,
    }
    listed = ok(world.client.get(f"{API}/slos", headers=world.viewer))
    assert [s["id"] for s in listed] == [slo["id"]]
    assert ok(world.client.get(f"{API}/slos/{slo['id']}", headers=world.viewer))["window_s"] == 3600


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"prompt": "support-reply"}, 422),  # no objective
        ({"prompt": "support-reply", "min_score": 2}, 422),
        ({"prompt": "support-reply", "max_error_rate": 0.1, "window_s": 5}, 422),
        ({"prompt": "support-reply", "max_error_rate": 0.1, "surprise": 1}, 422),
        ({"prompt": "no-such-prompt", "max_error_rate": 0.1}, 404),
    ],
)
def test_bad_slos_are_problems(world: World, body: dict[str, Any], status: int) -> None:
    _prompt(world)
    response = _set(world, **body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)


def test_a_viewer_reads_but_does_not_set(world: World) -> None:
    _prompt(world)
    response = world.client.post(
        f"{API}/slos", json={"prompt": "support-reply", "max_error_rate": 0.1}, headers=world.viewer
    )
    assert response.status_code == 403
    assert ok(world.client.get(f"{API}/slos", headers=world.viewer)) == []


def test_only_state_changes_emit_events_and_the_history_keeps_every_check(world: World) -> None:
    _prompt(world)
    slo = _set(world, prompt="support-reply", max_p95_latency_ms=500, max_error_rate=0.25).json()
    assert _check(world, slo["id"])["result"] == "no_data"  # no traffic yet: no state

    _traces(
        world,
        [genai_span("support-reply", latency_ms=2000) for _ in range(3)]
        + [genai_span("support-reply", latency_ms=100, error="upstream 500")],
    )
    first = _check(world, slo["id"])
    assert (first["result"], first["state"], first["transition"]) == (
        "violated",
        "violated",
        "violated",
    )
    assert first["breached"] == ["p95_latency_ms"]  # 1 error in 4 calls meets 0.25
    assert first["figures"]["calls"] == 4
    assert first["figures"]["errors"] == 1
    assert first["figures"]["p95_latency_ms"] >= 1900
    second = _check(world, slo["id"])
    assert (second["state"], second["transition"]) == ("violated", None)
    assert _events(world, slo["id"]) == ["PromptSLOViolated"]

    _set(world, prompt="support-reply", max_p95_latency_ms=5000, max_error_rate=0.25)
    third = _check(world, slo["id"])
    assert (third["result"], third["state"], third["transition"]) == ("ok", "ok", "recovered")
    assert _events(world, slo["id"]) == ["PromptSLOViolated", "PromptSLORecovered"]

    history = ok(world.client.get(f"{API}/slos/{slo['id']}/history", headers=world.viewer))
    assert [c["result"] for c in history["items"]] == ["no_data", "violated", "violated", "ok"]
    assert history["slo"]["state"] == "ok"
    assert history["slo"]["breached"] == []


def test_a_label_narrows_the_window_to_its_version(world: World) -> None:
    prompt = _prompt(world)
    ok(
        world.client.put(
            f"{API}/prompts/{prompt['id']}/labels/production",
            json={"version": 1},
            headers=world.member,
        )
    )
    slo = _set(world, prompt="support-reply", label="production", max_error_rate=0.5).json()
    assert slo["label"] == "production"
    # Failed calls without a version are not production's.
    _traces(world, [genai_span("support-reply", latency_ms=10, error="boom") for _ in range(3)])
    _traces(world, [genai_span("support-reply", latency_ms=10, version=1) for _ in range(2)])
    check = _check(world, slo["id"])
    assert (check["result"], check["figures"]["calls"]) == ("ok", 2)


def test_webhooks_need_admin_and_their_secret_is_shown_once_and_stored_encrypted(
    world: World,
) -> None:
    body = {"url": "https://hooks.example.test/slo", "description": "on-call"}
    assert world.client.post(f"{API}/webhooks", json=body, headers=world.member).status_code == 403
    assert world.client.get(f"{API}/webhooks", headers=world.viewer).status_code == 403
    made = ok(world.client.post(f"{API}/webhooks", json=body, headers=world.admin), 201)
    assert made["secret"].startswith("whsec_")
    listed = ok(world.client.get(f"{API}/webhooks", headers=world.admin))
    assert listed == [{k: v for k, v in made.items() if k != "secret"}]
    stored = world.container.database.run(
        lambda uow: uow.session.scalars(select(WebhookRow.secret_ciphertext)).all()
    )
    assert len(stored) == 1
    assert made["secret"] not in stored[0]
    assert vault_of(world.container.settings).decrypt(stored[0]) == made["secret"]
    bad = world.client.post(f"{API}/webhooks", json={"url": "ftp://x"}, headers=world.admin)
    assert bad.status_code == 422
    assert (
        world.client.delete(f"{API}/webhooks/{made['id']}", headers=world.admin).status_code == 204
    )
    assert ok(world.client.get(f"{API}/webhooks", headers=world.admin)) == []


def _violate(world: World) -> str:
    _prompt(world)
    slo = _set(world, prompt="support-reply", max_p95_latency_ms=100).json()
    _traces(world, [genai_span("support-reply", latency_ms=3000)])
    assert _check(world, slo["id"])["transition"] == "violated"
    return str(slo["id"])


def _deliveries(world: World) -> list[dict[str, Any]]:
    return ok(world.client.get(f"{API}/webhooks/deliveries", headers=world.admin))  # type: ignore[no-any-return]


def _send_until(world: World, sender: Sender, done: Any, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        sender.send_due()
        if done():
            return
        time.sleep(0.05)
    raise AssertionError(f"deliveries did not settle: {_deliveries(world)}")


def test_an_alert_is_signed_and_retried_until_the_receiver_takes_it(world: World) -> None:
    with Receiver(fail_next=1) as receiver:
        hook = ok(
            world.client.post(f"{API}/webhooks", json={"url": receiver.url}, headers=world.admin),
            201,
        )
        slo_id = _violate(world)
        sender = world.sender()
        try:
            _send_until(world, sender, lambda: _deliveries(world)[0]["status"] == "delivered")
        finally:
            sender.close()
        [got] = receiver.wait_for(1)
    assert len(receiver.failed) == 1  # the first attempt was answered 500
    assert verify(
        hook["secret"],
        got.headers[TIMESTAMP_HEADER.lower()],
        got.body,
        got.headers[SIGNATURE_HEADER.lower()],
    )
    assert not verify(
        "whsec_wrong",
        got.headers[TIMESTAMP_HEADER.lower()],
        got.body,
        got.headers[SIGNATURE_HEADER.lower()],
    )
    alert = got.json()
    assert alert["type"] == "PromptSLOViolated"
    assert alert["slo"]["id"] == slo_id
    assert alert["breached"] == ["p95_latency_ms"]
    assert alert["event_id"] == receiver.failed[0].json()["event_id"]  # the same alert again
    [delivery] = _deliveries(world)
    assert (delivery["status"], delivery["attempts"], delivery["response_status"]) == (
        "delivered",
        2,
        204,
    )


def test_an_alert_no_attempt_delivers_is_dead_lettered_and_listed(world: World) -> None:
    with Receiver(fail_next=100) as receiver:
        ok(
            world.client.post(f"{API}/webhooks", json={"url": receiver.url}, headers=world.admin),
            201,
        )
        _violate(world)
        sender = world.sender()
        try:
            _send_until(world, sender, lambda: _deliveries(world)[0]["status"] == "dead")
        finally:
            sender.close()
    [delivery] = _deliveries(world)
    assert delivery["attempts"] == 3  # webhook_max_attempts
    assert "500" in delivery["last_error"]
    assert len(receiver.failed) == 3
    assert receiver.received == []


def test_another_project_sees_none_of_it(world: World) -> None:
    slo_id = _violate(world)
    assert world.client.get(f"{API}/slos/{slo_id}", headers=world.other).status_code == 404
    assert world.client.post(f"{API}/slos/{slo_id}/check", headers=world.other).status_code == 404
    history = world.client.get(f"{API}/slos/{slo_id}/history", headers=world.other)
    assert history.status_code == 404
    assert ok(world.client.get(f"{API}/slos", headers=world.other)) == []
    assert ok(world.client.get(f"{API}/webhooks/deliveries", headers=world.other)) == []
    assert world.client.delete(f"{API}/slos/{slo_id}", headers=world.other).status_code == 404
    assert world.client.delete(f"{API}/slos/{slo_id}", headers=world.member).status_code == 204


def test_an_alert_to_a_closed_port_fails_each_attempt_then_is_dead(world: World) -> None:
    with Receiver() as receiver:
        closed = receiver.url  # the server stops below: its port then refuses connections
    ok(world.client.post(f"{API}/webhooks", json={"url": closed}, headers=world.admin), 201)
    _violate(world)
    sender = world.sender()
    try:
        _send_until(world, sender, lambda: _deliveries(world)[0]["status"] == "dead")
    finally:
        sender.close()
    [delivery] = _deliveries(world)
    assert delivery["attempts"] == 3
    assert delivery["response_status"] is None
    assert "ConnectError" in delivery["last_error"]


@pytest.mark.parametrize(
    "url", ["http://", "https://exa mple.test/", "ftp://host/x", "http://h/\x07"]
)
def test_a_webhook_url_that_cannot_be_posted_to_is_refused(world: World, url: str) -> None:
    response = world.client.post(f"{API}/webhooks", json={"url": url}, headers=world.admin)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)


def _sample(name: str, labels: dict[str, str]) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_scheduled_pass_checks_every_projects_slos_and_reports_metrics(world: World) -> None:
    slo_a = _violate(world)
    other_prompt = {"name": "b-prompt", "title": "B", "content": "Hi {{x}}"}
    ok(world.client.post(f"{API}/prompts", json=other_prompt, headers=world.other), 201)
    body = {"prompt": "b-prompt", "max_error_rate": 0.5}
    slo_b = ok(world.client.post(f"{API}/slos", json=body, headers=world.other), 201)["id"]
    violated_checks = _sample("autoforge_slo_checks_total", {"result": "violated"})
    no_data_checks = _sample("autoforge_slo_checks_total", {"result": "no_data"})

    assert check_all(world.container) == 2

    assert _sample("autoforge_slo_checks_total", {"result": "violated"}) == violated_checks + 1
    assert _sample("autoforge_slo_checks_total", {"result": "no_data"}) == no_data_checks + 1
    assert _sample("autoforge_slo_violated", {"objective": "p95_latency_ms"}) == 1
    assert _sample("autoforge_slo_violated", {"objective": "error_rate"}) == 0
    a_history = ok(world.client.get(f"{API}/slos/{slo_a}/history", headers=world.viewer))
    assert [c["result"] for c in a_history["items"]] == ["violated", "violated"]
    b_history = ok(world.client.get(f"{API}/slos/{slo_b}/history", headers=world.other))
    assert [c["result"] for c in b_history["items"]] == ["no_data"]
    assert _events(world, slo_a) == ["PromptSLOViolated"]  # still violated: no new event
