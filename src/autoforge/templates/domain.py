"""`{{variable}}` templates: declared parameters, checked and rendered. Pure: no framework."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from autoforge.errors import ValidationFailed
from autoforge.events.base import DomainEvent, register

VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
PARAMETER_TYPES = ("str", "int", "float", "bool", "list", "dict")

_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "list": (list,),
    "dict": (dict,),
}


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str = "str"
    required: bool = True
    default: Any = None
    description: str | None = None


def variables_in(content: str) -> list[str]:
    """Variable names in order of first use."""
    return list(dict.fromkeys(VARIABLE.findall(content)))


def type_matches(expected: str, value: Any) -> bool:
    # bool is a subclass of int in Python, but `true` is no answer to "how many?".
    if isinstance(value, bool) and expected != "bool":
        return False
    return isinstance(value, _PYTHON_TYPES[expected])


def check_definition(content: str, parameters: Sequence[Parameter]) -> None:
    """A template must declare exactly the variables its content uses."""
    errors: list[dict[str, str]] = []
    declared = [p.name for p in parameters]
    for name in sorted({n for n in declared if declared.count(n) > 1}):
        errors.append({"field": f"parameters.{name}", "message": "declared more than once"})
    used = variables_in(content)
    for name in used:
        if name not in declared:
            errors.append(
                {"field": f"parameters.{name}", "message": f"'{name}' is used but not declared"}
            )
    for p in parameters:
        if p.name not in used:
            errors.append(
                {"field": f"parameters.{p.name}", "message": f"'{p.name}' is declared but unused"}
            )
        if p.required and p.default is not None:
            errors.append(
                {
                    "field": f"parameters.{p.name}",
                    "message": "a required parameter cannot have a default",
                }
            )
        if p.default is not None and not type_matches(p.type, p.default):
            errors.append(
                {"field": f"parameters.{p.name}", "message": f"default must be of type {p.type}"}
            )
    if errors:
        raise ValidationFailed(_summary("the template is invalid", errors), errors=errors)


def _summary(prefix: str, errors: list[dict[str, str]]) -> str:
    return f"{prefix}: " + "; ".join(e["message"] for e in errors[:5])


def _as_text(value: Any) -> str:
    # Strings go in verbatim; everything else as JSON so `true`, `[1, 2]` read as data.
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def resolve(parameters: Sequence[Parameter], given: Mapping[str, Any]) -> dict[str, Any]:
    """The value of every parameter, or a 422 naming each missing, unknown or mistyped one."""
    errors: list[dict[str, str]] = []
    declared = {p.name: p for p in parameters}
    for name in given:
        if name not in declared:
            known = ", ".join(declared) or "none"
            errors.append(
                {
                    "field": f"variables.{name}",
                    "message": f"unknown variable '{name}' (the template declares: {known})",
                }
            )
    values: dict[str, Any] = {}
    for p in parameters:
        if p.name in given:
            value = given[p.name]
            if not type_matches(p.type, value):
                errors.append(
                    {
                        "field": f"variables.{p.name}",
                        "message": f"variable '{p.name}' must be of type {p.type}, "
                        f"got {type(value).__name__}",
                    }
                )
            values[p.name] = value
        elif p.required:
            errors.append(
                {
                    "field": f"variables.{p.name}",
                    "message": f"required variable '{p.name}' is missing",
                }
            )
        else:
            values[p.name] = "" if p.default is None else p.default
    if errors:
        raise ValidationFailed(_summary("the template variables are invalid", errors), errors)
    return values


def render(content: str, parameters: Sequence[Parameter], given: Mapping[str, Any]) -> str:
    """One pass of substitution: a value that itself contains `{{x}}` is not expanded again."""
    values = resolve(parameters, given)
    return VARIABLE.sub(lambda m: _as_text(values[m.group(1)]), content)


@dataclass(frozen=True, kw_only=True)
class TemplateEvent(DomainEvent):
    template_id: str
    owner_id: str
    stream_prefix: ClassVar[str] = "template"

    @property
    def stream_id(self) -> str:
        return f"template-{self.template_id}"


@register
@dataclass(frozen=True, kw_only=True)
class TemplateCreated(TemplateEvent):
    name: str


@register
@dataclass(frozen=True, kw_only=True)
class TemplateUpdated(TemplateEvent):
    changed: tuple[str, ...]


@register
@dataclass(frozen=True, kw_only=True)
class TemplateDeleted(TemplateEvent):
    pass
