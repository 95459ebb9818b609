"""Projects, API keys, members and sign-in in a real browser: a key's secret is shown once
and works at once, a revoked one stops, a new project starts empty, and a server that needs
credentials asks for them and keeps them in an HTTP-only cookie."""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.server import autoforge_command, served, server_env


def me(server: str, secret: str) -> httpx.Response:
    return httpx.get(
        f"{server}/api/v1/me", headers={"Authorization": f"Bearer {secret}"}, timeout=10
    )


def test_a_key_is_shown_once_works_at_once_and_stops_when_revoked(page: Page, server: str) -> None:
    page.goto("/settings/keys/")
    page.get_by_label("Role").select_option("viewer")
    note = f"ci-{uuid.uuid4().hex[:6]}"
    page.get_by_label("Note").fill(note)
    page.get_by_role("button", name="Create key").click()

    secret = page.get_by_test_id("new-secret").inner_text()
    assert secret.startswith("sk-afn-")
    assert me(server, secret).json()["role"] == "viewer"
    row = page.get_by_role("table", name="API keys").get_by_role("row").filter(has_text=note)
    expect(row).to_contain_text(f"sk-afn-…{secret[-4:]}")
    expect(row).to_contain_text("active")

    page.reload()  # the secret is gone for good
    expect(page.get_by_test_id("new-secret")).to_have_count(0)
    expect(page.get_by_text(secret)).to_have_count(0)
    row.get_by_role("button", name="Revoke").click()
    expect(row).to_contain_text("revoked")
    assert me(server, secret).status_code == 401


def test_members_are_added_and_removed(page: Page) -> None:
    email = f"dev-{uuid.uuid4().hex[:6]}@example.test"
    page.goto("/settings/members/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Role").select_option("viewer")
    page.get_by_role("button", name="Add").click()

    members = page.get_by_role("table", name="Members")
    expect(members.get_by_role("row").filter(has_text=email)).to_contain_text("viewer")
    page.get_by_role("button", name=f"Remove {email}").click()
    expect(members.get_by_role("row").filter(has_text=email)).to_have_count(0)


def test_a_new_project_starts_empty_and_the_switcher_goes_back(page: Page) -> None:
    name = f"lab-{uuid.uuid4().hex[:6]}"
    page.goto("/settings/projects/")
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Create project").click()
    page.get_by_role("button", name=f"Open {name}").click()

    page.wait_for_url("**/prompts/")
    expect(page.get_by_label("Project")).to_have_value(
        page.get_by_label("Project").locator("option", has_text=name).get_attribute("value") or ""
    )
    expect(page.get_by_text("sentiment-classifier")).to_have_count(0)
    page.get_by_label("Project").select_option(label="Default")
    # The switch reloads the dashboard ("**/" would match the prompts page already shown).
    page.wait_for_url(lambda url: urlparse(url).path == "/")
    page.goto("/prompts/")
    expect(page.get_by_text("sentiment-classifier").first).to_be_visible()


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory, web_dir: Path) -> Iterator[tuple[str, str]]:
    """A server that needs credentials, and a member key made with the CLI."""
    data_dir = tmp_path_factory.mktemp("guarded")
    env = server_env(data_dir, AUTOFORGE_WEB_DIR=str(web_dir), AUTH_MODE="required", REDIS_URL="")
    autoforge = autoforge_command()
    subprocess.run([autoforge, "db", "upgrade"], cwd=data_dir, env=env, check=True)
    made = subprocess.run(
        [autoforge, "key", "create", "--role", "member", "--json"],
        cwd=data_dir,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    with served(data_dir, env) as base:
        yield base, json.loads(made.stdout)["secret"]


def test_a_server_that_needs_credentials_asks_for_a_key(
    browser: Browser, guarded: tuple[str, str]
) -> None:
    base, secret = guarded
    context = browser.new_context(base_url=base)
    page = context.new_page()
    page.goto("/prompts/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Secret key").fill("sk-afn-wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert").filter(has_text="Unauthorized")).to_contain_text("not valid")

    page.get_by_label("Secret key").fill(secret)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_test_id("who")).to_have_text("API key · member")
    expect(page.get_by_role("heading", name="Prompts")).to_be_visible()
    assert secret not in page.evaluate("document.cookie")  # HTTP-only: no script reads it
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    context.close()


def test_a_prompts_visibility_is_chosen_on_its_page(page: Page, server: str) -> None:
    name = f"vis-{uuid.uuid4().hex[:6]}"
    created = httpx.post(
        f"{server}/api/v1/prompts", json={"name": name, "title": name, "content": "x"}, timeout=10
    ).json()
    page.goto(f"/prompts/view/?id={created['id']}")
    expect(page.get_by_label("Visibility")).to_have_value("private")

    page.get_by_label("Visibility").select_option("shared")

    expect(page.get_by_label("Visibility")).to_have_value("shared")
    stored = httpx.get(f"{server}/api/v1/prompts/{created['id']}", timeout=10).json()
    assert stored["visibility"] == "shared"
    assert stored["version"] == 1  # who may read it is no new version
