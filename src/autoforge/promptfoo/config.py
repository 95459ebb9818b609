"""Reads a promptfoo config (promptfooconfig.yaml) into prompts and flat test cases.

`file://` references are read relative to the config's directory and must stay inside it
(an uploaded config has no directory: its references come from the uploaded `files`).
Everything this reader cannot use becomes a `Finding` with its location; nothing is
silently dropped. Pure: no database, no web framework.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from autoforge.promptfoo import yaml_io
from autoforge.promptfoo.assertions import Finding, parse_expected_cell

FileReader = Callable[[str], str]
"""Returns the text of a file named relative to the config; raises FileNotFoundError."""

# Top-level keys that only matter to promptfoo's own runner: read silently.
_RUNNER_KEYS = {"description", "providers", "evaluateOptions", "outputPath", "env", "sharing"}
_KNOWN_KEYS = _RUNNER_KEYS | {"prompts", "tests", "defaultTest"}
_TEST_KEYS = {"description", "vars", "assert", "threshold", "metadata"}
_CSV_SPECIAL = ("__description", "__threshold", "__metadata:")


class ConfigError(ValueError):
    """The config is not YAML, or not a mapping; nothing can be imported."""


@dataclass(frozen=True, slots=True)
class PromptText:
    label: str
    text: str
    location: str


@dataclass(slots=True)
class TestCase:
    """One flat test case: `vars` expanded, `asserts` still in promptfoo's form."""

    location: str
    vars: dict[str, Any]
    asserts: list[tuple[str, Any]]  # (location, raw assertion)
    description: str | None = None
    threshold: float | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Suite:
    description: str | None
    prompts: list[PromptText]
    default_asserts: list[tuple[str, Any]]
    default_threshold: float | None
    tests: list[TestCase]
    findings: list[Finding]


def directory_reader(base: Path) -> FileReader:
    """Reads files under `base` only: `../secret` or an absolute path is refused."""
    root = base.resolve()

    def read(name: str) -> str:
        path = (root / name).resolve()
        if not path.is_relative_to(root):
            raise FileNotFoundError(f"{name} is outside the config's directory")
        return path.read_text(encoding="utf-8")

    return read


def uploaded_reader(files: Mapping[str, str]) -> FileReader:
    def read(name: str) -> str:
        key = str(PurePosixPath(name.removeprefix("./")))
        if key not in files:
            raise FileNotFoundError(f"{name} was not uploaded with the config")
        return files[key]

    return read


def read_suite(text: str, read_file: FileReader) -> Suite:
    """The prompts and test cases of a promptfoo config, with findings for the rest."""
    try:
        data = yaml_io.load(text)
    except yaml_io.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError("a promptfoo config is a YAML mapping (prompts, tests, ...)")
    findings = [
        Finding(key, "top-level key is not supported") for key in data if key not in _KNOWN_KEYS
    ]
    prompts = _prompts(data.get("prompts"), read_file, findings)
    default = data.get("defaultTest") or {}
    default_vars: dict[str, Any] = {}
    default_asserts: list[tuple[str, Any]] = []
    default_threshold = None
    keep_vars = False
    if isinstance(default, dict):
        _unknown_keys(default, _TEST_KEYS | {"options"}, "defaultTest", findings)
        default_vars = _mapping(default.get("vars"), "defaultTest.vars", findings)
        default_asserts = _asserts(default.get("assert"), "defaultTest", findings)
        default_threshold = _number(default.get("threshold"), "defaultTest.threshold", findings)
        keep_vars = _options(default.get("options"), "defaultTest", findings)
    else:
        findings.append(Finding("defaultTest", "defaultTest must be a mapping"))
    tests: list[TestCase] = []
    for location, raw in _raw_tests(data.get("tests"), read_file, findings):
        tests.extend(_expand(location, raw, default_vars, findings, keep_vars=keep_vars))
    return Suite(
        description=data.get("description") if isinstance(data.get("description"), str) else None,
        prompts=prompts,
        default_asserts=default_asserts,
        default_threshold=default_threshold,
        tests=tests,
        findings=findings,
    )


