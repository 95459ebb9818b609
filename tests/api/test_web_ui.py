"""The web UI's static export is served at `/` without shadowing a single API path."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from fastapi.testclient import TestClient

from autoforge.app import create_app
from autoforge.bootstrap import Container


def app_with_web_dir(container: Container, web_dir: Path) -> TestClient:
    settings = container.settings.model_copy(update={"autoforge_web_dir": web_dir})
    return TestClient(create_app(dataclasses.replace(container, settings=settings)))


def test_pages_of_the_export_are_served(file_container: Container, tmp_path: Path) -> None:
    (tmp_path / "prompts").mkdir()
    (tmp_path / "index.html").write_text("<h1>dashboard</h1>")
    (tmp_path / "prompts" / "index.html").write_text("<h1>prompts</h1>")

    with app_with_web_dir(file_container, tmp_path) as client:
        home = client.get("/")
        prompts = client.get("/prompts/")
        api = client.get("/api/v1/prompts")

    assert home.status_code == 200
    assert "dashboard" in home.text
    assert prompts.status_code == 200
    assert "prompts" in prompts.text
    assert api.status_code == 200
    assert api.json()["items"] == []


def test_an_unknown_api_path_stays_a_problem_not_the_ui(
    file_container: Container, tmp_path: Path
) -> None:
    (tmp_path / "index.html").write_text("<h1>dashboard</h1>")
    (tmp_path / "404.html").write_text("<h1>the UI's not-found page</h1>")

    with app_with_web_dir(file_container, tmp_path) as client:
        missing_api = client.get("/api/v1/no-such-thing")
        missing_page = client.get("/no-such-page/")

    assert missing_api.status_code == 404
    assert missing_api.headers["content-type"] == "application/problem+json"
    assert missing_page.status_code == 404
    assert "not-found page" in missing_page.text


def test_without_a_build_the_root_says_how_to_build_it(
    file_container: Container, tmp_path: Path
) -> None:
    with app_with_web_dir(file_container, tmp_path / "not-built") as client:
        response = client.get("/")

    assert response.status_code == 503
    assert "make web" in response.text
