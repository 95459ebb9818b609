"""promptfoo assertions <-> our specs, configs read into plans, and plans written back."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from autoforge.evaluations.assertions import AssertionSet, CaseOutcome, ScoringTools
from autoforge.evaluations.scoring import Scoring
from autoforge.promptfoo.assertions import (
    Unsupported,
    parse_expected_cell,
    to_promptfoo,
    to_spec,
)
from autoforge.promptfoo.config import ConfigError, directory_reader, read_suite, uploaded_reader
from autoforge.promptfoo.exporter import ExportCase, build_config
from autoforge.promptfoo.plan import CASE_VARIABLE, plan_import

SCHEMA = {"type": "object", "required": ["a"]}

SUPPORTED: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"type": "equals", "value": "Paris"}, {"type": "equals", "value": "Paris"}),
    (
        {"type": "equals", "value": {"a": 1}},
        {"type": "json_match", "mode": "equals", "value": '{"a": 1}'},
    ),
    ({"type": "contains", "value": "Par"}, {"type": "contains", "value": "Par"}),
    ({"type": "icontains", "value": "par"}, {"type": "icontains", "value": "par"}),
    (
        {"type": "contains-all", "value": ["a", "b"]},
        {"type": "contains_all", "values": ["a", "b"], "ignore_case": False},
    ),
    (
        {"type": "icontains-any", "value": 'a, "b, c"'},
        {"type": "contains_any", "values": ["a", "b, c"], "ignore_case": True},
    ),
    (
        {"type": "contains-any", "value": ["x"]},
        {"type": "contains_any", "values": ["x"], "ignore_case": False},
    ),
    (
        {"type": "icontains-all", "value": ["x"]},
        {"type": "contains_all", "values": ["x"], "ignore_case": True},
    ),
    ({"type": "starts-with", "value": "Yes"}, {"type": "starts_with", "value": "Yes"}),
    ({"type": "regex", "value": "^\\d+$"}, {"type": "regex", "pattern": "^\\d+$"}),
    ({"type": "is-json"}, {"type": "is_json", "extract": False}),
    (
        {"type": "is-json", "value": SCHEMA},
        {"type": "json_schema", "json_schema": SCHEMA, "extract": False},
    ),
    (
        {"type": "contains-json", "value": "type: object\nrequired: [a]"},
        {"type": "json_schema", "json_schema": SCHEMA, "extract": True},
    ),
    ({"type": "contains-json"}, {"type": "is_json", "extract": True}),
    (
        {"type": "similar", "value": "hi", "threshold": 0.8},
        {"type": "similarity", "value": "hi", "threshold": 0.8},
    ),
    ({"type": "similar", "value": "hi"}, {"type": "similarity", "value": "hi", "threshold": 0.75}),
    (
        {"type": "llm-rubric", "value": "is polite"},
        {"type": "llm_judge", "rubric": "is polite", "threshold": 0.5},
    ),
    (
        {"type": "levenshtein", "value": "Rome", "threshold": 2},
        {"type": "levenshtein", "value": "Rome", "max_distance": 2},
    ),
    ({"type": "latency", "threshold": 900}, {"type": "latency", "max_ms": 900.0}),
    ({"type": "cost", "threshold": 0.01}, {"type": "cost", "max_usd": 0.01}),
    ({"type": "word-count", "value": 3}, {"type": "word_count", "min_words": 3, "max_words": 3}),
    (
        {"type": "word-count", "value": {"min": 2}},
        {"type": "word_count", "min_words": 2, "max_words": None},
    ),
]


@pytest.mark.parametrize(("raw", "spec"), SUPPORTED, ids=lambda v: str(v.get("type")))
def test_every_supported_type_maps_to_a_valid_spec(
    raw: dict[str, Any], spec: dict[str, Any]
) -> None:
    mapped, findings = to_spec(raw, "tests[0].assert[0]", {})
    assert (mapped, findings) == (spec, [])
    AssertionSet.model_validate({"assertions": [mapped]})


def test_not_prefix_weight_and_assert_set() -> None:
    raw = {
        "type": "assert-set",
        "threshold": 0.5,
        "weight": 2,
        "assert": [
            {"type": "not-contains", "value": "sorry", "weight": 3},
            {"type": "starts-with", "value": "A"},
        ],
    }
    spec, findings = to_spec(raw, "x", {})
    assert findings == []
    assert spec == {
        "type": "group",
        "assertions": [
            {"type": "not", "assertion": {"type": "contains", "value": "sorry"}, "weight": 3.0},
            {"type": "starts_with", "value": "A"},
        ],
        "pass_threshold": 0.5,
        "weight": 2.0,
    }


def test_values_are_rendered_with_the_test_vars() -> None:
    spec, _ = to_spec({"type": "icontains", "value": "{{ city }}!"}, "x", {"city": "Rome"})
    assert spec == {"type": "icontains", "value": "Rome!"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"type": "javascript", "value": "true"}, 'type "javascript" is not supported'),
        ({"type": "not-similar", "value": "x"}, "negated model-graded"),
        ({"type": "contains", "value": "x", "transform": "output"}, "`transform` is not supported"),
        ({"type": "contains", "value": "x", "weight": 0}, "weight 0"),
        ({"type": "latency"}, "needs a numeric threshold"),
        ({"type": "similar:dot", "value": "x"}, 'type "similar:dot" is not supported'),
        ({"type": "regex", "value": "(?<=a+)b"}, "pattern not valid here"),
        ({"value": "no type"}, "must be a mapping with a `type`"),
    ],
)
def test_unsupported_assertions_are_findings_with_their_location(
    raw: dict[str, Any], message: str
) -> None:
    spec, findings = to_spec(raw, "tests[3].assert[1]", {})
    assert spec is None
    assert [f.location for f in findings] == ["tests[3].assert[1]"]
    assert message in findings[0].message


def test_an_assert_set_keeps_what_it_can_and_reports_the_rest() -> None:
    raw = {
        "type": "assert-set",
        "assert": [{"type": "python", "value": "True"}, {"type": "contains", "value": "a"}],
    }
    spec, findings = to_spec(raw, "tests[0].assert[2]", {})
    assert spec == {"type": "group", "assertions": [{"type": "contains", "value": "a"}]}
    assert [str(f) for f in findings] == [
        'tests[0].assert[2].assert[0]: type "python" is not supported'
    ]


def test_csv_expected_cells() -> None:
    assert parse_expected_cell("Paris") == {"type": "equals", "value": "Paris"}
    assert parse_expected_cell("icontains: rome") == {"type": "icontains", "value": "rome"}
    assert parse_expected_cell("not-contains:x") == {"type": "not-contains", "value": "x"}
    assert parse_expected_cell("similar(0.9): hi") == {
        "type": "similar",
        "value": "hi",
        "threshold": 0.9,
    }
    assert parse_expected_cell("contains-any: a,b") == {"type": "contains-any", "value": ["a", "b"]}
    assert parse_expected_cell("grade: polite") == {"type": "llm-rubric", "value": "polite"}
    assert parse_expected_cell("fn: output.length")["type"] == "javascript"
    assert parse_expected_cell("file://check.py")["type"] == "python"
    assert parse_expected_cell("Note: a label")["type"] == "equals"


@pytest.mark.parametrize(("raw", "spec"), SUPPORTED, ids=lambda v: str(v.get("type")))
def test_every_supported_type_maps_back(raw: dict[str, Any], spec: dict[str, Any]) -> None:
    back = to_promptfoo(
        AssertionSet.model_validate({"assertions": [spec]}).model_dump()["assertions"][0], None
    )
    again, findings = to_spec(back, "x", {})
    assert findings == []
    assert again == spec


def test_export_uses_javascript_where_promptfoo_has_no_flag() -> None:
    spec = {"type": "equals", "ignore_case": True, "strip": True, "first_line": True}
    found = to_promptfoo(spec, "Positive")
    assert found["type"] == "javascript"
    assert '"Positive"' in found["value"]
    assert "toLowerCase" in found["value"]
    negated = to_promptfoo({"type": "not", "assertion": spec}, "x")
    assert negated["value"].startswith("!(")
    length = to_promptfoo({"type": "length", "min_chars": 2, "max_chars": 9}, None)
    assert length["value"] == "((n) => n >= 2 && n <= 9)([...output].length)"


def test_export_refuses_what_promptfoo_cannot_express() -> None:
    with pytest.raises(Unsupported, match="no expected answer"):
        to_promptfoo({"type": "equals", "value": None}, None)
    with pytest.raises(Unsupported, match="mode=equals"):
        to_promptfoo({"type": "json_match", "mode": "subset", "value": "{}"}, None)


CONFIG = """
description: capitals
prompts:
  - "Capital of {{country}}? One word."
  - file://more.txt
