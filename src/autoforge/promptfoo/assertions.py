"""The two-way mapping between promptfoo assertions and our assertion specs.

`to_spec` reads one promptfoo assertion (a mapping with `type`, `value`, `threshold`,
`weight`, a `not-` prefix, or an `assert-set`) into our spec, or says where and why it
cannot. `to_promptfoo` writes one of our specs as a promptfoo assertion. Pure: no
database, no web framework.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from autoforge.evaluations.assertions import MODEL_SCORED, AssertionSpec
from autoforge.promptfoo import yaml_io
from autoforge.promptfoo.catalog import PROMPTFOO_TYPES

Spec = dict[str, Any]
# promptfoo's own defaults where a type's threshold is optional.
SIMILAR_THRESHOLD = 0.75
LEVENSHTEIN_DISTANCE = 5
LLM_RUBRIC_THRESHOLD = 0.5
_KEYS = {"type", "value", "threshold", "weight", "metric"}
_VAR = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


@dataclass(frozen=True, slots=True)
class Finding:
    """Something not imported (or not exported), where it was, and why."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class Unsupported(ValueError):
    """One assertion that has no counterpart; the message says why."""


def parse_expected_cell(cell: str) -> dict[str, Any]:
    """A CSV `__expected` cell (`contains: Paris`, `similar(0.8): ...`, else `equals`)."""
    if cell.startswith(("grade:", "llm-rubric:")):
        return {"type": "llm-rubric", "value": cell.split(":", 1)[1].strip()}
    if cell.startswith(("fn:", "eval:")) or (
        cell.startswith("file://") and cell.endswith((".js", ".cjs", ".mjs", ".ts"))
    ):
        return {"type": "javascript", "value": cell}
    if cell.startswith("file://") and (cell.endswith(".py") or ".py:" in cell):
        return {"type": "python", "value": cell}
    match = _cell_pattern().match(cell)
    if match is None:
        return {"type": "equals", "value": cell}
    negate, kind, threshold, value = match.groups()
    found: dict[str, Any] = {"type": f"{negate or ''}{kind}"}
    if value is not None:
        value = value.strip()
        found["value"] = _split_list(value) if kind.endswith(("-all", "-any")) else value
    if threshold is not None:
        found["threshold"] = float(threshold)
    return found


@cache
def _cell_pattern() -> re.Pattern[str]:
    # Longest first, so that `similar:cosine` wins over `similar`.
    kinds = "|".join(re.escape(k) for k in sorted(PROMPTFOO_TYPES, key=len, reverse=True))
    return re.compile(rf"^(not-)?({kinds})(?:\((\d+(?:\.\d+)?)\))?(?::([\s\S]*))?$")


def _split_list(value: str) -> list[str]:
    """promptfoo's comma-separated list with optional double quotes."""
    return [v for v in next(csv.reader([value], skipinitialspace=True)) if v != ""]


def render_value(value: Any, variables: Mapping[str, Any]) -> Any:
    """promptfoo renders assertion values with the test's vars: `{{name}}` is filled in."""
    if isinstance(value, str):
        return _VAR.sub(lambda m: str(variables.get(m.group(1), m.group(0))), value)
    if isinstance(value, list):
        return [render_value(v, variables) for v in value]
    return value


def to_spec(
    raw: Any, where: str, variables: Mapping[str, Any]
) -> tuple[Spec | None, list[Finding]]:
    """Our spec for one promptfoo assertion, and findings for what was left out."""
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        return None, [Finding(where, "an assertion must be a mapping with a `type`")]
    findings: list[Finding] = []
    kind: str = raw["type"]
    if kind == "assert-set":
        return _assert_set(raw, where, variables)
    for key in raw:
        if key not in _KEYS:
            return None, [Finding(where, f"{kind}: `{key}` is not supported")]
    if raw.get("metric") is not None:
        findings.append(Finding(where, f"{kind}: metric name {raw['metric']!r} is not kept"))
    weight = raw.get("weight", 1)
    if not _positive(weight):
        return None, [*findings, Finding(where, f"{kind}: weight {weight!r} (must be > 0)")]
    negate = kind.startswith("not-")
    base = kind.removeprefix("not-")
    try:
        spec = _base_spec(base, render_value(raw.get("value"), variables), raw.get("threshold"))
        _SPEC.validate_python(spec)
    except Unsupported as exc:
        return None, [*findings, Finding(where, str(exc))]
    except (ValueError, TypeError, yaml_io.YAMLError) as exc:  # pydantic's ValidationError too
        return None, [*findings, Finding(where, f'type "{kind}": invalid: {_first_line(exc)}')]
    if negate:
        if base in _MODEL_GRADED:
            return None, [
                *findings,
                Finding(where, f'type "{kind}": negated model-graded assertions are not supported'),
            ]
        spec = {"type": "not", "assertion": spec}
    if weight != 1:
        spec["weight"] = float(weight)
    return spec, findings


