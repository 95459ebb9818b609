"""The intent diffoscope in a real browser, on an evaluation the real local model answered:
opened from the evaluation's page, each requirement is highlighted in the prompt with the
colour of its share of keeping outputs (as the API computes it), next to the outputs that
break the one picked."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS

PROMPT = (
    'Reply to {{text}} in at most 2 sentences, in JSON. Never say "guarantee". Keep a formal tone.'
)
TOPICS = ["a late parcel", "a broken kettle", "a double charge"]
RUN_TIMEOUT_S = 300


def satisfaction(share: float | None) -> str:
    if share is None:
        return "unchecked"
    return "kept" if share >= 1 else "mostly" if share >= 0.8 else "broken"


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def completed_evaluation(client: httpx.Client) -> str:
    name = f"diffoscope-{uuid.uuid4().hex[:6]}"
    _ok(client.post("/api/v1/prompts", json={"name": name, "title": name, "content": PROMPT}), 201)
    # No expected answers: free text, not labels (a label set would stop answers at a newline).
    items = [{"input": {"text": topic}} for topic in TOPICS]
    _ok(client.post("/api/v1/datasets", json={"name": name, "items": items}), 201)
    body = {
        "prompt_name": name,
        "dataset_name": name,
        "models": ["local/gemma-3-270m"],
        "params": {"temperature": 0, "max_tokens": 48},
    }
    evaluation_id: str = _ok(client.post("/api/v1/evaluations", json=body), 202)["evaluations"][0][
        "id"
    ]
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while _ok(client.get(f"/api/v1/evaluations/{evaluation_id}"))["status"] != "completed":
        assert time.monotonic() < deadline, "the evaluation did not complete"
        time.sleep(0.5)
    return evaluation_id


def test_the_prompt_is_highlighted_by_satisfaction_next_to_violating_outputs(
    page: Page, server: str
) -> None:
    with httpx.Client(base_url=server, timeout=30) as client:
        evaluation_id = completed_evaluation(client)
        report = _ok(client.get(f"/api/v1/evaluations/{evaluation_id}/diffoscope"))
    requirements = {r["kind"]: r for r in report["requirements"]}
    assert {"sentence_count", "json", "must_avoid", "tone"} <= set(requirements)
    assert report["outputs"] == len(TOPICS)

    page.goto(f"/evaluations/view/?id={evaluation_id}")
    page.get_by_role("link", name="Intent diffoscope").click()
    page.wait_for_url(re.compile(r"/evaluations/diffoscope/\?id="))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Intent diffoscope")
    expect(page.get_by_test_id("gap-score")).to_have_text(f"{report['gap_score']:.2f}")

    prompt = page.get_by_test_id("diffoscope-prompt")
    expect(prompt).to_have_text(PROMPT)
    for requirement in report["requirements"]:
        span = prompt.locator(f'[data-requirement-ids~="{requirement["id"]}"]')
        expect(span).to_have_text(requirement["quote"])
        row = page.locator(
            f'[data-testid="requirement-row"][data-requirement-id="{requirement["id"]}"]'
        )
        expect(row).to_have_attribute("data-satisfaction", satisfaction(requirement["share"]))
        expect(span).to_have_attribute("data-satisfaction", satisfaction(requirement["share"]))
    expect(page.get_by_test_id("suggestion")).to_have_count(len(report["suggestions"]))

    # Picking the most often broken requirement shows its violating outputs beside the prompt.
    worst = min(report["requirements"], key=lambda r: 2 if r["share"] is None else r["share"])
    assert worst["violations"] > 0, report
    prompt.locator(f'[data-requirement-ids~="{worst["id"]}"]').click()
    outputs = page.get_by_role("list", name="Violating outputs")
    expect(outputs).to_have_attribute("data-requirement-id", worst["id"])
    expect(outputs.get_by_test_id("violating-output")).to_have_count(len(worst["examples"]))
    first = worst["examples"][0]
    expect(outputs.get_by_test_id("violating-output").first).to_contain_text(
        first["test_case_name"]
    )
    expect(outputs.get_by_test_id("violating-output").first).to_contain_text(first["reason"])

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "diffoscope.png"), full_page=True)
