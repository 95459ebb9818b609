"""An evaluation of a shipped dataset, started and followed in a real browser, with the
real local model answering."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import httpx
from playwright.sync_api import Page, expect

# The first run on a fresh data directory calls the model once per case (44 cases).
RUN_TIMEOUT_MS = 300_000


def test_run_an_evaluation_on_a_shipped_dataset_and_see_results(page: Page, server: str) -> None:
    page.goto("/evaluations/new/")
    page.get_by_label("Prompt", exact=True).select_option(label="sentiment-classifier")
    page.get_by_label("Dataset", exact=True).select_option(label="sentiment")
    # Before the run: the dataset version's scoring, which the run will use.
    expect(page.get_by_test_id("dataset-scoring")).to_contain_text("Scoring of sentiment v1")
    page.get_by_role("group", name="Models").get_by_label("local/gemma-3-270m").check()
    page.get_by_role("button", name="Start evaluation").click()

    page.wait_for_url(re.compile(r"/evaluations/view/\?id="))
    expect(page.get_by_role("status", name="Evaluation status")).to_have_text(
        "completed", timeout=RUN_TIMEOUT_MS
    )
    evaluation_id = parse_qs(urlparse(page.url).query)["id"][0]
    stored = httpx.get(f"{server}/api/v1/evaluations/{evaluation_id}", timeout=10).json()
    total = stored["progress"]["total"]
    assert total >= 40  # the shipped dataset

    results = page.get_by_role("table", name="Results")
    expect(results.get_by_role("row")).to_have_count(total + 1)  # and the header row
    expect(results).to_contain_text("sentiment-001")
    passed = stored["progress"]["passed"]
    expect(page.get_by_text(f"{total} / {total} ({passed} passed)")).to_be_visible()

    page.get_by_label("Show").select_option(label="Passed only")
    expect(results.get_by_role("row")).to_have_count(passed + 1)
    expect(results.get_by_text("fail", exact=True)).to_have_count(0)
