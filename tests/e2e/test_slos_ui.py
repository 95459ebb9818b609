"""The SLOs page in a real browser: an SLO pushed into violation by real OTLP traces shows
its state, the breached objective and its history chart."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS
from tests.support.slos import genai_span, otlp_json

PROMPT = "slo-e2e-checkout"


def _ok(response: httpx.Response, status: int = 200) -> dict[str, object]:
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


def test_the_slo_page_shows_the_state_and_the_history_chart(page: Page, server: str) -> None:
    with httpx.Client(base_url=server, timeout=30) as client:
        body = {"name": PROMPT, "title": "Checkout", "content": "Summarise {{cart}}"}
        _ok(client.post("/api/v1/prompts", json=body), 201)
        slo = {
            "prompt": PROMPT,
            "window_s": 3600,
            "max_p95_latency_ms": 800,
            "max_error_rate": 0.25,
        }
        slo_id = _ok(client.post("/api/v1/slos", json=slo), 201)["id"]
        fast = [genai_span(PROMPT, latency_ms=120) for _ in range(4)]
        _ok(client.post("/v1/traces", json=otlp_json(fast)))
        assert _ok(client.post(f"/api/v1/slos/{slo_id}/check"))["result"] == "ok"
        slow = [genai_span(PROMPT, latency_ms=2400) for _ in range(6)]
        slow.append(genai_span(PROMPT, latency_ms=90, error="upstream 503"))
        _ok(client.post("/v1/traces", json=otlp_json(slow)))
        for _ in range(2):
            assert _ok(client.post(f"/api/v1/slos/{slo_id}/check"))["state"] == "violated"

    page.goto("/")
    page.get_by_role("navigation", name="main").get_by_role("link", name="SLOs").click()
    expect(page.get_by_role("heading", level=1, name="SLOs")).to_be_visible()

    row = page.locator(f'[data-testid="slo-row"][data-slo-id="{slo_id}"]')
    expect(row).to_have_attribute("data-state", "violated")
    expect(row.get_by_test_id("slo-state")).to_contain_text("violated")
    expect(row.get_by_test_id("slo-state")).to_contain_text("p95_latency_ms")
    row.get_by_role("button", name=PROMPT).click()

    history = page.locator(f'[data-testid="slo-history"][data-slo-id="{slo_id}"]')
    expect(history).to_be_visible()
    chart = history.get_by_test_id("slo-chart")
    expect(chart).to_have_attribute("data-points", re.compile(r"^([3-9]|\d\d+)$"))
    # The p95 line is drawn, with its red dots for the violated checks.
    expect(chart.locator(".recharts-line-curve").first).to_be_visible()
    expect(chart.locator('circle[fill="#dc2626"]').first).to_be_visible()
    expect(history.get_by_test_id("slo-transition").first).to_contain_text("violated")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "slo-page.png"), full_page=True)
