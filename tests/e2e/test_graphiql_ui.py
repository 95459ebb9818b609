"""GraphiQL at /graphiql/ in a real browser: bundled into the web UI (nothing from a CDN or
any other host), it runs its default query against /graphql with the UI's own credentials,
the project cookie, and a key signed in on a server that needs one."""

from __future__ import annotations

import json
import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Request, Response, expect

from tests.e2e.conftest import ARTIFACTS
from tests.support.server import autoforge_command, served, server_env


def _ok(response: httpx.Response, status: int = 200) -> dict[str, object]:
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


def _prompt_with_two_versions(client: httpx.Client, name: str) -> None:
    body = {"name": name, "title": "Support reply", "content": "Answer {{question}} politely."}
    prompt_id = _ok(client.post("/api/v1/prompts", json=body), 201)["id"]
    edit = {
        "content": "Answer {{question}} in two sentences.",
        "change_note": "shorter answers",
        "base_version": 1,
    }
    _ok(client.patch(f"/api/v1/prompts/{prompt_id}", json=edit))
    _ok(client.put(f"/api/v1/prompts/{prompt_id}/labels/production", json={"version": 2}))
    _ok(client.put(f"/api/v1/prompts/{prompt_id}/labels/staging", json={"version": 1}))


def _run_default_query(page: Page) -> dict[str, object]:
    """Runs what the editor holds, as a person does, and returns the server's answer."""
    editor = page.locator(".graphiql-query-editor .CodeMirror")
    expect(editor).to_be_visible()
    expect(editor).to_contain_text("query PromptsWithVersions")

    def is_the_run(response: Response) -> bool:
        sent = response.request.post_data or ""
        return response.url.endswith("/graphql") and "PromptsWithVersions" in sent

    with page.expect_response(is_the_run) as answer:
        page.get_by_role("button", name=re.compile("Execute query")).click()
    assert answer.value.status == 200, answer.value.text()
    return answer.value.json()  # type: ignore[no-any-return]


def _names(result: dict[str, object]) -> list[str]:
    assert "errors" not in result, result
    data = result["data"]
    assert isinstance(data, dict)
    return [item["name"] for item in data["prompts"]["items"]]


def test_graphiql_comes_from_the_server_alone_and_queries_the_chosen_project(
    page: Page, server: str
) -> None:
    name = f"graphiql-{uuid.uuid4().hex[:6]}"
    with httpx.Client(base_url=server, timeout=30) as client:
        project = _ok(client.post("/api/v1/projects", json={"name": name}), 201)["id"]
        client.headers["X-Autoforge-Project"] = str(project)
        _prompt_with_two_versions(client, name)
    # The project the UI works in is a cookie; /graphql must answer in it, like /api does.
    page.context.add_cookies([{"name": "afn_project", "value": str(project), "url": server}])
    requested: list[str] = []

    def record(request: Request) -> None:
        requested.append(request.url)

    page.context.on("request", record)  # the page's and any worker's

    page.goto("/")
    page.get_by_role("navigation", name="main").get_by_role("link", name="GraphQL").click()
    expect(page.get_by_role("heading", level=1, name="GraphQL")).to_be_visible()
    result = _run_default_query(page)

    assert _names(result) == [name]  # the example prompts live in another project
    response = page.locator(".graphiql-response .CodeMirror")
    expect(response).to_contain_text(f'"name": "{name}"')
    expect(response).to_contain_text('"production"')
    # The schema was introspected, so the docs know the server's types.
    page.get_by_role("button", name="Show Documentation Explorer").click()
    expect(page.locator(".graphiql-doc-explorer")).to_contain_text("Mutation")
    page.get_by_role("button", name="Hide Documentation Explorer").click()

    assert f"{server}/graphql" in requested  # introspection and the run
    strangers = [url for url in requested if not url.startswith(f"{server}/")]
    assert strangers == [], strangers
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "graphiql.png"))


def test_a_browser_opening_graphql_lands_on_graphiql(page: Page) -> None:
    page.goto("/graphql")

    page.wait_for_url("**/graphiql/")
    expect(page.locator(".graphiql-query-editor .CodeMirror")).to_contain_text(
        "PromptsWithVersions"
    )


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory, web_dir: Path) -> Iterator[tuple[str, str]]:
    """A server that needs credentials, and a member key made with the CLI."""
    data_dir = tmp_path_factory.mktemp("graphiql-guarded")
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


def test_graphiql_queries_as_the_signed_in_key(browser: Browser, guarded: tuple[str, str]) -> None:
    base, secret = guarded
    name = f"signed-{uuid.uuid4().hex[:6]}"
    auth = {"Authorization": f"Bearer {secret}"}
    with httpx.Client(base_url=base, timeout=30, headers=auth) as client:
        _prompt_with_two_versions(client, name)
    # Without the key there is nothing to read: the page's answers come from its credentials.
    anonymous = httpx.post(f"{base}/graphql", json={"query": "{ prompts { items { name } } }"})
    assert anonymous.status_code == 401, anonymous.text

    context = browser.new_context(base_url=base, viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/graphiql/")
    page.get_by_label("Secret key").fill(secret)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("who")).to_have_text("API key · member")

    assert _names(_run_default_query(page)) == [name]
    expect(page.locator(".graphiql-response .CodeMirror")).to_contain_text(f'"name": "{name}"')
    context.close()
