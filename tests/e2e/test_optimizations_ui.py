"""A short optimization started and watched in a real browser, with the real local model:
the score chart fills in while it runs, and the winner can be opened."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import httpx
from playwright.sync_api import Page, expect

RUN_TIMEOUT_MS = 300_000


def test_start_a_short_optimization_and_see_the_chart_update(page: Page, server: str) -> None:
    page.goto("/optimizations/new/")
    page.get_by_label("Prompt", exact=True).select_option(label="sentiment-classifier")
    page.get_by_label("Dataset", exact=True).select_option(label="sentiment")
    page.get_by_label("Strategy").select_option("bandit")
    page.get_by_label("Budget (calls)").fill("80")
    page.get_by_label("Seed").fill("7")
    page.get_by_role("button", name="Start optimization").click()

    page.wait_for_url(re.compile(r"/optimizations/view/\?id="))
    dots = page.get_by_test_id("score-chart").locator(".recharts-line-dot")
    # The starting prompt's scores are the first point, sent before any round ends.
    expect(dots.first).to_be_visible(timeout=RUN_TIMEOUT_MS)
    status = page.get_by_role("status", name="Optimization status")
    expect(status).to_have_text("completed", timeout=RUN_TIMEOUT_MS)

    optimization_id = parse_qs(urlparse(page.url).query)["id"][0]
    stored = httpx.get(f"{server}/api/v1/optimizations/{optimization_id}", timeout=10).json()
    assert stored["calls_used"] <= 80
    expect(page.get_by_test_id("best-val")).to_contain_text(f"{stored['best_val']:.3f}")
    assert dots.count() >= 2  # best train and best validation, at least one round
    candidates = page.get_by_role("table", name="Candidates")
    expect(candidates.get_by_role("row")).not_to_have_count(0)

    page.get_by_role("link", name="Open winning version").click()
    page.wait_for_url(re.compile(r"/prompts/view/\?id="))
    expect(page.get_by_role("heading", level=1, name="sentiment-classifier")).to_be_visible()


def test_a_budget_too_small_is_shown_in_plain_words(page: Page) -> None:
    page.goto("/optimizations/new/")
    page.get_by_label("Prompt", exact=True).select_option(label="arithmetic-solver")
    page.get_by_label("Dataset", exact=True).select_option(label="arithmetic")
    page.get_by_label("Budget (calls)").fill("3")
    page.get_by_role("button", name="Start optimization").click()

    page.wait_for_url(re.compile(r"/optimizations/view/\?id="))
    expect(page.get_by_role("status", name="Optimization status")).to_have_text(
        "failed", timeout=RUN_TIMEOUT_MS
    )
    expect(page.get_by_text("Budget too small", exact=False).first).to_be_visible()
