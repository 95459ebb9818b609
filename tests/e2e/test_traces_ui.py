"""The traces page in a real browser: a call made here and a span sent over OTLP are both
listed with their source, and the source and model filters narrow the list."""

from __future__ import annotations

import os
import re
import time
from typing import Any

import httpx
from playwright.sync_api import Page, expect

ROWS = '[data-testid="trace-row"]'


def otlp_export(model: str, span_id: str) -> dict[str, Any]:
    """OTLP/JSON of one GenAI chat span, as another system's exporter sends it."""
    attributes = {
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": model,
        "gen_ai.provider.name": "acme",
        "gen_ai.prompt.name": "checkout-helper",
    }
    ended = time.time_ns()
    span = {
        "traceId": os.urandom(16).hex(),
        "spanId": span_id,
        "name": f"chat {model}",
        # Ended just now: the list is newest first, and this server has served other tests.
        "startTimeUnixNano": str(ended - 250_000_000),
        "endTimeUnixNano": str(ended),
        "attributes": [{"key": k, "value": {"stringValue": v}} for k, v in attributes.items()],
    }
    return {"resourceSpans": [{"scopeSpans": [{"spans": [span]}]}]}


def test_calls_and_ingested_spans_are_listed_and_filtered_by_source(
    page: Page, server: str
) -> None:
    span_id = os.urandom(8).hex()
    model = f"e2e-otlp-{span_id[:6]}"
    sent = httpx.post(f"{server}/v1/traces", json=otlp_export(model, span_id), timeout=30)
    assert sent.status_code == 200, sent.text
    assert sent.json() == {}
    answer = httpx.post(
        f"{server}/v1/chat/completions",
        json={"messages": [{"role": "user", "content": "Say hi."}], "max_tokens": 4},
        timeout=300,
    )
    assert answer.status_code == 200, answer.text
    call_id = answer.json()["autoforge"]["call_id"]

    page.goto("/")
    page.get_by_role("navigation", name="main").get_by_role("link", name="Traces").click()
    expect(page.get_by_role("heading", level=1, name="Traces")).to_be_visible()
    page.wait_for_url(re.compile(r"/traces/$"))

    ingested = page.locator(ROWS).filter(has_text=model)
    gateway = page.locator(f'{ROWS}[data-call-id="{call_id}"]')
    expect(ingested).to_have_count(1)
    expect(ingested.get_by_text("otlp", exact=True)).to_be_visible()
    expect(ingested).to_contain_text("acme")
    expect(ingested).to_contain_text("checkout-helper")
    expect(ingested).to_contain_text("250 ms")
    # The span named no cost: unpriced, not $0 (issue #19); the local model's $0 is a price.
    expect(ingested).to_contain_text("unpriced")
    expect(gateway.get_by_text("gateway", exact=True)).to_be_visible()
    expect(gateway).to_contain_text(answer.json()["autoforge"]["model"])
    expect(gateway).not_to_contain_text("unpriced")
    expect(gateway).to_contain_text("$0")

    page.get_by_label("Source", exact=True).select_option("otlp")
    expect(page.locator(f'{ROWS}[data-source="gateway"]')).to_have_count(0)
    expect(gateway).to_have_count(0)
    expect(ingested).to_have_count(1)

    page.get_by_label("Source", exact=True).select_option("gateway")
    expect(ingested).to_have_count(0)
    expect(gateway).to_have_count(1)

    page.get_by_label("Source", exact=True).select_option("")
    page.get_by_label("Model", exact=True).select_option(model)
    expect(page.locator(ROWS)).to_have_count(1)
    expect(ingested).to_have_count(1)
