"""A JWKS served over HTTP on 127.0.0.1, as Clerk's Frontend API serves it, and RSA keys
that sign tokens the way Clerk does: for tests of sign-in."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


@dataclass(frozen=True)
class Signer:
    kid: str
    private_key: rsa.RSAPrivateKey

    def jwk(self) -> dict[str, Any]:
        public = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        return {**public, "kid": self.kid, "use": "sig", "alg": "RS256"}

    def sign(self, claims: dict[str, Any], *, kid: str | None = None) -> str:
        return jwt.encode(
            claims, self.private_key, algorithm="RS256", headers={"kid": kid or self.kid}
        )


def new_signer(kid: str) -> Signer:
    return Signer(kid, rsa.generate_private_key(public_exponent=65537, key_size=2048))


@dataclass
class JwksServer:
    """What Clerk's Frontend API serves at /.well-known/jwks.json, and how often it was asked."""

    keys: list[Any]  # a real JWKS holds dicts; tests slip in junk too
    status: int = 200
    requests: int = 0
    _server: HTTPServer | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/.well-known/jwks.json"

    def serve(self, *signers: Signer) -> None:
        self.keys = [signer.jwk() for signer in signers]

    def start(self) -> None:
        state = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                state.requests += 1
                body = json.dumps({"keys": state.keys}).encode()
                self.send_response(state.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep pytest's output for failures

        self._server = server = HTTPServer(("127.0.0.1", 0), Handler)
        # A short poll interval: shutdown() waits out one, in every test's teardown.
        poll = {"poll_interval": 0.01}
        threading.Thread(target=server.serve_forever, kwargs=poll, daemon=True).start()

    def stop(self) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()
