"""Embedded mode: `autoforge serve` caches in its own memory, and a label moved by the CLI
(another process, on the same data dir) is what the server answers on its next fetch."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx

from tests.support.fake_model import FakeModel
from tests.support.server import autoforge_command, served, server_env

API = "/api/v1"


def test_a_label_moved_by_the_cli_is_served_by_the_running_server_at_once(
    tmp_path: Path,
) -> None:
    env = server_env(tmp_path)
    env.pop("REDIS_URL", None)
    with (
        served(tmp_path, env, fake=FakeModel()) as base,
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        created = client.post(
            f"{API}/prompts", json={"name": "greet", "title": "Greet", "content": "v1 text"}
        )
        prompt_id = created.json()["id"]
        edited = client.patch(
            f"{API}/prompts/{prompt_id}", json={"content": "v2 text", "base_version": 1}
        )
        assert edited.status_code == 200, edited.text
        labelled = client.put(f"{API}/prompts/{prompt_id}/labels/production", json={"version": 1})
        assert labelled.status_code == 200, labelled.text

        def production() -> str:
            response = client.get(f"{API}/prompts/by-name/greet", params={"label": "production"})
            assert response.status_code == 200, response.text
            content: str = response.json()["content"]
            return content

        for version in (2, 1, 2):
            assert production() != f"v{version} text"
            assert production() != f"v{version} text"  # now from the server's cache
            subprocess.run(
                [
                    autoforge_command(),
                    "prompt",
                    "label",
                    "greet",
                    "production",
                    "--version",
                    str(version),
                ],
                cwd=tmp_path,
                env=env,
                check=True,
                capture_output=True,
            )
            assert production() == f"v{version} text"
