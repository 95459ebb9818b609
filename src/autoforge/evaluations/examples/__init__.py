"""Example datasets shipped with the package, and a starting setup for each (see README.md).

They are written for the embedded base model (Gemma 3 270M): short inputs, and few-shot
templates whose answer fits on one line, so generation stops at the first newline.
"""

from __future__ import annotations

import importlib.resources
import json
from dataclasses import dataclass
from typing import Any

from autoforge.errors import NotFoundError
from autoforge.evaluations.assertions import AssertionSet

EXAMPLE_NAMES = ("sentiment", "extraction", "arithmetic")


def load_example(name: str) -> list[dict[str, Any]]:
    """The items of a shipped dataset: dicts with name, input, expected and metadata."""
    if name not in EXAMPLE_NAMES:
        raise NotFoundError(f"no example dataset {name!r}; choose from {', '.join(EXAMPLE_NAMES)}")
    text = importlib.resources.files(__name__).joinpath(f"{name}.jsonl").read_text("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@dataclass(frozen=True)
class ExampleSetup:
    """A prompt template, assertions and generation parameters that suit a dataset."""

    template: str
    assertions: AssertionSet
    # One-line answers stop at the newline, or a base model goes on writing more examples.
    generation: dict[str, Any]
    explanation: str = ""


_SENTIMENT_TEMPLATE = """Review: The screen cracked after one day.
Sentiment: negative

Review: Lovely film, I smiled the whole time.
Sentiment: positive

Review: {{text}}
Sentiment:"""

_EXTRACTION_TEMPLATE = """Sentence: Nora lives in Oslo.
JSON: {"name": "Nora", "city": "Oslo"}

Sentence: Paul is 40 years old.
JSON: {"name": "Paul", "age": 40}

Sentence: Irene, 31, works in Milan.
JSON: {"name": "Irene", "city": "Milan", "age": 31}

Sentence: {{text}}
JSON:"""

_ARITHMETIC_TEMPLATE = """Q: What is 1 + 6?
A: 7

Q: What is 10 - 6?
A: 4

Q: What is 5 * 6?
A: 30

Q: {{text}}
A:"""

_PERSON_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "city": {"type": "string", "minLength": 1},
        "age": {"type": "integer", "minimum": 0},
    },
    "required": ["name"],
    "additionalProperties": False,
}

_SETUPS = {
    # The label must be right (weight 3); a well-formed wrong label still earns 0.25.
    "sentiment": ExampleSetup(
        _SENTIMENT_TEMPLATE,
        AssertionSet.model_validate(
            {
                "assertions": [
                    {"type": "equals", "ignore_case": True, "strip": True, "weight": 3},
                    {
                        "type": "regex",
                        "pattern": r"^\s*(positive|negative)\s*$",
                        "ignore_case": True,
                    },
                ],
                "pass_threshold": 0.75,
            }
        ),
        {"temperature": 0.0, "stop": ["\n"], "max_tokens": 4},
        "the label must equal the expected one (weight 3); a well-formed wrong label earns "
        "0.25; answers stop at a newline, at most 4 tokens",
    ),
    "extraction": ExampleSetup(
        _EXTRACTION_TEMPLATE,
        AssertionSet.model_validate(
            {
                "assertions": [
                    {"type": "is_json", "extract": True},
                    {"type": "json_schema", "json_schema": _PERSON_SCHEMA, "extract": True},
                    {"type": "json_match", "mode": "equals", "extract": True, "weight": 2},
                ],
            }
        ),
        {"temperature": 0.0, "stop": ["\n"], "max_tokens": 48},
        "the output must be JSON, match the person schema, and equal the expected JSON "
        "(weight 2); answers stop at a newline, at most 48 tokens",
    ),
    "arithmetic": ExampleSetup(
        _ARITHMETIC_TEMPLATE,
        AssertionSet.model_validate(
            {
                "assertions": [
                    {"type": "equals", "strip": True, "weight": 3},
                    {"type": "regex", "pattern": r"^\s*-?\d+\s*$"},
                ],
                "pass_threshold": 0.75,
            }
        ),
        {"temperature": 0.0, "stop": ["\n"], "max_tokens": 8},
        "the number must equal the expected one (weight 3) and be a bare integer; answers "
        "stop at a newline, at most 8 tokens",
    ),
}


def example_setup(name: str) -> ExampleSetup:
    """The suggested template, assertions and generation parameters for a shipped dataset."""
    if name not in _SETUPS:
        raise NotFoundError(f"no example dataset {name!r}; choose from {', '.join(EXAMPLE_NAMES)}")
    return _SETUPS[name]
