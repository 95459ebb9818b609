"""Datasets in a real browser: a bad import is refused line by line and leaves nothing
behind; a good one becomes version 1, and its items are shown."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect


def test_a_bad_import_is_refused_and_leaves_no_dataset(page: Page, server: str) -> None:
    name = f"bad-{uuid.uuid4().hex[:6]}"
    page.goto("/datasets/")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Data").fill('{"input": {"text": "ok"}, "expected": "x"}\n{"input": 3}\n')
    page.get_by_role("button", name="Import").click()

    expect(page.get_by_role("alert").filter(has_text="line 2")).to_be_visible()
    missing = httpx.get(f"{server}/api/v1/datasets/by-name/{name}", timeout=10)
    assert missing.status_code == 404


def test_import_a_csv_file_and_see_its_items(page: Page, tmp_path: Path) -> None:
    name = f"reviews-{uuid.uuid4().hex[:6]}"
    csv = tmp_path / "reviews.csv"
    csv.write_text(
        "name,text,expected\npos-1,Lovely film,positive\nneg-1,Broken on day one,negative\n"
    )
    page.goto("/datasets/")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("File").set_input_files(str(csv))
    expect(page.get_by_label("Format")).to_have_value("csv")
    page.get_by_role("button", name="Import").click()

    status = page.get_by_role("status").filter(has_text=name)
    expect(status).to_be_visible()
    status.get_by_role("link", name=name).click()
    page.wait_for_url(re.compile(r"/datasets/view/"))
    items = page.get_by_role("table", name="items of version 1")
    expect(items.get_by_role("row")).to_have_count(3)  # and the header row
    expect(items).to_contain_text("Broken on day one")


def test_a_versions_scoring_is_shown_in_plain_words(page: Page, tmp_path: Path) -> None:
    """Imported without scoring, repeated labels are scored as labels: the page says how,
    and that it was inferred, before any run uses it."""
    name = f"labels-{uuid.uuid4().hex[:6]}"
    csv = tmp_path / "labels.csv"
    csv.write_text(
        "text,expected\nLovely film,positive\nBroken on day one,negative\n"
        "Works great,positive\nStopped after a week,negative\n"
    )
    page.goto("/datasets/")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("File").set_input_files(str(csv))
    page.get_by_role("button", name="Import").click()
    page.get_by_role("status").filter(has_text=name).get_by_role("link", name=name).click()
    page.wait_for_url(re.compile(r"/datasets/view/"))

    scoring = page.get_by_test_id("version-scoring")
    expect(scoring).to_contain_text("Scoring of v1 (inferred from its expected answers)")
    expect(scoring).to_contain_text(
        "equals the expected answer on the first line, case-insensitive"
    )
    expect(scoring).to_contain_text("Why: 2 labels (negative, positive)")
