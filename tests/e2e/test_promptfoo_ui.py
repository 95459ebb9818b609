"""The promptfoo import in a real browser: a config and the CSV it names are uploaded, the
report links the created dataset and prompt and lists what was not imported with its
location; a taken name and a config that is no promptfoo config are shown as problems."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

CONFIG = """\
description: capitals
prompts:
  - 'Capital of {{country}}? One word.'
defaultTest:
  assert:
    - type: icontains
      value: "{{answer}}"
tests:
  - file://data/cases.csv
  - vars: {country: Japan, answer: Tokyo}
    assert:
      - type: javascript
        value: output.length < 50
"""


def write_config(folder: Path) -> tuple[Path, Path]:
    config = folder / "promptfooconfig.yaml"
    config.write_text(CONFIG)
    cases = folder / "cases.csv"  # picked by its name, named data/cases.csv by the config
    cases.write_text("country,answer\nFrance,Paris\nItaly,Rome\n")
    return config, cases


def upload(page: Page, name: str, config: Path, *files: Path) -> None:
    page.goto("/datasets/")
    page.get_by_role("link", name="Import a promptfoo config").click()
    page.wait_for_url(re.compile(r"/datasets/import-promptfoo/"))
    page.get_by_label("promptfoo config").set_input_files(str(config))
    if files:
        page.get_by_label("Referenced files").set_input_files([str(f) for f in files])
    page.get_by_label("Name (optional)").fill(name)
    page.get_by_role("button", name="Import").click()


def test_upload_a_config_with_its_csv_and_follow_the_report(
    page: Page, server: str, tmp_path: Path
) -> None:
    name = f"capitals-{uuid.uuid4().hex[:6]}"
    config, cases = write_config(tmp_path)
    page.goto("/datasets/import-promptfoo/")
    page.get_by_label("promptfoo config").set_input_files(str(config))
    named = page.get_by_role("list", name="files the config names")
    expect(named).to_contain_text("file://data/cases.csv: not picked")

    upload(page, name, config, cases)

    report = page.get_by_role("region", name="import report")
    expect(report).to_contain_text(f"{name} with 3 items")
    prompts = report.get_by_role("list", name="imported prompts")
    expect(prompts.get_by_role("link", name=name, exact=True)).to_have_attribute(
        "href", re.compile(r"/prompts/view/\?id=")
    )
    expect(prompts).to_contain_text("from prompts[0]")
    expect(report.get_by_test_id("promptfoo-scoring")).to_contain_text("icontains")
    expect(report.get_by_test_id("promptfoo-scoring")).to_contain_text(
        "the tests differ only in the value of icontains"
    )
    unsupported = report.get_by_role("list", name="not imported")
    expect(unsupported.get_by_role("listitem")).to_have_count(1)
    expect(unsupported).to_contain_text('tests[1].assert[0]: type "javascript" is not supported')
    prompt = httpx.get(f"{server}/api/v1/prompts/by-name/{name}", timeout=10)
    assert prompt.json()["content"] == "Capital of {{country}}? One word."

    report.get_by_role("link", name=name, exact=True).first.click()
    page.wait_for_url(re.compile(r"/datasets/view/"))
    items = page.get_by_role("table", name="items of version 1")
    expect(items.get_by_role("row")).to_have_count(4)  # and the header row
    expect(items).to_contain_text("France")
    expect(items).to_contain_text("Tokyo")


def test_a_taken_name_and_a_bad_config_are_shown_as_problems(page: Page, tmp_path: Path) -> None:
    name = f"twice-{uuid.uuid4().hex[:6]}"
    config, cases = write_config(tmp_path)
    upload(page, name, config, cases)
    expect(page.get_by_role("region", name="import report")).to_be_visible()

    upload(page, name, config, cases)
    conflict = page.get_by_role("alert").filter(has_text="Conflict")
    expect(conflict).to_contain_text(f"a prompt named '{name}'")
    expect(page.get_by_role("region", name="import report")).to_have_count(0)

    not_a_config = tmp_path / "notes.yaml"
    not_a_config.write_text("just some text\n")
    upload(page, f"other-{uuid.uuid4().hex[:6]}", not_a_config)
    expect(page.get_by_role("alert").filter(has_text="config: ")).to_contain_text(
        "a promptfoo config is a YAML mapping"
    )