def _unknown_keys(
    raw: dict[str, Any], known: set[str], where: str, findings: list[Finding]
) -> None:
    for key in raw:
        if key not in known:
            findings.append(Finding(f"{where}.{key}", "is not supported"))


def _number(value: Any, where: str, findings: list[Finding]) -> float | None:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1:
        return float(value)
    findings.append(Finding(where, f"threshold {value!r} is not a number in 0..1"))
    return None


def _read(ref: str, read_file: FileReader, where: str, findings: list[Finding]) -> str | None:
    try:
        return read_file(ref.removeprefix("file://"))
    except (OSError, UnicodeDecodeError) as exc:
        findings.append(Finding(where, f"cannot read {ref}: {exc}"))
        return None


def _prompts(raw: Any, read_file: FileReader, findings: list[Finding]) -> list[PromptText]:
    entries = raw if isinstance(raw, list) else [raw] if raw is not None else []
    prompts: list[PromptText] = []
    for index, entry in enumerate(entries):
        where = f"prompts[{index}]"
        label = None
        source = entry
        if isinstance(entry, dict):
            label = str(entry.get("label") or entry.get("id") or "") or None
            source = entry.get("raw", entry.get("id"))
        if not isinstance(source, str) or not source.strip():
            findings.append(Finding(where, "a prompt must be text, file:// or {raw, label}"))
            continue
        if source.startswith("langfuse://") or (
            "://" in source.split("\n", 1)[0] and not source.startswith("file://")
        ):
            findings.append(
                Finding(where, f"prompt source {source.split(':', 1)[0]}:// is not supported")
            )
            continue
        if not source.startswith("file://"):
            prompts.append(PromptText(label or f"prompt {index + 1}", source, where))
            continue
        name = source.removeprefix("file://")
        if not name.endswith((".txt", ".md", ".j2")):
            findings.append(
                Finding(where, f"{source}: only .txt, .md and .j2 prompt files are supported")
            )
            continue
        text = _read(source, read_file, where, findings)
        if text is None:
            continue
        parts = (
            [p.strip() for p in text.split("\n---\n")] if name.endswith(".txt") else [text.strip()]
        )
        for part_index, part in enumerate(p for p in parts if p):
            suffix = f" #{part_index + 1}" if len(parts) > 1 else ""
            prompts.append(
                PromptText(label or f"{name}{suffix}", part, f"{where} ({name}{suffix})")
            )
    if not prompts:
        findings.append(Finding("prompts", "no prompt could be read"))
    return prompts


