"""`autoforge slo set|list|show` in-process on a real libSQL file, with the fake model hook
set: runs of the prompt are the traces an SLO is checked against."""

from __future__ import annotations

from pathlib import Path

import pytest

from autoforge.bootstrap import bootstrap
from autoforge.db.tenancy import Scope
from autoforge.identity.caller import local_caller
from autoforge.slos import service
from tests.conftest import file_settings
from tests.support.cli import Cli
from tests.support.fake_model import use_fake_model


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    use_fake_model(monkeypatch)
    cli = Cli(tmp_path / "data")
    cli.ok("prompt", "create", "greet", "--content", "Say hello to {{name}}")
    return cli


def _check(cli: Cli, slo_id: str) -> None:
    container = bootstrap(file_settings(cli.data_dir))
    try:
        scope = Scope(project_id=local_caller().project_id, actor="test")
        container.database.run(lambda uow: service.check_slo(uow, slo_id), scope=scope)
    finally:
        container.close()


def test_set_list_and_show_an_slo_with_its_history(cli: Cli) -> None:
    made = cli.json("slo", "set", "greet", "--window", "2h", "--max-error-rate", "0.1")
    assert (made["prompt_name"], made["window_s"], made["state"]) == ("greet", 7200, "unknown")
    assert made["targets"]["max_error_rate"] == 0.1

    text = cli.ok("slo", "set", "greet", "--window", "2h", "--max-p95-ms", "60000").stdout
    assert f"updated SLO {made['id']} of greet: p95 <= 60000 ms over 2h" in text

    for name in ("Ada", "Grace"):
        cli.ok("run", "greet", "--var", f"name={name}", "--model", "fake/echo")
    _check(cli, made["id"])

    listed = cli.json("slo", "list")
    assert [(s["id"], s["state"]) for s in listed] == [(made["id"], "ok")]
    assert listed[0]["figures"]["calls"] == 2
    assert "greet" in cli.ok("slo", "list").stdout

    shown = cli.json("slo", "show", "greet")
    assert shown["slo"]["id"] == made["id"]
    assert [(c["result"], c["figures"]["calls"]) for c in shown["items"]] == [("ok", 2)]
    table = cli.ok("slo", "show", made["id"]).stdout
    assert "state: ok" in table
    assert "p95 <= 60000 ms" in table


def test_bad_slos_fail_with_the_apis_message(cli: Cli) -> None:
    assert "at least one objective" in cli.fails("slo", "set", "greet").output
    assert "not a window" in cli("slo", "set", "greet", "--window", "soon").output
    assert "not found" in cli.fails("slo", "set", "nobody", "--max-error-rate", "0.1").output
    assert "no SLO 'greet'" in cli.fails("slo", "show", "greet").output
