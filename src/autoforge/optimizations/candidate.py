"""A prompt under optimization, held as parts (instruction, demonstrations, query, cue).

Holding parts instead of one text is what lets operators that need no capable model add a
demonstration or change the answer cue, and still render a `{{variable}}` template that an
evaluation of the same dataset accepts. Pure: no framework, no model.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from autoforge.errors import ValidationFailed
from autoforge.evaluations.domain import render_case
from autoforge.templates.domain import VARIABLE, variables_in

DEFAULT_SEPARATOR = "\n\n"
# A query line that is only an optional label and one variable ("Text: {{text}}"): the
# only shape whose label can be reworded without knowing what the surrounding text means.
_LABELLED_LINE = re.compile(r"^(?P<label>(?:[^{}\n:]{1,30}:)?)\s*(?P<var>\{\{\s*\w+\s*\}\})$")


@dataclass(frozen=True, slots=True)
class Lineage:
    """Which candidates a candidate was made from, and by which operators, in order."""

    parents: tuple[str, ...] = ()
    operators: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Demonstration:
    """One solved example drawn from the trainset: its input variables and expected output."""

    source: str  # the trainset case's name: proves where the example came from
    inputs: tuple[tuple[str, str], ...]
    output: str

    @property
    def label(self) -> str:
        return self.output


@dataclass(frozen=True, slots=True)
class Candidate:
    """A prompt template as parts; `render()` joins them into the template text.

    Rendered layout (blocks joined by `separator`):
        instruction
        <query filled with a demonstration's inputs><answer_prefix> <its output>   (each)
        <query><answer_prefix>

    `answer_prefix` is everything after the last variable: usually a newline and an
    output cue such as "\\nAnswer:". Two candidates are equal when their parts are;
    `lineage` is history, not identity.
    """

    query: str
    answer_prefix: str = ""
    instruction: str = ""
    demonstrations: tuple[Demonstration, ...] = ()
    separator: str = DEFAULT_SEPARATOR
    lineage: Lineage = field(default=Lineage(), compare=False)

    def __post_init__(self) -> None:
        if not variables_in(self.query):
            raise ValidationFailed("a candidate's query must contain a {{variable}}")

    @classmethod
    def from_template(cls, template: str) -> Candidate:
        """Splits a template so that `render()` gives it back exactly.

        The query runs from the start of the first line holding a variable to the end of
        the last variable; the text before is the instruction (its trailing whitespace is
        the separator), the text after is the answer prefix. A few-shot template's
        examples therefore land in the instruction: still valid, just opaque.
        """
        matches = list(VARIABLE.finditer(template))
        if not matches:
            raise ValidationFailed("the template has no {{variable}} to fill from the dataset")
        start = template.rfind("\n", 0, matches[0].start()) + 1
        end = matches[-1].end()
        head = template[:start]
        instruction = head.rstrip()
        separator = head[len(instruction) :] if instruction else DEFAULT_SEPARATOR
        return cls(
            query=template[start:end],
            answer_prefix=template[end:],
            instruction=instruction,
            separator=separator,
        )

    @property
    def id(self) -> str:
        """Content address: the same prompt gets the same id in every run."""
        return hashlib.sha256(self.render().encode()).hexdigest()[:12]

    @property
    def variables(self) -> list[str]:
        return variables_in(self.query)

    @property
    def input_label(self) -> str | None:
        """The label in front of the variable when the query is one labelled line."""
        match = _LABELLED_LINE.match(self.query)
        return match.group("label").strip() if match else None

    @property
    def output_cue(self) -> str | None:
        """The cue on the line after the input ("Answer:"), when the prefix has that shape."""
        if self.answer_prefix.strip() == "":
            return ""
        if self.answer_prefix.startswith("\n") and "\n" not in self.answer_prefix[1:]:
            return self.answer_prefix[1:].strip()
        return None

    def with_input_label(self, label: str) -> Candidate:
        match = _LABELLED_LINE.match(self.query)
        if match is None:
            raise ValidationFailed("the query is not a single labelled line")
        prefix = f"{label} " if label else ""
        return replace(self, query=prefix + match.group("var"))

    def with_output_cue(self, cue: str) -> Candidate:
        return replace(self, answer_prefix=f"\n{cue}" if cue else "\n")

    def render(self) -> str:
        blocks = [self.instruction] if self.instruction else []
        blocks.extend(self._example(demo) for demo in self.demonstrations)
        blocks.append(self.query + self.answer_prefix)
        return self.separator.join(blocks)

    def _example(self, demo: Demonstration) -> str:
        filled = render_case(self.query, dict(demo.inputs))
        # "Answer:" wants a space before the answer; a prefix ending in a newline does not.
        joiner = "" if not self.answer_prefix or self.answer_prefix[-1].isspace() else " "
        return f"{filled}{self.answer_prefix}{joiner}{demo.output}"


def demonstration_from(name: str, inputs: Mapping[str, Any], expected: str) -> Demonstration:
    """A demonstration from a trainset case; values are rendered the way templates render."""
    pairs = tuple(
        (key, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
        for key, value in sorted(inputs.items())
    )
    return Demonstration(source=name, inputs=pairs, output=expected)
