"""Schemathesis drives every documented operation with generated input, as a caller with a
valid admin key on a server that requires credentials: no 5xx, and every response matches
the schema the OpenAPI document promises."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from pydantic import SecretStr
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from autoforge.app import create_app
from autoforge.bootstrap import bootstrap
from autoforge.config import Settings
from autoforge.db import migrations
from autoforge.identity import service
from autoforge.identity.caller import local_caller
from autoforge.identity.schemas import KeyCreate
from autoforge.llm.fake import FakeModelClient
from autoforge.secrets.vault import new_key
from tests.support.gateway import make_gateway

# Collection-time app: schemathesis needs the schema before fixtures exist.
_container = bootstrap(
    Settings(  # type: ignore[call-arg]
        autoforge_data_dir=Path(tempfile.mkdtemp(prefix="fuzz-")),
        auth_mode="required",
        rate_limit_enabled=False,
        secret_keys=[SecretStr(new_key())],  # a server requiring credentials has no default
        _env_file=None,
    )
)
migrations.upgrade(_container.database.engine)
_key = _container.database.run(
    lambda uow: service.create_key(uow, local_caller(), KeyCreate(role="admin"))
)
AUTHORIZATION = {"Authorization": f"Bearer {_key.secret}"}
# Model calls are answered by the fake client: this checks the HTTP contract, and a real
# model's upstream 5xx (no provider key, a timeout on a huge max_tokens) would be honest.
_container.gateway = make_gateway(_container.database, FakeModelClient())
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(_container))


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    response = case.call_and_validate(
        headers=AUTHORIZATION,
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
    # The key is valid throughout: a 401 or 403 would mean the fuzzing never got past the door
    # (signing in a browser with a made-up key is refused, and is meant to be).
    if (case.method, case.path) != ("POST", "/api/v1/session"):
        assert response.status_code not in (401, 403), response.text
