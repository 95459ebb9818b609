"""The prompt workflow in a real browser, on the real server and the real local model:
create, edit twice, diff, label `production`, run what the label points at."""

from __future__ import annotations

import re
import uuid

import httpx
from playwright.sync_api import Locator, Page, expect


def replace_editor_text(page: Page, scope: Locator, text: str) -> None:
    """Monaco is no <textarea>: select all and type, as a person would."""
    scope.locator(".monaco-editor .view-lines").first.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


def test_create_edit_diff_label_and_run_a_prompt(page: Page, server: str) -> None:
    name = f"greeting-{uuid.uuid4().hex[:6]}"
    page.goto("/prompts/")
    page.get_by_role("button", name="New prompt").click()
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Title", exact=True).fill("Greeting")
    replace_editor_text(page, page.locator("form"), "Say hello to {{person}}.")
    page.get_by_role("button", name="Create", exact=True).click()

    page.wait_for_url(re.compile(r"/prompts/view/\?id="))
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    editor = page.get_by_test_id("template-editor").first.locator("..")
    for version, text in [
        (2, "Say hello warmly to {{person}}."),
        (3, "Greet {{person}}.\nGreeting:"),
    ]:
        replace_editor_text(page, editor, text)
        page.get_by_role("button", name="Save", exact=True).click()
        expect(
            page.get_by_role("status").filter(has_text=f"Saved as version {version}")
        ).to_be_visible()

    page.get_by_label("From version", exact=True).select_option("1")
    page.get_by_label("To version", exact=True).select_option("3")
    diff = page.get_by_test_id("version-diff")
    expect(diff).to_contain_text("Say hello to")  # the old side
    expect(diff).to_contain_text("Greeting:")  # the new side

    page.get_by_label("Label", exact=True).fill("production")
    page.get_by_label("Target version", exact=True).select_option("2")
    page.get_by_role("button", name="Set label", exact=True).click()
    expect(page.get_by_role("list", name="labels")).to_contain_text("production")

    run_what = page.get_by_label("Run what", exact=True)
    expect(run_what.locator("option").first).to_have_text("Latest (v3)")
    run_what.select_option(label="label: production (v2)")
    page.get_by_label("person", exact=True).fill("Ada")
    page.get_by_label("Max tokens", exact=True).fill("12")
    page.get_by_role("button", name="Run", exact=True).click()
    output = page.get_by_test_id("run-output")
    expect(output).not_to_be_empty(timeout=120_000)
    expect(page.get_by_test_id("run-version")).to_have_text("Ran v2 (label production)")

    # What the page showed is what the server stored.
    prompt = httpx.get(f"{server}/api/v1/prompts/by-name/{name}", timeout=10).json()
    labelled = httpx.get(
        f"{server}/api/v1/prompts/by-name/{name}", params={"label": "production"}, timeout=10
    ).json()
    assert prompt["version"] == 3
    assert labelled["version"] == 2
    assert "warmly" in labelled["content"]
    traces = httpx.get(
        f"{server}/api/v1/traces", params={"prompt_id": prompt["prompt_id"]}, timeout=10
    )
    [trace] = traces.json()["items"]
    assert trace["prompt_version"] == 2
    assert trace["output"].strip() == output.inner_text().strip()


def test_an_api_error_is_shown_in_plain_words(page: Page) -> None:
    page.goto("/prompts/")
    page.get_by_role("button", name="New prompt").click()
    page.get_by_label("Name", exact=True).fill("not a valid name!")
    page.get_by_label("Title", exact=True).fill("Bad")
    replace_editor_text(page, page.locator("form"), "Hello {{person}}.")
    page.get_by_role("button", name="Create", exact=True).click()

    alert = page.get_by_role("alert").filter(has_text="name")
    expect(alert).to_be_visible()
    expect(page).to_have_url(re.compile(r"/prompts/$"))
