"""A project's stored provider keys as model calls read them: decrypted, per project, and
remembered for a few seconds only."""

from __future__ import annotations

from autoforge.bootstrap import Container
from autoforge.db.tenancy import Scope
from autoforge.identity.caller import DEFAULT_PROJECT_ID
from autoforge.secrets import service
from autoforge.secrets.provider_keys import ProviderKeys
from autoforge.secrets.vault import Vault, new_key

VALUE = "sk-proj-provider-keys-test-00112233aabb"
NEWER = "sk-proj-provider-keys-test-44556677ccdd"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def store(container: Container, vault: Vault, value: str) -> None:
    scope = Scope(project_id=DEFAULT_PROJECT_ID, actor="test")
    container.database.run(
        lambda uow: service.set_secret(uow, vault, "OPENAI_API_KEY", value), scope=scope
    )


def test_a_key_is_read_per_project_and_remembered_a_few_seconds(
    file_container: Container,
) -> None:
    vault, clock = Vault([new_key()]), Clock()
    made: list[Vault] = []

    def make_vault() -> Vault:
        made.append(vault)
        return vault

    keys = ProviderKeys(file_container.database, make_vault, remember_s=5.0, clock=clock)
    assert keys(DEFAULT_PROJECT_ID, "OPENAI_API_KEY") is None
    assert made == []  # nothing stored: no vault (and no encryption key) needed

    store(file_container, vault, VALUE)
    clock.now += 4.9
    remembered = keys(DEFAULT_PROJECT_ID, "OPENAI_API_KEY")
    clock.now += 0.2
    fresh = keys(DEFAULT_PROJECT_ID, "OPENAI_API_KEY")
    store(file_container, vault, NEWER)
    cached = keys(DEFAULT_PROJECT_ID, "OPENAI_API_KEY")

    assert (remembered, fresh, cached) == (None, VALUE, VALUE)
    assert keys("another-project", "OPENAI_API_KEY") is None
    clock.now += 5.1
    assert keys(DEFAULT_PROJECT_ID, "OPENAI_API_KEY") == NEWER