defaultTest:
  assert:
    - type: not-contains
      value: sorry
tests:
  - vars: {country: [France, Spain]}
    assert:
      - {type: icontains, value: "{{country}}"}
  - description: japan
    vars: {country: Japan}
    assert:
      - {type: javascript, value: output.length > 0}
      - {type: equals, value: Tokyo}
  - file://cases.csv
"""


def test_a_config_becomes_prompts_items_and_per_case_scoring(tmp_path: Path) -> None:
    (tmp_path / "more.txt").write_text("Say {{country}}\n---\nName {{country}}'s capital.\n")
    (tmp_path / "cases.csv").write_text("country,__expected1,__prefix\nItaly,icontains: rome,x\n")
    plan = plan_import(read_suite(CONFIG, directory_reader(tmp_path)))
    assert [p.text for p in plan.prompts] == [
        "Capital of {{country}}? One word.",
        "Say {{country}}",
        "Name {{country}}'s capital.",
    ]
    assert [i.input["country"] for i in plan.items] == ["France", "Spain", "Japan", "Italy"]
    assert [i.name for i in plan.items] == [None, None, "japan", None]
    assert [str(f) for f in plan.findings] == [
        "cases.csv row 2.__prefix: CSV column is not supported",
        'tests[1].assert[0]: type "javascript" is not supported',
    ]
    scoring = AssertionSet.model_validate(plan.assertions)
    tools = ScoringTools()
    italy = plan.items[3].input
    assert scoring.score(CaseOutcome("Rome.", None, italy), tools).passed
    assert not scoring.score(CaseOutcome("sorry, Rome", None, italy), tools).passed
    assert not scoring.score(CaseOutcome("Rome", None, plan.items[0].input), tools).passed


def test_tests_that_differ_only_in_one_value_keep_it_as_expected() -> None:
    text = """