_MODEL_GRADED = {"similar", "similar:cosine", "llm-rubric"}
_SPEC: TypeAdapter[Any] = TypeAdapter(AssertionSpec)


def _positive(number: Any) -> bool:
    return isinstance(number, int | float) and not isinstance(number, bool) and number > 0


def _first_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _assert_set(
    raw: dict[str, Any], where: str, variables: Mapping[str, Any]
) -> tuple[Spec | None, list[Finding]]:
    findings: list[Finding] = []
    children: list[Spec] = []
    children_raw = raw.get("assert") or []
    if not isinstance(children_raw, list):
        return None, [Finding(where, "assert-set: `assert` must be a list")]
    for index, child in enumerate(children_raw):
        spec, found = to_spec(child, f"{where}.assert[{index}]", variables)
        findings.extend(found)
        if spec is None:
            continue
        if spec["type"] in MODEL_SCORED:
            findings.append(
                Finding(
                    f"{where}.assert[{index}]",
                    "model-graded assertions inside an assert-set are not supported",
                )
            )
            continue
        children.append(spec)
    if not children:
        return None, [*findings, Finding(where, "assert-set has no supported assertion")]
    group: Spec = {"type": "group", "assertions": children}
    threshold = raw.get("threshold")
    if threshold is not None:
        if not isinstance(threshold, int | float) or not 0 <= threshold <= 1:
            return None, [*findings, Finding(where, f"assert-set: threshold {threshold!r}")]
        group["pass_threshold"] = float(threshold)
    weight = raw.get("weight", 1)
    if not _positive(weight):
        return None, [*findings, Finding(where, f"assert-set: weight {weight!r} (must be > 0)")]
    if weight != 1:
        group["weight"] = float(weight)
    return group, findings


def _text(value: Any, kind: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float) or value == "":
        raise Unsupported(f'type "{kind}": needs a text value')
    return str(value)


def _schema(value: Any, kind: str) -> dict[str, Any]:
    schema = yaml_io.load(value) if isinstance(value, str) else value
    if isinstance(value, str) and value.startswith("file://"):
        raise Unsupported(f'type "{kind}": a file:// schema is not supported')
    if not isinstance(schema, dict):
        raise Unsupported(f'type "{kind}": the schema must be a mapping')
    return schema


def _base_spec(kind: str, value: Any, threshold: Any) -> Spec:  # noqa: PLR0912
    """The spec for one non-negated promptfoo type."""
    if kind == "equals":
        if isinstance(value, dict | list):
            return {"type": "json_match", "mode": "equals", "value": json.dumps(value)}
        return {"type": "equals", "value": _text(value, kind)}
    if kind in ("contains", "icontains", "starts-with"):
        name = {"starts-with": "starts_with"}.get(kind, kind)
        return {"type": name, "value": _text(value, kind)}
    if kind in ("contains-all", "contains-any", "icontains-all", "icontains-any"):
        values = _split_list(value) if isinstance(value, str) else value
        if not isinstance(values, list) or not values:
            raise Unsupported(f'type "{kind}": needs a list of texts')
        name = "contains_all" if kind.endswith("-all") else "contains_any"
        return {"type": name, "values": [str(v) for v in values], "ignore_case": kind[0] == "i"}
    if kind == "regex":
        pattern = _text(value, kind)
        try:
            re.compile(pattern)
        except re.error as exc:
            raise Unsupported(f'type "regex": pattern not valid here: {exc}') from None
        return {"type": "regex", "pattern": pattern}
    if kind in ("is-json", "contains-json"):
        extract = kind == "contains-json"
        if value in (None, ""):
            return {"type": "is_json", "extract": extract}
        return {"type": "json_schema", "json_schema": _schema(value, kind), "extract": extract}
    if kind in ("similar", "similar:cosine"):
        limit = SIMILAR_THRESHOLD if threshold is None else float(threshold)
        return {"type": "similarity", "value": _text(value, kind), "threshold": limit}
    if kind == "llm-rubric":
        limit = LLM_RUBRIC_THRESHOLD if threshold is None else float(threshold)
        return {"type": "llm_judge", "rubric": _text(value, kind), "threshold": limit}
    if kind == "levenshtein":
        distance = LEVENSHTEIN_DISTANCE if threshold is None else int(threshold)
        return {"type": "levenshtein", "value": _text(value, kind), "max_distance": distance}
    if kind in ("latency", "cost"):
        if not isinstance(threshold, int | float):
            raise Unsupported(f'type "{kind}": needs a numeric threshold')
        key = "max_ms" if kind == "latency" else "max_usd"
        return {"type": kind, key: float(threshold)}
    if kind == "word-count":
        if isinstance(value, dict) and ("min" in value or "max" in value):
            return {
                "type": "word_count",
                "min_words": value.get("min"),
                "max_words": value.get("max"),
            }
        if isinstance(value, int | str) and str(value).isdigit():
            return {"type": "word_count", "min_words": int(value), "max_words": int(value)}
        raise Unsupported('type "word-count": needs a number or {min, max}')
    raise Unsupported(f'type "{kind}" is not supported')


