"""Similar prompts in a real browser, on the real server and the real local embedder: the
prompt page lists a near-duplicate (once the background embeddings exist), and the search
box on the prompt list finds a prompt by meaning, not by its words."""

from __future__ import annotations

import uuid

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS

EMBEDDING_TIMEOUT_MS = 240_000  # the first embedding loads the model in the server


def create(server: str, name: str, content: str) -> str:
    response = httpx.post(
        f"{server}/api/v1/prompts",
        json={"name": name, "title": name, "content": content},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    prompt_id: str = response.json()["id"]
    return prompt_id


def test_similar_prompts_panel_and_search_by_meaning(page: Page, server: str) -> None:
    tag = uuid.uuid4().hex[:6]
    refund = f"refund-{tag}"
    refund_id = create(
        server, refund, "Write a polite email to a customer explaining how to get a refund."
    )
    create(
        server,
        f"refund-copy-{tag}",
        "Write a polite email to a customer explaining how they can get a refund.",
    )
    create(server, f"haiku-{tag}", "Compose a haiku about mountains in winter.")

    page.goto(f"/prompts/view/?id={refund_id}")
    panel = page.get_by_role("list", name="similar prompts")
    expect(panel).to_contain_text(f"refund-copy-{tag}", timeout=EMBEDDING_TIMEOUT_MS)
    expect(panel).not_to_contain_text(f"haiku-{tag}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "similar-prompts.png"), full_page=True)

    # The click on a similar prompt opens it.
    panel.get_by_role("link", name=f"refund-copy-{tag}").click()
    expect(page.get_by_role("heading", level=1, name=f"refund-copy-{tag}")).to_be_visible()

    # Search by meaning: no word of the query is in the haiku prompt.
    page.goto("/prompts/")
    page.get_by_label("Describe what the prompt does").fill("short poem about snowy peaks")
    results = page.get_by_role("list", name="semantic search results")
    expect(results).to_contain_text(f"haiku-{tag}", timeout=60_000)
    expect(results).not_to_contain_text(f"refund-{tag}")
    page.get_by_label("And containing").fill("no prompt contains this")
    expect(page.get_by_text("No prompt is close enough in meaning.")).to_be_visible()