prompts: ["{{q}}"]
defaultTest:
  assert: [{type: icontains, value: "{{answer}}"}, {type: word-count, value: {max: 5}}]
tests:
  - vars: {q: "2+2?", answer: "4"}
  - vars: {q: "3+3?", answer: "6"}
"""
    plan = plan_import(read_suite(text, uploaded_reader({})))
    assert plan.assertions["assertions"][0] == {"type": "icontains"}
    assert [i.expected for i in plan.items] == ["4", "6"]
    assert CASE_VARIABLE not in plan.items[0].input


def test_file_references_outside_the_config_or_not_uploaded_are_findings(tmp_path: Path) -> None:
    text = 'prompts: ["file://../secret.txt", "hi {{x}}"]\ntests: file://t.jsonl\n'
    suite = read_suite(text, directory_reader(tmp_path))
    assert [f.location for f in suite.findings] == ["prompts[0]", "tests"]
    assert "outside the config's directory" in suite.findings[0].message
    uploaded = read_suite(text, uploaded_reader({"t.jsonl": '{"vars": {"x": 1}}\n'}))
    assert [t.vars for t in uploaded.tests] == [{"x": 1}]
    assert "was not uploaded" in uploaded.findings[0].message


def test_nunjucks_beyond_variables_and_unknown_keys_are_reported() -> None:
    text = (
        "prompts: ['{% if x %}a{% endif %} {{ x | upper }}']\n"
        "scenarios: []\ntests: [{vars: {x: 1}}]\n"
    )
    plan = plan_import(read_suite(text, uploaded_reader({})))
    assert [f.location for f in plan.findings] == ["scenarios", "prompts[0]"]
    assert plan.assertions == {
        "assertions": [{"type": "length", "min_chars": 0}],
        "pass_threshold": 1.0,
    }


def test_export_writes_tests_and_lists_what_it_cannot_express() -> None:
    scoring = Scoring(
        assertions=AssertionSet.model_validate(
            {
                "assertions": [
                    {"type": "equals", "ignore_case": True},
                    {"type": "json_match", "mode": "subset", "value": "{}"},
                ],
                "pass_threshold": 0.5,
            }
        )
    )
    exported = build_config(
        prompt_name="p",
        content="Classify: {{text}}",
        dataset_name="d",
        cases=[ExportCase("case-0001", {"text": "great"}, "positive")],
        scoring=scoring,
        server="http://127.0.0.1:9/",
        model="local/gemma-3-270m",
    )
    provider = exported.config["providers"][0]
    assert provider["id"] == "openai:chat:local/gemma-3-270m"
    assert provider["config"]["apiBaseUrl"] == "http://127.0.0.1:9/v1"
    [test] = exported.config["tests"]
    assert test["vars"] == {"text": "great"}
    assert test["threshold"] == 0.5
    assert [a["type"] for a in test["assert"]] == ["javascript"]
    assert [f.location for f in exported.findings] == ["item 'case-0001' assertions[1]"]
    assert "prompts:" in exported.yaml()


@pytest.mark.parametrize(
    "module",
    ["autoforge.promptfoo.assertions", "autoforge.promptfoo.config", "autoforge.promptfoo.plan"],
)
def test_the_mapping_is_pure(module: str) -> None:
    frameworks = {"sqlalchemy", "fastapi", "starlette", "litellm", "alembic"}
    probe = f"import sys, {module}\nprint(sorted({{m.split('.')[0] for m in sys.modules}}))"
    done = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    assert not frameworks & set(ast.literal_eval(done.stdout))


def test_var_expansion_can_be_switched_off_and_other_options_are_reported() -> None:
    text = """
