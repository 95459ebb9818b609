"""`{{variable}}` templates: definitions are checked, renders name every bad variable."""

from __future__ import annotations

from typing import Any

import pytest

from autoforge.errors import ValidationFailed
from autoforge.templates.domain import Parameter, check_definition, render, variables_in

GREETING = "Hello {{ name }}, you have {{count}} new {{ things }}. Bye {{name}}."
PARAMETERS = [
    Parameter("name"),
    Parameter("count", "int"),
    Parameter("things", "str", required=False, default="messages"),
]


def _fields(exc: ValidationFailed) -> dict[str, str]:
    return {e["field"]: e["message"] for e in exc.errors}


def test_variables_in_order_of_first_use() -> None:
    assert variables_in(GREETING) == ["name", "count", "things"]


def test_render_substitutes_and_fills_defaults() -> None:
    text = render(GREETING, PARAMETERS, {"name": "Ada", "count": 3})
    assert text == "Hello Ada, you have 3 new messages. Bye Ada."


def test_values_are_not_expanded_twice() -> None:
    assert render("{{a}}", [Parameter("a")], {"a": "{{a}}"}) == "{{a}}"


def test_non_string_values_render_as_json() -> None:
    params = [Parameter("flag", "bool"), Parameter("items", "list"), Parameter("opts", "dict")]
    text = render("{{flag}} {{items}} {{opts}}", params, {"flag": True, "items": [1], "opts": {}})
    assert text == "true [1] {}"


def test_optional_parameter_without_default_renders_empty() -> None:
    assert render("[{{x}}]", [Parameter("x", required=False)], {}) == "[]"


@pytest.mark.parametrize(
    ("given", "field", "fragment"),
    [
        ({"count": 1}, "variables.name", "required variable 'name' is missing"),
        ({"name": "a", "count": 1, "colour": "red"}, "variables.colour", "unknown variable"),
        ({"name": "a", "count": "3"}, "variables.count", "must be of type int, got str"),
        ({"name": "a", "count": True}, "variables.count", "must be of type int, got bool"),
        ({"name": 5, "count": 1}, "variables.name", "must be of type str"),
    ],
)
def test_bad_variables_are_named(given: dict[str, Any], field: str, fragment: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        render(GREETING, PARAMETERS, given)
    assert fragment in _fields(caught.value)[field]
    assert field.split(".")[1] in caught.value.detail


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ValidationFailed) as caught:
        render(GREETING, PARAMETERS, {"count": "x", "extra": 1})
    assert set(_fields(caught.value)) == {"variables.name", "variables.count", "variables.extra"}


def test_float_accepts_int_but_not_bool() -> None:
    params = [Parameter("t", "float")]
    assert render("{{t}}", params, {"t": 1}) == "1"
    with pytest.raises(ValidationFailed):
        render("{{t}}", params, {"t": False})


def test_definition_must_declare_every_variable_and_use_every_parameter() -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_definition("{{a}} {{b}}", [Parameter("a"), Parameter("c")])
    fields = _fields(caught.value)
    assert "used but not declared" in fields["parameters.b"]
    assert "declared but unused" in fields["parameters.c"]


@pytest.mark.parametrize(
    ("parameter", "fragment"),
    [
        (Parameter("a", "str", required=True, default="x"), "cannot have a default"),
        (Parameter("a", "int", required=False, default="x"), "default must be of type int"),
    ],
)
def test_inconsistent_parameters_are_refused(parameter: Parameter, fragment: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_definition("{{a}}", [parameter])
    assert fragment in _fields(caught.value)["parameters.a"]


def test_duplicate_parameters_are_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_definition("{{a}}", [Parameter("a"), Parameter("a")])
    assert "more than once" in _fields(caught.value)["parameters.a"]
