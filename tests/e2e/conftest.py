"""End to end: Debian's Chromium, driven by Playwright, against a real `autoforge serve`
with the real local model, serving the built web UI (web/out, built by `make web`)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from autoforge.bootstrap import Container
from autoforge.config import Settings
from autoforge.llm.local_model import GGUF_FILE, ensure_model_file
from tests.support.server import autoforge_command, served, server_env

CHROMIUM = os.environ.get("AUTOFORGE_CHROMIUM", "/usr/bin/chromium")
# Without the networking flags Chromium keeps dialling Google on this closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"


@pytest.fixture(scope="session")
def web_dir() -> Path:
    built = Settings(_env_file=None).autoforge_web_dir  # type: ignore[call-arg]
    assert (built / "index.html").is_file(), f"the web UI is not built in {built}: run `make web`"
    return built


@pytest.fixture(scope="session")
def server(
    tmp_path_factory: pytest.TempPathFactory, file_container_session: Container, web_dir: Path
) -> Iterator[str]:
    """`autoforge serve` on a fresh data dir holding the example datasets and prompts."""
    data_dir = tmp_path_factory.mktemp("e2e")
    model_file = ensure_model_file(file_container_session.settings.data_dir / "models" / GGUF_FILE)
    env = server_env(
        data_dir, LOCAL_MODEL_PATH=str(model_file), AUTOFORGE_WEB_DIR=str(web_dir), REDIS_URL=""
    )
    autoforge = autoforge_command()
    subprocess.run([autoforge, "db", "upgrade"], cwd=data_dir, env=env, check=True)
    subprocess.run(
        [autoforge, "dataset", "examples"], cwd=data_dir, env=env, check=True, capture_output=True
    )
    with served(data_dir, env) as base:
        yield base


# Package scope, not session: Playwright's sync API keeps an event loop running in this
# thread while it is open, and tests after the browser tests start loops of their own.
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    assert shutil.which(CHROMIUM) or Path(CHROMIUM).is_file(), (
        f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium package"
    )
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def page(browser: Browser, server: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context per test; a failing test leaves a screenshot and the console."""
    context = browser.new_context(base_url=server, viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(15_000)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"page error: {error}"))
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        (ARTIFACTS / f"{name}.console.txt").write_text("\n".join(console))
        print(f"screenshot: {ARTIFACTS / f'{name}.png'}")
    context.close()