# -- our specs as promptfoo assertions ------------------------------------------------------


def to_promptfoo(spec: Spec, expected: str | None) -> dict[str, Any]:
    """A promptfoo assertion that checks what `spec` checks; raises Unsupported otherwise.
    `expected` stands in for a spec without its own `value` (the case's expected answer)."""
    found = _promptfoo_base(spec, expected)
    if spec.get("weight", 1.0) != 1.0:
        found["weight"] = spec["weight"]
    return found


def _reference(spec: Spec, expected: str | None) -> str:
    value = spec.get("value")
    reference = value if value is not None else expected
    if reference is None:
        raise Unsupported(f"{spec['type']}: the case has no expected answer to compare with")
    return str(reference)


def _js(expression: str) -> dict[str, Any]:
    return {"type": "javascript", "value": expression}


def _equals_js(spec: Spec, want: str) -> dict[str, Any]:
    steps = ["let o = output;", f"let w = {json.dumps(want)};"]
    if spec.get("first_line"):
        steps.append("o = o.split(/\\r?\\n/).find((l) => l.trim() !== '') ?? '';")
    if spec.get("strip"):
        steps.append("o = o.trim(); w = w.trim();")
    if spec.get("ignore_case"):
        steps.append("o = o.toLowerCase(); w = w.toLowerCase();")
    return _js("(() => { " + " ".join(steps) + " return o === w; })()")


def _promptfoo_base(spec: Spec, expected: str | None) -> dict[str, Any]:  # noqa: PLR0912
    kind = spec["type"]
    if kind == "equals":
        want = _reference(spec, expected)
        if spec.get("first_line") or spec.get("strip") or spec.get("ignore_case"):
            return _equals_js(spec, want)
        return {"type": "equals", "value": want}
    if kind in ("contains", "icontains"):
        return {"type": kind, "value": _reference(spec, expected)}
    if kind == "starts_with":
        return {"type": "starts-with", "value": _reference(spec, expected)}
    if kind in ("contains_all", "contains_any"):
        prefix = "i" if spec.get("ignore_case") else ""
        return {"type": f"{prefix}{kind.replace('_', '-')}", "value": list(spec["values"])}
    if kind == "regex":
        pattern = spec["pattern"]
        if spec.get("full_match"):
            pattern = f"^(?:{pattern})$"
        if spec.get("ignore_case"):
            return _js(f"new RegExp({json.dumps(pattern)}, 'i').test(output)")
        return {"type": "regex", "value": pattern}
    if kind == "length":
        low, high = spec.get("min_chars"), spec.get("max_chars")
        checks = [
            f"n >= {low}" if low is not None else "",
            f"n <= {high}" if high is not None else "",
        ]
        return _js(f"((n) => {' && '.join(c for c in checks if c)})([...output].length)")
    if kind in ("is_json", "json_schema"):
        found: dict[str, Any] = {"type": "contains-json" if spec.get("extract") else "is-json"}
        if kind == "json_schema":
            found["value"] = spec["json_schema"]
        return found
    if kind == "json_match":
        if spec.get("mode") != "equals" or spec.get("extract"):
            raise Unsupported(
                "json_match: only mode=equals without extract has a promptfoo counterpart"
            )
        return {"type": "equals", "value": json.loads(_reference(spec, expected))}
    if kind == "similarity":
        return {
            "type": "similar",
            "value": _reference(spec, expected),
            "threshold": spec["threshold"],
        }
    if kind == "llm_judge":
        return {"type": "llm-rubric", "value": spec["rubric"], "threshold": spec["threshold"]}
    if kind == "levenshtein":
        return {
            "type": "levenshtein",
            "value": _reference(spec, expected),
            "threshold": spec["max_distance"],
        }
    if kind == "latency":
        return {"type": "latency", "threshold": spec["max_ms"]}
    if kind == "cost":
        return {"type": "cost", "threshold": spec["max_usd"]}
    if kind == "word_count":
        low, high = spec.get("min_words"), spec.get("max_words")
        if low is not None and low == high:
            return {"type": "word-count", "value": low}
        return {
            "type": "word-count",
            "value": {k: v for k, v in (("min", low), ("max", high)) if v is not None},
        }
    if kind == "not":
        inner = to_promptfoo(spec["assertion"], expected)
        if inner["type"] == "javascript":
            return _js(f"!({inner['value']})")
        return {**inner, "type": f"not-{inner['type']}"}
    if kind == "group":
        found = {
            "type": "assert-set",
            "assert": [to_promptfoo(s, expected) for s in spec["assertions"]],
        }
        if spec.get("pass_threshold", 1.0) < 1.0:
            found["threshold"] = spec["pass_threshold"]
        return found
    raise Unsupported(f"{kind}: has no promptfoo counterpart")