prompts: ["{{tags}}"]
tests:
  - vars: {tags: [a, b]}
    options: {disableVarExpansion: true, provider: x}
  - vars: {tags: [c, d]}
"""
    suite = read_suite(text, uploaded_reader({}))
    assert [t.vars["tags"] for t in suite.tests] == [["a", "b"], "c", "d"]
    assert [str(f) for f in suite.findings] == ["tests[0].options.provider: is not supported"]


def test_export_keeps_a_list_value_as_one_value() -> None:
    scoring = Scoring(
        assertions=AssertionSet.model_validate({"assertions": [{"type": "contains"}]})
    )
    exported = build_config(
        prompt_name="p",
        content="Tags: {{tags}}",
        dataset_name="d",
        cases=[ExportCase("one", {"tags": ["a", "b"]}, "a"), ExportCase("two", {"tags": "c"}, "c")],
        scoring=scoring,
        server="http://x",
        model="m",
    )
    first, second = exported.config["tests"]
    assert first["options"] == {"disableVarExpansion": True}
    assert "options" not in second


def test_malformed_parts_become_findings_not_errors() -> None:
    text = """
prompts: [{raw: "hi {{a}}", label: 5}]
defaultTest: {vars: [1]}
tests:
  - {vars: x}
  - description: 5
    metadata: 3
    vars: {a: 1}
    assert:
      - {type: levenshtein, value: x, threshold: abc}
      - {type: similar, value: x, threshold: 7}
      - {type: word-count, value: {min: a}}
      - {type: assert-set, assert: x}
      - {type: assert-set, threshold: 9, assert: [{type: contains, value: a}]}
      - {type: contains, value: a, weight: true}
      - {type: latency, threshold: -1}
"""
    plan = plan_import(read_suite(text, uploaded_reader({})))
    assert [f.location for f in plan.findings] == [
        "defaultTest.vars",
        "tests[0].vars",
        "tests[1].description",
        "tests[1].metadata",
        *(f"tests[1].assert[{i}]" for i in range(7)),
    ]
    assert plan.prompts[0].label == "5"
    assert "threshold: Input should be less than or equal to 1" in plan.findings[5].message
    AssertionSet.model_validate(plan.assertions)


@pytest.mark.parametrize(
    "text",
    [
        "a: &a [*a]",
        "\n".join(
            ["a0: &a0 [x, x]"] + [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, 20)]
        ),
        "prompts: [hi]\ntests: [{vars: {x: !!binary aGVsbG8=}}]",
        "prompts: [hi]\ntests: [{vars: {x: .nan}}]",
    ],
)
def test_yaml_that_is_no_json_or_explodes_is_refused(text: str) -> None:
    with pytest.raises(ConfigError):
        read_suite(text, uploaded_reader({}))


def test_yaml_reads_as_promptfoo_does() -> None:
    suite = read_suite(
        "prompts: [hi]\ntests: [{vars: {a: yes, d: 2024-01-01}}]", uploaded_reader({})
    )
    assert suite.tests[0].vars == {"a": "yes", "d": "2024-01-01"}
