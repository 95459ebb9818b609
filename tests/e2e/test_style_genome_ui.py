"""The style genome in a real browser, on two versions the real local model answered: opened
from the prompt's page, the page shows the API's genome of the newest version against the
production one (consistency, distance, every gene on a radar chart and in a table), the
drift flag exactly when the API reports drift, and one consistency point per evaluation."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS

ONE_WORD = "Answer with one word, positive or negative. Review: {{text}}\nAnswer:"
ESSAY = "Write a long, detailed essay in markdown, with headings and bullets, about: {{text}}\n\n#"
REVIEWS = ["I loved this film", "A dull, slow book", "Great service, kind staff"]
RUN_TIMEOUT_S = 300


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def evaluate(client: httpx.Client, name: str, version: int) -> str:
    body = {
        "prompt_name": name,
        "prompt_version": version,
        "dataset_name": name,
        "models": ["local/gemma-3-270m"],
        "params": {"temperature": 0, "max_tokens": 48},
    }
    started = _ok(client.post("/api/v1/evaluations", json=body), 202)
    evaluation_id: str = started["evaluations"][0]["id"]
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while _ok(client.get(f"/api/v1/evaluations/{evaluation_id}"))["status"] != "completed":
        assert time.monotonic() < deadline, "the evaluation did not complete"
        time.sleep(0.5)
    return evaluation_id


def two_evaluated_versions(client: httpx.Client) -> tuple[str, str]:
    """A prompt whose version 1 (labelled production) and version 2 were evaluated."""
    name = f"genome-{uuid.uuid4().hex[:6]}"
    created = _ok(
        client.post("/api/v1/prompts", json={"name": name, "title": name, "content": ONE_WORD}),
        201,
    )
    prompt_id: str = created["id"]
    items = [{"input": {"text": text}, "expected": "positive"} for text in REVIEWS]
    _ok(client.post("/api/v1/datasets", json={"name": name, "items": items}), 201)
    _ok(client.put(f"/api/v1/prompts/{prompt_id}/labels/production", json={"version": 1}))
    evaluate(client, name, 1)
    _ok(client.patch(f"/api/v1/prompts/{prompt_id}", json={"content": ESSAY, "base_version": 1}))
    evaluate(client, name, 2)
    return prompt_id, name


def test_the_genome_of_a_new_version_is_charted_against_production(page: Page, server: str) -> None:
    with httpx.Client(base_url=server, timeout=30) as client:
        prompt_id, name = two_evaluated_versions(client)
        genome = _ok(client.get(f"/api/v1/prompts/{prompt_id}/genome"))
    assert genome["genome"]["version"] == 2
    assert genome["comparison"]["a"]["version"] == 1
    assert len(genome["history"]) == 2

    page.goto(f"/prompts/view/?id={prompt_id}")
    page.get_by_role("link", name="Style genome").click()
    page.wait_for_url(re.compile(r"/prompts/genome/\?id="))
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Style genome · {name}")
    expect(page.get_by_test_id("genome-consistency")).to_have_text(
        f"{genome['genome']['consistency']:.3f}"
    )
    expect(page.get_by_test_id("genome-distance")).to_have_text(
        f"{genome['comparison']['distance']:.3f}"
    )
    chart = page.get_by_test_id("genome-chart")
    expect(chart.locator("svg .recharts-radar")).to_have_count(2)  # one shape per version
    rows = page.get_by_test_id("gene-row")
    expect(rows).to_have_count(len(genome["comparison"]["genes"]))
    markdown = next(g for g in genome["comparison"]["genes"] if g["name"] == "markdown")
    expect(rows.filter(has_text="markdown")).to_contain_text(f"{markdown['difference']:.2f}")
    expect(page.get_by_test_id("consistency-point")).to_have_count(2)
    expect(page.get_by_test_id("consistency-chart").locator("svg .recharts-line")).to_have_count(1)
    expect(page.get_by_test_id("drift-flag")).to_have_count(1 if genome["drift"] else 0)
    expect(page.get_by_test_id("drift-event")).to_have_count(len(genome["drift_events"]))

    # Another pair chosen: version 1 against version 2; then back to the default pair.
    page.get_by_label("Version", exact=True).select_option("1")
    page.get_by_label("compared with", exact=True).select_option("2")
    expect(page.get_by_role("heading", name="Genes: v1 against v2")).to_be_visible()

    page.get_by_label("Version", exact=True).select_option("")
    page.get_by_label("compared with", exact=True).select_option("")
    expect(page.get_by_role("heading", name="Genes: v2 against v1")).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "style-genome.png"), full_page=True)