def _asserts(raw: Any, where: str, findings: list[Finding]) -> list[tuple[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        findings.append(Finding(f"{where}.assert", "assert must be a list"))
        return []
    return [(f"{where}.assert[{i}]", item) for i, item in enumerate(raw)]


def _raw_tests(raw: Any, read_file: FileReader, findings: list[Finding]) -> list[tuple[str, Any]]:
    if raw is None:
        return []
    if isinstance(raw, str):
        return _tests_from_file(raw, read_file, "tests", findings)
    if not isinstance(raw, list):
        findings.append(Finding("tests", "tests must be a list or a file:// reference"))
        return []
    found: list[tuple[str, Any]] = []
    for index, entry in enumerate(raw):
        if isinstance(entry, str):
            found.extend(_tests_from_file(entry, read_file, f"tests[{index}]", findings))
        else:
            found.append((f"tests[{index}]", entry))
    return found


def _tests_from_file(
    ref: str, read_file: FileReader, where: str, findings: list[Finding]
) -> list[tuple[str, Any]]:
    if not ref.startswith("file://"):
        findings.append(Finding(where, f"test source {ref!r} is not supported (only file://)"))
        return []
    name = ref.removeprefix("file://")
    text = _read(ref, read_file, where, findings)
    if text is None:
        return []
    try:
        if name.endswith(".csv"):
            rows: list[Any] = [_csv_test(row) for row in csv.DictReader(io.StringIO(text))]
            return [(f"{name} row {i + 2}", row) for i, row in enumerate(rows)]
        if name.endswith(".jsonl"):
            rows = [
                json.loads(line, parse_constant=_not_json)
                for line in text.splitlines()
                if line.strip()
            ]
            return [(f"{name} line {i + 1}", row) for i, row in enumerate(rows)]
        if name.endswith((".yaml", ".yml", ".json")):
            loaded = yaml_io.load(text)
            rows = loaded if isinstance(loaded, list) else [loaded]
            return [(f"{name}[{i}]", row) for i, row in enumerate(rows)]
    except (ValueError, yaml_io.YAMLError, csv.Error) as exc:
        findings.append(Finding(where, f"cannot parse {name}: {exc}"))
        return []
    findings.append(
        Finding(where, f"{ref}: only .csv, .jsonl, .yaml, .yml and .json test files are supported")
    )
    return []


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON number")


def _csv_test(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row in promptfoo's column conventions, as a test mapping."""
    test: dict[str, Any] = {"vars": {}, "assert": [], "metadata": {}}
    for column, value in row.items():
        key = (column or "").strip()
        if key.startswith("__expected"):
            if value:
                test["assert"].append(parse_expected_cell(value))
        elif key == "__description":
            test["description"] = value
        elif key == "__threshold":
            test["threshold"] = float(value) if value else None
        elif key.startswith("__metadata:"):
            test["metadata"][key.removeprefix("__metadata:")] = value
        elif key.startswith("__"):
            test.setdefault("__unsupported", []).append(key)
        else:
            test["vars"][key] = value
    return test


def _mapping(value: Any, where: str, findings: list[Finding]) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    findings.append(Finding(where, "must be a mapping"))
    return {}


def expands(value: Any) -> bool:
    """promptfoo makes one test per element of a list whose first element is text."""
    return isinstance(value, list) and bool(value) and isinstance(value[0], str)


def _options(raw: Any, where: str, findings: list[Finding]) -> bool:
    """Whether `disableVarExpansion` is set; any other option is reported."""
    if not raw:
        return False
    if not isinstance(raw, dict):
        findings.append(Finding(f"{where}.options", "options must be a mapping"))
        return False
    for key in raw:
        if key != "disableVarExpansion":
            findings.append(Finding(f"{where}.options.{key}", "is not supported"))
    return bool(raw.get("disableVarExpansion"))


def _expand(
    location: str,
    raw: Any,
    default_vars: dict[str, Any],
    findings: list[Finding],
    *,
    keep_vars: bool = False,
) -> list[TestCase]:
    """One test, or several when vars hold lists of strings (promptfoo's cartesian product)."""
    if not isinstance(raw, dict):
        findings.append(Finding(location, "a test must be a mapping"))
        return []
    for column in raw.pop("__unsupported", []):
        findings.append(Finding(f"{location}.{column}", "CSV column is not supported"))
    _unknown_keys(raw, _TEST_KEYS | {"options"}, location, findings)
    keep_vars = _options(raw.get("options"), location, findings) or keep_vars
    variables = {**default_vars, **_mapping(raw.get("vars"), f"{location}.vars", findings)}
    description = raw.get("description")
    if description is not None and not isinstance(description, str):
        findings.append(Finding(f"{location}.description", "must be text"))
        description = None
    for key, value in variables.items():
        if isinstance(value, str) and value.startswith("file://"):
            findings.append(
                Finding(f"{location}.vars.{key}", "file:// variables are not supported")
            )
    keys = list(variables)
    choices = [
        value if expands(value) and not keep_vars else [value] for value in variables.values()
    ]
    combos = list(itertools.product(*choices))
    asserts = _asserts(raw.get("assert"), location, findings)
    threshold = _number(raw.get("threshold"), f"{location}.threshold", findings)
    cases = []
    for n, combo in enumerate(combos):
        where = location if len(combos) == 1 else f"{location} (vars combination {n + 1})"
        cases.append(
            TestCase(
                location=where,
                vars=dict(zip(keys, combo, strict=True)),
                asserts=asserts,
                description=description,
                threshold=threshold,
                metadata=_mapping(raw.get("metadata"), f"{location}.metadata", findings),
            )
        )
    return cases
