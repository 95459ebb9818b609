"""Requirements extracted by a model: the question asked, and its answer turned into
`Requirement`s located in the prompt text. Pure: the caller makes the call."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from autoforge.diffoscope.extract import KINDS, Kind, Requirement, numbered

_INSTRUCTIONS = """List every explicit requirement the prompt below places on the answer.
Reply with a JSON list only, one object per requirement:
{"kind": K, "quote": the exact words of the prompt that state it, "description": short text,
 plus, by kind: "bound" ("at_most"|"at_least"|"exactly") and "count" (item_count,
 sentence_count); "limit" (max_words, max_chars); "language"; "tone"; "phrase"
 (must_include, must_avoid); "words" (vocabulary: the allowed answers)}.
K is one of: json, list, item_count, sentence_count, max_words, max_chars, language, tone,
must_include, must_avoid, vocabulary, other.

PROMPT:
"""
_PARAMS: dict[str, tuple[str, ...]] = {
    "item_count": ("bound", "count"),
    "sentence_count": ("bound", "count"),
    "max_words": ("limit",),
    "max_chars": ("limit",),
    "language": ("language",),
    "tone": ("tone",),
    "must_include": ("phrase",),
    "must_avoid": ("phrase",),
    "vocabulary": ("words",),
}
_BOUNDS = ("at_most", "at_least", "exactly")


def extraction_messages(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": _INSTRUCTIONS + text}]


def _json_list(reply: str) -> list[Any]:
    """The first JSON list in the reply (models wrap it in prose or a code fence)."""
    start, end = reply.find("["), reply.rfind("]")
    if start < 0 or end < start:
        return []
    try:
        parsed = json.loads(reply[start : end + 1])
    except ValueError:
        return []
    return parsed if isinstance(parsed, list) else []


def _params(kind: str, item: dict[str, Any]) -> dict[str, Any] | None:
    """The check's parameters, normalised; None when the model gave unusable ones."""
    params: dict[str, Any] = {name: item.get(name) for name in _PARAMS.get(kind, ())}
    if "count" in params or "limit" in params:
        number = params.get("count", params.get("limit"))
        if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
            return None
    if "bound" in params and params["bound"] not in _BOUNDS:
        params["bound"] = "at_most"
    for name in ("language", "tone", "phrase"):
        if name in params:
            if not isinstance(params[name], str) or not params[name].strip():
                return None
            params[name] = params[name].strip()
    if "language" in params:
        params["language"] = params["language"].capitalize()
    if "tone" in params:
        params["tone"] = params["tone"].lower()
    if "words" in params:
        allowed = params["words"]
        if not isinstance(allowed, list) or not all(isinstance(w, str) for w in allowed):
            return None
        params["words"] = [w.strip().lower() for w in allowed if w.strip()]
    return params


def _located(item: Any, text: str) -> Requirement | None:
    if not isinstance(item, dict):
        return None
    quote = item.get("quote")
    if not isinstance(quote, str) or not quote.strip():
        return None
    found = re.search(re.escape(quote.strip()), text, re.IGNORECASE)
    if found is None:  # a quote not in the prompt: the model made it up
        return None
    kind = item.get("kind") if item.get("kind") in KINDS else "other"
    params = _params(str(kind), item)
    if params is None:
        kind, params = "other", {}
    description = item.get("description")
    if not isinstance(description, str) or not description.strip():
        description = quote.strip()
    chosen: Kind = kind  # type: ignore[assignment]
    return Requirement(chosen, description.strip()[:200], found.start(), found.end(), "llm", params)


def parse_llm_requirements(reply: str, text: str) -> list[Requirement]:
    """The model's requirements whose quote is found in `text`; the rest are dropped."""
    located = (_located(item, text) for item in _json_list(reply))
    return [r for r in located if r is not None]


def merge(rules: Sequence[Requirement], llm: Sequence[Requirement]) -> list[Requirement]:
    """The rules' requirements plus the model's that say something new: one of the same
    kind over an overlapping span, or with the same parameters, is the same requirement."""
    kept = list(rules)
    for candidate in llm:
        same = any(
            r.kind == candidate.kind
            and (
                r.params == candidate.params
                or (r.start < candidate.end and candidate.start < r.end)
            )
            for r in kept
        )
        if not same:
            kept.append(candidate)
    return numbered(sorted(kept, key=lambda r: (r.start, r.end)))
