"""The LLM-as-judge text contract: the prompt a judge model gets, and a parser for its answer.

Judge models, small ones above all, rarely answer in exactly the format asked for, so the
parser accepts the shapes seen in practice: a JSON object, "Score: 4/5", "4 out of 5",
"80%", or an answer that starts with a number.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from autoforge.evaluations.assertions.base import Judgement
from autoforge.evaluations.assertions.structured import parse_json_output

JUDGE_SCALE = 5  # judge_prompt asks for an integer from 1 to JUDGE_SCALE

_NUMBER = r"(\d+(?:\.\d+)?)"
_LABELLED = re.compile(
    rf"\b(?:score|rating|grade)\b\s*(?:of|is|:|=)?\s*{_NUMBER}(?:\s*(?:/|out of)\s*{_NUMBER})?",
    re.IGNORECASE,
)
_FRACTION = re.compile(rf"{_NUMBER}\s*(?:/|out of)\s*{_NUMBER}", re.IGNORECASE)
_PERCENT = re.compile(rf"{_NUMBER}\s*%")
_LEADING = re.compile(rf"^\s*{_NUMBER}(?![\d.])")
_UNSUPPORTED = re.compile(
    r"\b(?:unsupported|hallucinat\w*)\b\s*[:=]\s*(yes|no|true|false)\b", re.IGNORECASE
)
_SCORE_KEYS = ("score", "rating", "grade")
_REASON_KEYS = ("reason", "explanation", "rationale")
_UNSUPPORTED_KEYS = ("unsupported", "hallucination", "hallucinated")
_REASON_LIMIT = 500


class JudgeParseError(ValueError):
    """The judge's answer holds no score this parser can read."""


def judge_prompt(rubric: str, inputs: Mapping[str, Any], output: str, expected: str | None) -> str:
    """The instructions for a judge model; its answer is read back by `parse_judgement`."""
    reference = f"\nReference answer:\n{expected}\n" if expected is not None else ""
    return (
        "You grade the output of an AI system against a rubric.\n"
        f"Rubric:\n{rubric}\n\n"
        f"Input given to the system:\n{json.dumps(dict(inputs), ensure_ascii=False)}\n"
        f"{reference}\n"
        f"Output to grade:\n{output}\n\n"
        f"Answer with one JSON object and nothing else: "
        f'{{"score": <integer 1-{JUDGE_SCALE}>, "reason": "<one sentence>", '
        '"unsupported": <true if the output states facts not supported by the input or '
        "reference, else false>}"
    )


def parse_judgement(text: str, *, scale: float = JUDGE_SCALE) -> Judgement:
    """Reads a judge model's answer into a 0..1 score, a reason and an unsupported flag.

    `scale` is the top of the scale the judge was asked to use. Tried in order:
    a JSON object with a "score" (or "rating"/"grade") key; a labelled score ("Score: 4",
    "rating of 4/5", the last one if several); a fraction ("4/5", "4 out of 5"); a
    percentage; a number starting the answer. A fraction or percentage is exact; a bare
    number strictly between 0 and 1 is taken as already on 0..1, any other bare number is
    divided by `scale` (so "Score: 1" on a 1-5 scale is 0.2, never a perfect 1).
    Raises JudgeParseError when nothing fits or the number is off the scale.
    """
    parsed = _from_json(text, scale)
    if parsed is not None:
        return parsed
    score = _score_in_text(text, scale)
    return Judgement(score, _clip(text.strip()), _unsupported_in_text(text))


def _from_json(text: str, scale: float) -> Judgement | None:
    try:
        data = parse_json_output(text, extract=True)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    raw = next((data[k] for k in _SCORE_KEYS if k in data), None)
    if raw is None or isinstance(raw, bool):
        return None
    score = _unit(float(raw), None, scale) if isinstance(raw, int | float) else None
    if score is None:
        score = _score_in_text(str(raw), scale)
    reason = next((str(data[k]) for k in _REASON_KEYS if k in data), text.strip())
    flag = next((data[k] for k in _UNSUPPORTED_KEYS if k in data), None)
    unsupported = _truthy(flag) if flag is not None else _unsupported_in_text(text)
    return Judgement(score, _clip(reason), unsupported)


def _score_in_text(text: str, scale: float) -> float:
    labelled = list(_LABELLED.finditer(text))
    if labelled:
        return _from_match(labelled[-1], scale)
    fractions = list(_FRACTION.finditer(text))
    if fractions:
        return _from_match(fractions[-1], scale)
    percent = _PERCENT.search(text)
    if percent is not None:
        return _unit(float(percent.group(1)), 100.0, scale)
    leading = _LEADING.match(text)
    if leading is not None:
        return _unit(float(leading.group(1)), None, scale)
    raise JudgeParseError(f"no score found in judge answer {text[:80]!r}")


def _from_match(match: re.Match[str], scale: float) -> float:
    denominator = match.group(2)
    return _unit(float(match.group(1)), float(denominator) if denominator else None, scale)


def _unit(number: float, denominator: float | None, scale: float) -> float:
    if denominator is not None:
        top = denominator
    elif 0.0 < number < 1.0:
        return number
    else:
        top = scale
    if top <= 0 or not 0.0 <= number <= top:
        raise JudgeParseError(f"score {number:g} is off the 0-{top:g} scale")
    return number / top


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"yes", "true", "1"}
    return bool(value)


def _unsupported_in_text(text: str) -> bool | None:
    match = _UNSUPPORTED.search(text)
    return None if match is None else match.group(1).lower() in {"yes", "true"}


def _clip(reason: str) -> str:
    return reason if len(reason) <= _REASON_LIMIT else reason[: _REASON_LIMIT - 3] + "..."
