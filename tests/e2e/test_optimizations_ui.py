"""A short optimization started and watched in a real browser, with the real local model:
the score chart fills in while it runs, the result is the held-out test figure with its
interval and verdict, and the winner can be opened. Before the run, the form shows how the
dataset's cases will be scored."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
from playwright.sync_api import Page, Request, expect

RUN_TIMEOUT_MS = 300_000


def points(delta: float) -> str:
    """A score difference as the UI prints it: signed percentage points, no "-0.0"."""
    value = delta * 100
    value = 0.0 if abs(value) < 0.05 else value
    return f"{'-' if value < 0 else '+'}{abs(value):.1f} pp"


def is_start(request: Request) -> bool:
    return request.method == "POST" and request.url.endswith("/api/v1/optimizations")


def label_dataset(server: str) -> dict[str, Any]:
    """A dataset of four repeated labels, created without scoring: the API infers it."""
    labels = ["billing", "bug", "feature", "other"]
    items = [
        {"input": {"text": f"ticket {i} about {labels[i % 4]}"}, "expected": labels[i % 4]}
        for i in range(20)
    ]
    name = f"tickets-{uuid.uuid4().hex[:6]}"
    created = httpx.post(
        f"{server}/api/v1/datasets", json={"name": name, "items": items}, timeout=10
    )
    assert created.status_code == 201, created.text
    dataset: dict[str, Any] = created.json()
    return dataset


def test_start_a_short_optimization_and_see_the_chart_update(page: Page, server: str) -> None:
    page.goto("/optimizations/new/")
    page.get_by_label("Prompt", exact=True).select_option(label="sentiment-classifier")
    page.get_by_label("Dataset", exact=True).select_option(label="sentiment")
    # OPRO reports after each step, a few dozen calls apart: with 160 calls the chart gets
    # several rounds, so it can be seen to grow while the run goes.
    page.get_by_label("Strategy").select_option("opro")
    page.get_by_label("Budget (calls)").fill("160")
    page.get_by_label("Seed").fill("7")
    # The API's split by default: a held-out test share the headline is measured on.
    expect(page.get_by_label("Test share")).to_have_value("0.3")
    with page.expect_request(is_start) as started:
        page.get_by_role("button", name="Start optimization").click()
    body = started.value.post_data_json
    assert isinstance(body, dict), started.value.post_data
    assert body["split"] == {"train": 0.4, "val": 0.3, "test": 0.3}
    # Not overridden: neither is sent, so the dataset version's scoring applies.
    assert "assertions" not in body
    assert "params" not in body

    page.wait_for_url(re.compile(r"/optimizations/view/\?id="))
    dots = page.get_by_test_id("score-chart").locator(".recharts-line-dot")
    # The starting prompt's scores are the first point, sent before any round ends.
    expect(dots.first).to_be_visible(timeout=RUN_TIMEOUT_MS)
    status = page.get_by_role("status", name="Optimization status")
    # The chart grows while the run goes: the first points are drawn while it is still
    # running, and more come after them.
    first_points = dots.count()
    expect(status).to_have_text("running")
    expect(dots).not_to_have_count(first_points, timeout=RUN_TIMEOUT_MS)
    expect(status).to_have_text("completed", timeout=RUN_TIMEOUT_MS)

    optimization_id = parse_qs(urlparse(page.url).query)["id"][0]
    stored = httpx.get(f"{server}/api/v1/optimizations/{optimization_id}", timeout=10).json()
    assert stored["calls_used"] <= 160
    assert stored["config"]["scoring"]["assertions_from"] == "dataset"
    expect(page.get_by_test_id("best-val")).to_contain_text(f"{stored['best_val']:.3f}")
    # The headline is the held-out test figure, its interval, and the verdict word for word.
    assert stored["measured_on"] == "test", stored
    expect(page.get_by_test_id("measured-on")).to_have_text(
        f"held-out test, {stored['test_cases']} cases"
    )
    expect(page.get_by_test_id("headline-improvement")).to_have_text(points(stored["improvement"]))
    expect(page.get_by_test_id("headline-scores")).to_have_text(
        f"{stored['baseline_test']:.3f} → {stored['best_test']:.3f}"
    )
    expect(page.get_by_test_id("test-interval")).to_have_text(
        f"{points(stored['test_delta_low'])} to {points(stored['test_delta_high'])}"
    )
    assert stored["verdict"].startswith(f"on {stored['test_cases']} held-out test cases")
    expect(page.get_by_test_id("verdict")).to_have_text(stored["verdict"])
    assert dots.count() > first_points
    candidates = page.get_by_role("table", name="Candidates")
    expect(candidates.get_by_role("row")).not_to_have_count(0)

    page.get_by_role("link", name="Open winning version").click()
    page.wait_for_url(re.compile(r"/prompts/view/\?id="))
    expect(page.get_by_role("heading", level=1, name="sentiment-classifier")).to_be_visible()

    # The list shows the test improvement too, not the validation one.
    page.goto("/optimizations/")
    row = page.get_by_role("row").filter(has=page.locator(f'a[href*="{optimization_id}"]'))
    expect(row.get_by_test_id("list-improvement")).to_contain_text(
        f"{points(stored['improvement'])} test, {stored['test_cases']} cases"
    )


def test_the_form_shows_the_datasets_inferred_scoring(page: Page, server: str) -> None:
    dataset = label_dataset(server)
    scoring = dataset["latest"]["scoring"]
    assert scoring["source"] == "inferred"
    page.goto("/optimizations/new/")
    page.get_by_label("Dataset", exact=True).select_option(label=dataset["name"])

    shown = page.get_by_test_id("dataset-scoring")
    expect(shown).to_contain_text(f"Scoring of {dataset['name']} v1")
    expect(shown).to_contain_text("inferred from its expected answers")
    expect(shown).to_contain_text(
        "equals the expected answer on the first line, case-insensitive, ignoring surrounding "
        f"whitespace; max {scoring['generation']['max_tokens']} tokens; stop at newline"
    )
    expect(shown).to_contain_text(f"Why: {scoring['explanation']}")
    assert scoring["explanation"].startswith("4 labels")
    # 20 items at 0.4/0.3/0.3: 8 train, 6 validation, 6 test scored twice at the end.
    expect(page.get_by_test_id("cost-hint")).to_contain_text(
        "20 items → 8 train, 6 validation, 6 test."
    )
    expect(page.get_by_test_id("cost-hint")).to_contain_text(
        "12 calls are set aside from the budget. At least 26 calls in all."
    )


def test_an_override_is_sent_as_assertions_and_params(page: Page, server: str) -> None:
    dataset = label_dataset(server)
    page.goto("/optimizations/new/")
    page.get_by_label("Prompt", exact=True).select_option(label="sentiment-classifier")
    page.get_by_label("Dataset", exact=True).select_option(label=dataset["name"])
    expect(page.get_by_test_id("dataset-scoring")).to_be_visible()
    page.get_by_label("Override scoring").check()
    # The editor starts from the dataset's assertion: equals on the first line.
    expect(page.get_by_label("First line only")).to_be_checked()
    page.get_by_label("Type").select_option("icontains")
    page.get_by_label("Max tokens").fill("5")
    page.get_by_label("Stop").select_option("none")
    # Too small to search: the run fails at once, having shown what it was given.
    page.get_by_label("Budget (calls)").fill("1")
    with page.expect_request(is_start) as started:
        page.get_by_role("button", name="Start optimization").click()
    body = started.value.post_data_json
    assert isinstance(body, dict), started.value.post_data
    assert body["assertions"]["assertions"] == [{"type": "icontains", "weight": 1}]
    assert body["params"] == {"max_tokens": 5, "stop": []}

    page.wait_for_url(re.compile(r"/optimizations/view/\?id="))
    optimization_id = parse_qs(urlparse(page.url).query)["id"][0]
    stored = httpx.get(f"{server}/api/v1/optimizations/{optimization_id}", timeout=10).json()
    assert stored["config"]["scoring"]["assertions_from"] == "request"
    assert stored["config"]["params"]["max_tokens"] == 5
    expect(page.get_by_test_id("run-scoring")).to_contain_text(
        "contains the expected answer, case-insensitive; max 5 tokens; no stop sequence"
    )
    expect(page.get_by_test_id("run-scoring")).to_contain_text("overridden for this run")


def test_reflective_without_an_optimizer_model_is_explained(page: Page, server: str) -> None:
    before = httpx.get(f"{server}/api/v1/optimizations", params={"limit": 100}, timeout=10)
    page.goto("/optimizations/new/")
    page.get_by_label("Prompt", exact=True).select_option(label="sentiment-classifier")
    page.get_by_label("Dataset", exact=True).select_option(label="sentiment")
    page.get_by_label("Strategy").select_option("reflective")
    expect(page.get_by_role("alert").filter(has_text="needs an optimizer model")).to_be_visible()

    page.get_by_role("button", name="Start optimization").click()
    # The API's own reason (its 422 problem's detail), and no run was started.
    refused = page.get_by_role("alert").filter(
        has_text="the reflective strategy needs `optimizer_model`"
    )
    expect(refused).to_be_visible()
    expect(page).to_have_url(re.compile(r"/optimizations/new/"))
    after = httpx.get(f"{server}/api/v1/optimizations", params={"limit": 100}, timeout=10)
    assert len(after.json()["items"]) == len(before.json()["items"])

    # With an optimizer model the message goes away.
    page.get_by_label(re.compile("Optimizer model")).select_option("local/gemma-3-270m")
    expect(page.get_by_role("alert").filter(has_text="needs an optimizer model")).to_have_count(0)


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
