"""Prompt SLOs end to end on a real `autoforge serve`: traces sent through OTLP push an SLO
into violation, the server's own scheduler notices, and a real HTTP receiver gets one
signed PromptSLOViolated alert; relaxed targets bring one PromptSLORecovered, and further
checks while nothing changes send nothing more."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from autoforge.slos.webhooks import EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from tests.support.fake_model import FakeModel
from tests.support.server import served, server_env
from tests.support.slos import Received, Receiver, genai_span, otlp_json

API = "/api/v1"


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _until(what: str, probe: Callable[[], Any], timeout_s: float = 90) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _signed(secret: str, got: Received) -> bool:
    headers = got.headers
    return verify(
        secret, headers[TIMESTAMP_HEADER.lower()], got.body, headers[SIGNATURE_HEADER.lower()]
    )


def test_the_scheduler_alerts_a_violation_then_its_recovery_once_each(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env = server_env(data_dir, SLO_CHECK_INTERVAL_S="0.3", WEBHOOK_BACKOFF_S="0.1")
    with (
        Receiver() as receiver,
        served(data_dir, env, fake=FakeModel()) as base,
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        prompt = {"name": "checkout-summary", "title": "Checkout", "content": "Sum {{cart}}"}
        _ok(client.post(f"{API}/prompts", json=prompt), 201)
        hook = _ok(client.post(f"{API}/webhooks", json={"url": receiver.url}), 201)
        targets = {"prompt": "checkout-summary", "window_s": 3600}
        strict = {**targets, "max_p95_latency_ms": 500, "max_error_rate": 0.2}
        slo = _ok(client.post(f"{API}/slos", json=strict), 201)

        spans = [genai_span("checkout-summary", latency_ms=2500) for _ in range(4)]
        spans.append(genai_span("checkout-summary", latency_ms=80, error="rate limited"))
        _ok(client.post("/v1/traces", json=otlp_json(spans)))

        [violated] = receiver.wait_for(1, timeout_s=90)
        assert violated.headers[EVENT_HEADER.lower()] == "PromptSLOViolated"
        assert _signed(hook["secret"], violated)
        assert not _signed("whsec_not-the-secret", violated)
        alert = violated.json()
        assert (alert["type"], alert["slo"]["id"]) == ("PromptSLOViolated", slo["id"])
        assert alert["breached"] == ["p95_latency_ms"]  # 1 error in 5 calls meets 0.2
        assert alert["figures"]["calls"] == 5
        shown = _ok(client.get(f"{API}/slos/{slo['id']}"))
        assert (shown["state"], shown["breached"]) == ("violated", ["p95_latency_ms"])

        relaxed = {**targets, "max_p95_latency_ms": 10_000, "max_error_rate": 0.5}
        _ok(client.post(f"{API}/slos", json=relaxed))
        recovered = receiver.wait_for(2, timeout_s=90)[1]
        assert recovered.json()["type"] == "PromptSLORecovered"
        assert _signed(hook["secret"], recovered)

        # Three more checks after the recovery, all ok: not one more alert.
        def settled() -> Any:
            items = _ok(client.get(f"{API}/slos/{slo['id']}/history"))["items"]
            since = [i for i, c in enumerate(items) if c["transition"] == "recovered"]
            return items if since and len(items) - since[-1] > 3 else None

        items = _until("three checks after the recovery", settled)
        transitions = [c["transition"] for c in items if c["transition"]]
        assert transitions == ["violated", "recovered"]
        assert len(receiver.received) == 2
        deliveries = _ok(client.get(f"{API}/webhooks/deliveries"))
        assert sorted(d["status"] for d in deliveries) == ["delivered", "delivered"]
    log = (data_dir / "server.log").read_text()
    assert hook["secret"] not in log
