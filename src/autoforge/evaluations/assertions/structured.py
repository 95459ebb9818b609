"""Assertions on JSON outputs: parses at all, fits a JSON Schema, matches an expected object."""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from jsonschema import exceptions as schema_errors
from jsonschema import validators
from jsonschema.protocols import Validator
from pydantic import Field, PrivateAttr, field_validator

from autoforge.evaluations.assertions.base import (
    NO_REFERENCE,
    AssertionBase,
    CaseOutcome,
    Score,
    ScoringTools,
    preview,
    reference_of,
)

# Small base models wrap JSON in prose or code fences; extraction tries only this many starts
# so a long non-JSON answer cannot cost quadratic time.
_MAX_JSON_STARTS = 20
_JSON_START = re.compile(r"[\[{]")


def parse_json_output(text: str, *, extract: bool = False) -> Any:
    """The JSON value of an output; raises ValueError saying why it is not JSON.

    With `extract`, the first JSON object or array inside the text is taken (after any
    prose or a ``` fence), and whatever follows it is ignored.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if not extract:
            raise ValueError(f"invalid JSON: {exc}") from exc
        first_error = exc
    decoder = json.JSONDecoder()
    for attempt, start in enumerate(_JSON_START.finditer(text)):
        if attempt == _MAX_JSON_STARTS:
            break
        try:
            value, _ = decoder.raw_decode(text, start.start())
        except json.JSONDecodeError:
            continue
        return value
    raise ValueError(f"no JSON object or array found: {first_error}")


def _short_json(value: Any, limit: int = 30) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _kind(value: Any) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


class IsJsonAssertion(AssertionBase):
    """The output parses as JSON (or contains JSON, with `extract`)."""

    type: Literal["is_json"] = "is_json"
    extract: bool = False

    def score(self, case: CaseOutcome, tools: ScoringTools) -> Score:
        try:
            value = parse_json_output(case.output, extract=self.extract)
        except ValueError as exc:
            return Score(0.0, False, str(exc))
        return Score(1.0, True, f"output is valid JSON ({_kind(value)})")


class JsonSchemaAssertion(AssertionBase):
    """The output's JSON value is valid against a JSON Schema (its own $schema, else 2020-12)."""

    type: Literal["json_schema"] = "json_schema"
    json_schema: dict[str, Any]
    extract: bool = False
    _validator: Validator = PrivateAttr()

    @field_validator("json_schema")
    @classmethod
    def _valid_schema(cls, schema: dict[str, Any]) -> dict[str, Any]:
        try:
            validators.validator_for(schema).check_schema(schema)
        except schema_errors.SchemaError as exc:
            raise ValueError(f"invalid JSON Schema: {exc.message}") from exc
        return schema

    def model_post_init(self, context: Any, /) -> None:
        # Building a validator resolves the meta-schema: once per spec, not once per case.
        self._validator = validators.validator_for(self.json_schema)(self.json_schema)

    def score(self, case: CaseOutcome, tools: ScoringTools) -> Score:
        try:
            instance = parse_json_output(case.output, extract=self.extract)
        except ValueError as exc:
            return Score(0.0, False, str(exc))
        errors = list(self._validator.iter_errors(instance))
        if not errors:
            return Score(1.0, True, "output matches the schema")
        worst = schema_errors.best_match(errors)
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        return Score(0.0, False, f"schema violation at {worst.json_path}: {worst.message}{more}")


def same_json(a: Any, b: Any) -> bool:
    """JSON equality: unlike Python's ==, true is not 1 and "1" is not 1; 1 equals 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and bool(a == b)


def _covers(got: Any, want: Any) -> bool:
    """`got` holds everything in `want`: objects may carry extra keys, at any depth."""
    if isinstance(want, dict) and isinstance(got, dict):
        return all(k in got and _covers(got[k], v) for k, v in want.items())
    return same_json(got, want)


class JsonMatchAssertion(AssertionBase):
    """The output's JSON equals the expected JSON, or contains it (`mode="subset"`).

    For two objects the value is the share of keys that match (the expected keys in subset
    mode, the keys of both in equals mode), so a half-right extraction scores 0.5; `passed`
    needs every key. Any other pair of values scores 1 or 0.
    """

    type: Literal["json_match"] = "json_match"
    mode: Literal["equals", "subset"] = "equals"
    value: str | None = Field(default=None, description="Expected JSON text; default: expected.")
    extract: bool = False

    @field_validator("value")
    @classmethod
    def _value_is_json(cls, value: str | None) -> str | None:
        if value is not None:
            parse_json_output(value)
        return value

    def score(self, case: CaseOutcome, tools: ScoringTools) -> Score:
        reference = reference_of(self.value, case)
        if reference is None:
            return NO_REFERENCE
        try:
            want = parse_json_output(reference)
        except ValueError as exc:
            return Score(0.0, False, f"expected output is not JSON: {exc}")
        try:
            got = parse_json_output(case.output, extract=self.extract)
        except ValueError as exc:
            return Score(0.0, False, str(exc))
        if isinstance(want, dict) and isinstance(got, dict):
            return self._score_objects(got, want)
        if self._matches(got, want):
            return Score(1.0, True, "output JSON matches the expected JSON")
        return Score(0.0, False, f"expected {preview(reference)}, got {preview(case.output)}")

    def _matches(self, got: Any, want: Any) -> bool:
        return _covers(got, want) if self.mode == "subset" else same_json(got, want)

    def _score_objects(self, got: dict[str, Any], want: dict[str, Any]) -> Score:
        keys = list(want) if self.mode == "subset" else list(dict.fromkeys([*want, *got]))
        if not keys:
            return Score(1.0, True, "both objects are empty")
        problems: list[str] = []
        for key in keys:
            if key not in got:
                problems.append(f"missing {key!r}")
            elif key not in want:
                problems.append(f"unexpected {key!r}")
            elif not self._matches(got[key], want[key]):
                problems.append(
                    f"{key!r}: expected {_short_json(want[key])}, got {_short_json(got[key])}"
                )
        matched = len(keys) - len(problems)
        summary = f"{matched}/{len(keys)} keys match"
        if not problems:
            return Score(1.0, True, summary)
        return Score(matched / len(keys), False, f"{summary}; " + "; ".join(problems))
