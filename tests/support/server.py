"""`autoforge serve` as a real process on a free port, for tests that need the whole server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.support.fake_model import FakeModel


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


REPO = Path(__file__).resolve().parents[2]


def autoforge_command() -> str:
    """The console script of the interpreter running the tests."""
    return str(Path(sys.executable).with_name("autoforge"))


def autoforge(fake: FakeModel | None = None) -> list[str]:
    """The command line that starts `autoforge`: the installed one, or with `fake` the test
    entry point in which every model is the test fake (`with_fake` adds its environment)."""
    if fake is None:
        return [autoforge_command()]
    return [sys.executable, "-m", "tests.support.fake_autoforge"]


def with_fake(env: dict[str, str], fake: FakeModel | None) -> dict[str, str]:
    if fake is None:
        return env
    path = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return {**env, **fake.env(), "PYTHONPATH": path}


def server_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """This environment minus any remote database, plus the data dir and `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TURSO_"))}
    env.update(AUTOFORGE_DATA_DIR=str(data_dir), **extra)
    return env


@contextmanager
def served(
    data_dir: Path,
    env: dict[str, str],
    *,
    start_timeout_s: float = 90,
    fake: FakeModel | None = None,
    args: Sequence[str] = (),
) -> Iterator[str]:
    """Starts the server (it migrates `data_dir`), yields its base URL, stops it. Its output
    goes to `data_dir/server.log`, the first place to look when a test fails. With `fake`,
    every model of the server is the test fake."""
    port = free_port()
    command = [*autoforge(fake), "serve", "--port", str(port), *args]
    with (data_dir / "server.log").open("wb") as log:
        process = subprocess.Popen(
            command, cwd=data_dir, env=with_fake(env, fake), stdout=log, stderr=log
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_live(base, process, start_timeout_s)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)


def _wait_until_live(base: str, process: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/health/live", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not come up within {timeout_s:.0f} s")
