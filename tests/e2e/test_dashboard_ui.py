"""The dashboard in a real browser: totals and charts come from the real API."""

from __future__ import annotations

import os

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.test_traces_ui import otlp_export


def test_the_dashboard_shows_the_stored_figures(page: Page, server: str) -> None:
    totals = httpx.get(f"{server}/api/v1/dashboard", timeout=10).json()["totals"]

    page.goto("/")

    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    # `make run` and this server install the example datasets and their prompts.
    expect(page.get_by_test_id("total-datasets")).to_have_text(str(totals["datasets"]))
    assert totals["datasets"] >= 3
    expect(page.get_by_test_id("total-prompts")).to_contain_text(str(totals["prompts"]))
    # The charts load after the figures; with no evaluation yet, a hint stands in for them.
    charts = page.get_by_test_id("chart-evaluations").or_(
        page.get_by_text("No evaluations in the last 30 days")
    )
    expect(charts).to_be_visible()


def test_every_page_is_reachable_from_the_navigation(page: Page) -> None:
    page.goto("/")
    for name, heading in [
        ("Prompts", "Prompts"),
        ("Datasets", "Datasets"),
        ("Evaluations", "Evaluations"),
        ("Optimizations", "Optimizations"),
        ("Dashboard", "Dashboard"),
        ("Traces", "Traces"),
    ]:
        page.get_by_role("navigation", name="main").get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()


def test_the_cost_says_how_many_unpriced_calls_it_leaves_out(page: Page, server: str) -> None:
    span_id = os.urandom(8).hex()
    # A span that names no cost: an unpriced call (issue #19).
    sent = httpx.post(
        f"{server}/v1/traces", json=otlp_export(f"e2e-unpriced-{span_id[:6]}", span_id), timeout=30
    )
    assert sent.status_code == 200, sent.text
    totals = httpx.get(f"{server}/api/v1/dashboard", timeout=10).json()["totals"]
    count = totals["unpriced_calls"]
    assert count >= 1

    page.goto("/")

    cost = page.get_by_test_id("total-cost").locator("..")
    noun = "call" if count == 1 else "calls"
    expect(cost).to_contain_text(f"{count} unpriced {noun} not included")
