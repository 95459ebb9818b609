"""Starts a real `redis-server` (Debian package, installed by `make test`) on a free port."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.support.sqld import free_port, wait_for_port


@dataclass
class RedisServer:
    url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_redis(workdir: Path, port: int | None = None) -> RedisServer:
    """On `port` to start one again where a stopped one listened (clients reconnect)."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed: `make test` installs it (apt)")
    port = port or free_port()
    log = (workdir / "redis.log").open("ab")
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    wait_for_port(port)
    return RedisServer(url=f"redis://127.0.0.1:{port}/0", process=process)
