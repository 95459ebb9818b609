"""The explicit requirements of a prompt's text, each with the span of text it came from.

Pure: deterministic extractors (regular expressions over the prompt text) and the parsing
of a model's extraction (`llm_extraction_prompt`, `parse_llm_requirements`). Nothing here
calls a model or touches a database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Literal

Kind = Literal[
    "json",
    "list",
    "item_count",
    "sentence_count",
    "max_words",
    "max_chars",
    "language",
    "tone",
    "must_include",
    "must_avoid",
    "vocabulary",
    "other",
]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]
Bound = Literal["at_most", "at_least", "exactly"]


@dataclass(frozen=True)
class Requirement:
    """One thing the prompt asks of every answer; `start`/`end` index the prompt text."""

    kind: Kind
    description: str
    start: int
    end: int
    source: Literal["rules", "llm"] = "rules"
    # What the check needs: {"bound", "count"}, {"limit"}, {"language"}, {"tone"},
    # {"phrase"} or {"words"}.
    params: dict[str, Any] = field(default_factory=dict)
    id: str = ""


LANGUAGES = ("English", "French", "German", "Spanish", "Italian", "Portuguese", "Dutch")
TONES = (
    "formal",
    "informal",
    "casual",
    "friendly",
    "polite",
    "professional",
    "neutral",
    "concise",
    "empathetic",
    "enthusiastic",
    "cheerful",
    "serious",
    "respectful",
    "warm",
)
_NUMBERS = {
    "a single": 1,
    "single": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_NUMBER = r"(?P<n>\d{1,4}|a single|single|one|two|three|four|five|six|seven|eight|nine|ten)"
_AT_MOST = r"at most|no more than|not more than|up to|maximum of|a maximum of|max\.?|under|fewer than|less than|within|not exceeding"  # noqa: E501
_AT_LEAST = r"at least|a minimum of|minimum of|no fewer than|no less than"
_BOUND = rf"(?:(?P<most>{_AT_MOST})|(?P<least>{_AT_LEAST})|(?P<exact>exactly|only))\s+"
_FLAGS = re.IGNORECASE

# "JSON" alone is often what the prompt hands over ("the JSON below"): only a phrase that
# asks for it as the answer's format counts.
_JSON = re.compile(
    r"\b(?:(?:in|as|with|be|return|output|respond in|formatted as)\s+"
    r"(?:a\s+|an\s+)?(?:valid\s+)?JSON\b(?:\s+(?:object|array|format|only))?"
    r"|valid\s+JSON\b|JSON\s+(?:only|format)\b)",
    _FLAGS,
)
_NEGATION = re.compile(r"\b(?:not|never|no|don't|do not|without|avoid)\b", _FLAGS)
_LIST = re.compile(
    r"\b(?:(?:as|in|use|write|give)\s+(?:a\s+)?)?(?:bullet(?:ed)?(?:\s+point)?|numbered)\s+(?:list|points)\b"
    r"|\b(?:as|in)\s+a\s+list\b",
    _FLAGS,
)
_SENTENCES = re.compile(
    rf"(?:{_BOUND})?{_NUMBER}(?:-|\s+)sentences?\b(?:\s+or\s+(?P<or>fewer|less|more))?",
    _FLAGS,
)
_ITEMS = re.compile(
    rf"(?:{_BOUND})?{_NUMBER}\s+(?:bullet\s+points|bullets|items|points|examples|options|ideas|reasons|steps|tips)\b",
    _FLAGS,
)
_LENGTH = re.compile(
    rf"(?:(?P<most>{_AT_MOST})\s+(?P<n>\d{{1,5}})\s+(?P<unit>words|characters|chars)\b)"
    rf"|(?:(?P<n2>\d{{1,5}})\s+(?P<unit2>words|characters|chars)\s+or\s+(?:fewer|less)\b)",
    _FLAGS,
)
_LANGUAGE = re.compile(rf"\b(?:in|into)\s+(?P<language>{'|'.join(LANGUAGES)})\b", _FLAGS)
_TONE_WORD = "|".join(TONES)
_TONE = re.compile(
    r"\b(?:be|sound|stay|remain|keep it|in an?|use an?|with an?)\s+(?:\w+\s+)?"
    rf"(?P<tone>{_TONE_WORD})\b"
    rf"|\b(?P<tone2>{_TONE_WORD})\s+(?:tone|style|voice|manner|register)\b",
    _FLAGS,
)
# Straight and typographic quotation marks, written as escapes (they look alike).
_OPENING = "\"'\u201c\u2018"
_CLOSING = "\"'\u201d\u2019"
_QUOTES = _OPENING + _CLOSING
_QUOTED = rf"(?P<quoted>[{_OPENING}](?P<phrase>[^{_CLOSING}\n]{{1,80}})[{_CLOSING}])"
_FIRST_QUOTED = re.compile(rf"[ \t:]*{_QUOTED}")
_NEXT_QUOTED = re.compile(rf"\s*,?\s*(?:(?:or|and|nor)\s+)?{_QUOTED}", _FLAGS)
_TERMS = r"(?:(?:the\s+)?(?:exact\s+)?(?:words?|phrases?|terms?|expressions?)\s+)?"
_INCLUDE = re.compile(
    r"\b(?:must|should|always|be sure to|make sure to|remember to)\s+"
    rf"(?:include|mention|contain|use|say|end with|start with|begin with)\s+{_TERMS}",
    _FLAGS,
)
_AVOID = re.compile(
    r"\b(?:do not|don't|never|must not|should not|avoid|without)\s+"
    r"(?:use|using|mention|mentioning|include|including|say|saying|write|writing)?\s*"
    rf"{_TERMS}",
    _FLAGS,
)
_VOCAB_ITEM = rf"[{_OPENING}]?[A-Za-z][\w-]*[{_CLOSING}]?"
_VOCABULARY = re.compile(
    r"\b(?:answer|respond|reply|output|return|classify\s+\w+(?:\s+\w+)?\s+as|label\s+\w+(?:\s+\w+)?\s+as)\s+"
    r"(?:only\s+)?(?:with\s+)?(?:only\s+)?(?:(?:exactly\s+)?one\s+of(?:\s+the\s+following)?:?\s*|either\s+)?"
    rf"(?P<words>{_VOCAB_ITEM}(?:\s*,\s*{_VOCAB_ITEM})*,?\s+or\s+{_VOCAB_ITEM})"
    rf"|\bone\s+of(?:\s+the\s+following)?:?\s*(?P<listed>{_VOCAB_ITEM}(?:\s*,\s*{_VOCAB_ITEM})+)",
    _FLAGS,
)
# Words an "X or Y" list after "answer" may hold that are not answers ("answer briefly or
# not at all", "respond in 2 sentences or fewer").
_NOT_ANSWERS = {"fewer", "less", "more", "not", "briefly", "sentences", "words", "in", "the", "a"}


def prompt_text(kind: str, content: str) -> str:
    """The text requirements are found in: a text version's content, or a chat version's
    messages, each under its role."""
    if kind != "chat":
        return content
    try:
        messages = json.loads(content)
    except ValueError:
        return content
    if not isinstance(messages, list):
        return content
    parts = [
        f"[{m.get('role', 'user')}]\n{m.get('content', '')}"
        for m in messages
        if isinstance(m, dict)
    ]
    return "\n\n".join(parts)


def _number(text: str) -> int:
    return int(text) if text.isdigit() else _NUMBERS[text.lower()]


def _bound(match: re.Match[str], default: Bound) -> Bound:
    groups = match.groupdict()
    if groups.get("most") or groups.get("or") in ("fewer", "less"):
        return "at_most"
    if groups.get("least") or groups.get("or") == "more":
        return "at_least"
    if groups.get("exact"):
        return "exactly"
    return default


_BOUND_WORDS = {"at_most": "at most", "at_least": "at least", "exactly": "exactly"}


def _negated(text: str, start: int) -> bool:
    """Whether the clause before `start` says not to ("never answer in French")."""
    clause = re.split(r"[.;:!?\n]", text[max(0, start - 40) : start])[-1]
    return _NEGATION.search(clause) is not None


def _json(text: str) -> Iterator[Requirement]:
    for m in _JSON.finditer(text):
        if not _negated(text, m.start()):
            yield Requirement("json", "the answer is valid JSON", m.start(), m.end())


def _list(text: str) -> Iterator[Requirement]:
    for m in _LIST.finditer(text):
        if not _negated(text, m.start()):
            yield Requirement("list", "the answer is a list", m.start(), m.end())


def _counted(pattern: re.Pattern[str], kind: Kind, noun: str, text: str) -> Iterator[Requirement]:
    for m in pattern.finditer(text):
        count = _number(m.group("n"))
        if count == 0:
            continue
        bound = _bound(m, "exactly")
        description = f"{_BOUND_WORDS[bound]} {count} {noun}{'' if count == 1 else 's'}"
        params = {"bound": bound, "count": count}
        yield Requirement(kind, description, m.start(), m.end(), params=params)


def _sentences(text: str) -> Iterator[Requirement]:
    return _counted(_SENTENCES, "sentence_count", "sentence", text)


def _items(text: str) -> Iterator[Requirement]:
    return _counted(_ITEMS, "item_count", "item", text)


def _length(text: str) -> Iterator[Requirement]:
    for m in _LENGTH.finditer(text):
        limit = int(m.group("n") or m.group("n2"))
        unit = (m.group("unit") or m.group("unit2")).lower()
        kind: Kind = "max_words" if unit == "words" else "max_chars"
        noun = "words" if kind == "max_words" else "characters"
        yield Requirement(
            kind, f"at most {limit} {noun}", m.start(), m.end(), params={"limit": limit}
        )


def _language(text: str) -> Iterator[Requirement]:
    for m in _LANGUAGE.finditer(text):
        if _negated(text, m.start()):
            continue
        language = m.group("language").capitalize()
        yield Requirement(
            "language",
            f"the answer is in {language}",
            m.start(),
            m.end(),
            params={"language": language},
        )


def _tone(text: str) -> Iterator[Requirement]:
    for m in _TONE.finditer(text):
        if _negated(text, m.start()):
            continue
        tone = (m.group("tone") or m.group("tone2")).lower()
        yield Requirement("tone", f"a {tone} tone", m.start(), m.end(), params={"tone": tone})


def _phrases(pattern: re.Pattern[str], kind: Kind, verb: str, text: str) -> Iterator[Requirement]:
    """The quoted phrases right after an instruction ("never say "guarantee" or "promise"")."""
    for m in pattern.finditer(text):
        position, separator = m.end(), _FIRST_QUOTED
        while (q := separator.match(text, position)) is not None:
            phrase = q.group("phrase").strip()
            if phrase:
                yield Requirement(
                    kind,
                    f'{verb} "{phrase}"',
                    q.start("quoted"),
                    q.end("quoted"),
                    params={"phrase": phrase},
                )
            position, separator = q.end(), _NEXT_QUOTED


def _include(text: str) -> Iterator[Requirement]:
    return _phrases(_INCLUDE, "must_include", "includes", text)


def _avoid(text: str) -> Iterator[Requirement]:
    return _phrases(_AVOID, "must_avoid", "never says", text)


def _vocabulary(text: str) -> Iterator[Requirement]:
    for m in _VOCABULARY.finditer(text):
        group = "words" if m.group("words") else "listed"
        items = re.split(r"\s*,\s*(?:or\s+)?|\s+or\s+", m.group(group))
        words = [w.strip(_QUOTES).lower() for w in items if w.strip(_QUOTES)]
        if len(words) < 2 or _NOT_ANSWERS & set(words) or any(w.isdigit() for w in words):
            continue
        yield Requirement(
            "vocabulary",
            f"the answer is one of: {', '.join(words)}",
            m.start(group),
            m.end(group),
            params={"words": words},
        )


EXTRACTORS: tuple[Callable[[str], Iterator[Requirement]], ...] = (
    _json,
    _list,
    _items,
    _sentences,
    _length,
    _language,
    _tone,
    _include,
    _avoid,
    _vocabulary,
)


def extract_requirements(text: str) -> list[Requirement]:
    """Every requirement the deterministic extractors find, in the order of the text, with
    duplicates (the same kind and parameters) kept once, at their first mention."""
    found = [r for extractor in EXTRACTORS for r in extractor(text)]
    return numbered(_first_mentions(sorted(found, key=lambda r: (r.start, r.end))))


def _first_mentions(requirements: list[Requirement]) -> list[Requirement]:
    seen: set[tuple[str, str]] = set()
    kept = []
    for requirement in requirements:
        key = (requirement.kind, json.dumps(requirement.params, sort_keys=True))
        if key not in seen:
            seen.add(key)
            kept.append(requirement)
    return kept


def numbered(requirements: list[Requirement]) -> list[Requirement]:
    return [replace(r, id=f"r{i}") for i, r in enumerate(requirements, start=1)]
