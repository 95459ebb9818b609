"""`autoforge template ...` in-process on a real libSQL file in the test's own data directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import Cli

CONTENT = "Write a {{tone}} answer about {{product}} in at most {{max_words}} words."


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    cli = Cli(tmp_path / "data")
    cli.ok(
        "template",
        "create",
        "answer",
        "--content",
        CONTENT,
        "--param",
        "product",
        "--param",
        "tone:str:friendly",
        "--param",
        "max_words:int:120",
        "--category",
        "support",
    )
    return cli


def test_create_declares_typed_parameters(cli: Cli) -> None:
    template = cli.json("template", "show", "answer")

    assert template["variables"] == ["tone", "product", "max_words"]
    assert template["parameters"] == [
        {"name": "product", "type": "str", "required": True, "default": None, "description": None},
        {
            "name": "tone",
            "type": "str",
            "required": False,
            "default": "friendly",
            "description": None,
        },
        {
            "name": "max_words",
            "type": "int",
            "required": False,
            "default": 120,
            "description": None,
        },
    ]


def test_render_prints_the_text_and_counts_the_use(cli: Cli) -> None:
    rendered = cli.ok(
        "template", "render", "answer", "--var", "product=Forge", "--var", "max_words=50"
    )

    assert rendered.stdout == "Write a friendly answer about Forge in at most 50 words.\n"
    assert cli.json("template", "show", "answer")["usage_count"] == 1


def test_a_missing_variable_is_an_error_that_names_it(cli: Cli) -> None:
    result = cli("template", "render", "answer", "--var", "tone=curt")
    problem = json.loads(cli("template", "render", "answer", "--json").stderr)

    assert result.exit_code != 0
    assert "required variable 'product' is missing" in result.stderr
    assert problem["status"] == 422
    assert {"field": "variables.product", "message": "required variable 'product' is missing"} in (
        problem["errors"]
    )
    assert cli.json("template", "show", "answer")["usage_count"] == 0


def test_unknown_and_mistyped_variables_are_named(cli: Cli) -> None:
    unknown = cli.fails("template", "render", "answer", "--var", "product=x", "--var", "colour=red")
    mistyped = cli.fails(
        "template", "render", "answer", "--var", "product=x", "--var", "max_words=lots"
    )

    assert "unknown variable 'colour'" in unknown.stderr
    assert "variable 'max_words' must be of type int, got str" in mistyped.stderr


def test_an_undeclared_variable_is_refused_at_create(cli: Cli) -> None:
    result = cli.fails("template", "create", "bad", "--content", "Hi {{who}}", "--param", "whom")

    assert "'who' is used but not declared" in result.stderr
    assert "'whom' is declared but unused" in result.stderr


def test_parameter_specs_take_flags_and_defaults_with_colons(cli: Cli) -> None:
    cli.ok(
        "template",
        "create",
        "link",
        "--content",
        "{{url}} {{note}} {{label}}",
        "--param",
        "url:str:https://example.com/a",
        "--param",
        "note:str::optional",
        "--param",
        "label:str:required",
    )
    parameters = cli.json("template", "show", "link")["parameters"]

    assert [(p["name"], p["required"], p["default"]) for p in parameters] == [
        ("url", False, "https://example.com/a"),
        ("note", False, None),
        ("label", True, None),
    ]
    rendered = cli.ok("template", "render", "link", "--var", "label=L").stdout
    assert rendered == "https://example.com/a  L\n"


def test_a_prompt_is_created_from_a_template(cli: Cli) -> None:
    cli.ok("prompt", "create", "reply", "--template", "answer", "--var", "product=Cloud")

    prompt = cli.json("prompt", "show", "reply")
    template = cli.json("template", "show", "answer")
    assert prompt["content"] == "Write a friendly answer about Cloud in at most 120 words."
    assert prompt["template_id"] == template["id"]
    missing = cli.fails("prompt", "create", "other", "--template", "answer")
    assert "required variable 'product' is missing" in missing.stderr


def test_list_and_delete(cli: Cli) -> None:
    cli.ok("template", "create", "plain", "--content", "No variables")

    listed = cli.json("template", "list")
    support = cli.json("template", "list", "--category", "support")
    table = cli.ok("template", "list").stdout
    cli.ok("template", "delete", "answer")

    assert [t["name"] for t in listed["items"]] == ["plain", "answer"]
    assert [t["name"] for t in support["items"]] == ["answer"]
    assert "answer" in table
    assert "tone, product, max_words" in table
    assert "template 'answer' not found" in cli.fails("template", "render", "answer").stderr
    assert [t["name"] for t in cli.json("template", "list")["items"]] == ["plain"]
