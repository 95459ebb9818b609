"""Each requirement checked against each output: satisfied, violated (and why), or not
checkable for that output. Pure."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from autoforge.diffoscope.extract import Requirement

# Why an output breaks a requirement; None when it satisfies it. `NOT_CHECKED`: the check
# has nothing to say about this output (too short to tell its language, an unknown tone).
Verdict = str | None
NOT_CHECKED = "\0not checked"

_FENCE = re.compile(r"^```[\w-]*\s*\n?(?P<body>.*?)\n?```$", re.DOTALL)
_BULLET = re.compile(r"^\s*(?:[-*•+]|\d{1,3}[.)])\s+\S", re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=\S)")
_CONTRACTION = re.compile(r"\b\w+(?:n't|'re|'m|'ll|'ve|'d)\b", re.IGNORECASE)
_SLANG = re.compile(r"\b(?:lol|gonna|wanna|hey|yeah|yep|nope|dude|cool|awesome|omg)\b", re.I)
_RUDE = re.compile(r"\b(?:stupid|idiot|dumb|shut up|whatever|ridiculous|nonsense)\b", re.I)
_WARM = re.compile(
    r"\b(?:thank|thanks|please|glad|happy|sorry|appreciate|welcome|hope|understand)\b", re.I
)
_EXCITED = re.compile(r"!|\b(?:great|wonderful|amazing|fantastic|love|excited|delighted)\b", re.I)
CONCISE_WORDS = 60
# Frequent function words of each language the extractor knows: the language with most
# hits is the output's. Short outputs (fewer than 4 hits) are not judged.
_STOPWORDS = {
    "English": "the and is are of to in that it with for you this not be have was on",
    "French": "le la les et est sont de des du que qui une un pour pas vous nous dans avec ce",
    "German": "der die das und ist sind nicht ein eine zu mit sie wir ich für auf den dem es",
    "Spanish": "el la los las y es son de que un una para no por con se su lo del",
    "Italian": "il lo la gli le e è sono di che un una per non con si del della questo",
    "Portuguese": "o a os as e é são de que um uma para não com se do da em por",
    "Dutch": "de het een en is zijn van dat niet met voor op te ik je wij zij",
}
_MIN_LANGUAGE_HITS = 4


def unfenced(output: str) -> str:
    """The output without the Markdown code fence a model often wraps JSON in."""
    text = output.strip()
    found = _FENCE.match(text)
    return found.group("body").strip() if found else text


def sentences(output: str) -> int:
    text = output.strip()
    return len(_SENTENCE_END.split(text)) if text else 0


def words(output: str) -> int:
    return len(output.split())


def list_items(output: str) -> int:
    """Bulleted or numbered lines; else the elements of a JSON array; else non-empty lines."""
    bullets = len(_BULLET.findall(output))
    if bullets:
        return bullets
    try:
        parsed = json.loads(unfenced(output))
    except ValueError:
        parsed = None
    if isinstance(parsed, list):
        return len(parsed)
    return sum(1 for line in output.splitlines() if line.strip())


def language_of(output: str) -> str | None:
    tokens = re.findall(r"[^\W\d_]+", output.lower())
    hits = {
        language: sum(1 for t in tokens if t in set(stopwords.split()))
        for language, stopwords in _STOPWORDS.items()
    }
    best = max(hits, key=lambda language: hits[language])
    return best if hits[best] >= _MIN_LANGUAGE_HITS else None


def _counted(count: int, bound: str, limit: int, noun: str) -> Verdict:
    ok = {"at_most": count <= limit, "at_least": count >= limit, "exactly": count == limit}
    if ok[bound]:
        return None
    word = {"at_most": "limit", "at_least": "minimum", "exactly": "asked"}[bound]
    return f"{count} {noun}{'' if count == 1 else 's'} ({word} {limit})"


def _check_json(r: Requirement, output: str) -> Verdict:
    try:
        json.loads(unfenced(output))
    except ValueError as exc:
        return f"not valid JSON: {str(exc).split(':')[0]}"
    return None


def _check_list(r: Requirement, output: str) -> Verdict:
    if _BULLET.search(output) or isinstance(_json_or_none(output), list):
        return None
    return "not a list (no bulleted or numbered lines)"


def _json_or_none(output: str) -> object:
    try:
        return json.loads(unfenced(output))
    except ValueError:
        return None


def _check_tone(r: Requirement, output: str) -> Verdict:
    tone = r.params["tone"]
    if tone in ("formal", "professional", "serious", "respectful"):
        for pattern, what in ((_CONTRACTION, "contraction"), (_SLANG, "slang")):
            found = pattern.search(output)
            if found:
                return f"{what} “{found.group(0)}” is not {tone}"
        if tone != "respectful" and "!" in output:
            return f"an exclamation mark is not {tone}"
    if tone in ("polite", "respectful", "friendly", "empathetic", "warm", "professional"):
        rude = _RUDE.search(output)
        if rude:
            return f"“{rude.group(0)}” is not {tone}"
    if tone in ("friendly", "empathetic", "warm") and not _WARM.search(output):
        return f"no {tone} word (thanks, please, glad, sorry...)"
    if tone in ("enthusiastic", "cheerful") and not _EXCITED.search(output):
        return f"nothing {tone} (no exclamation or positive word)"
    if tone == "neutral" and (found := _EXCITED.search(output)):
        return f"“{found.group(0)}” is not neutral"
    if tone == "concise" and words(output) > CONCISE_WORDS:
        return f"{words(output)} words is not concise (over {CONCISE_WORDS})"
    if tone in ("informal", "casual"):
        return NOT_CHECKED
    return None


def _check_language(r: Requirement, output: str) -> Verdict:
    found = language_of(output)
    if found is None:
        return NOT_CHECKED
    return None if found == r.params["language"] else f"written in {found}"


def _check_vocabulary(r: Requirement, output: str) -> Verdict:
    answer = output.strip().strip(".!?\"'“”").strip().lower()
    allowed: list[str] = r.params["words"]
    return (
        None
        if answer in allowed
        else f"“{_excerpt(answer, 40)}” is not one of {', '.join(allowed)}"
    )


def _excerpt(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


_CHECKS: dict[str, Callable[[Requirement, str], Verdict]] = {
    "json": _check_json,
    "list": _check_list,
    "item_count": lambda r, o: _counted(
        list_items(o), r.params["bound"], r.params["count"], "item"
    ),
    "sentence_count": lambda r, o: _counted(
        sentences(o), r.params["bound"], r.params["count"], "sentence"
    ),
    "max_words": lambda r, o: _counted(words(o), "at_most", r.params["limit"], "word"),
    "max_chars": lambda r, o: _counted(len(o.strip()), "at_most", r.params["limit"], "character"),
    "language": _check_language,
    "tone": _check_tone,
    "must_include": lambda r, o: (
        None if r.params["phrase"].lower() in o.lower() else f"“{r.params['phrase']}” is missing"
    ),
    "must_avoid": lambda r, o: (
        f"says “{r.params['phrase']}”" if r.params["phrase"].lower() in o.lower() else None
    ),
    "vocabulary": _check_vocabulary,
}


def check(requirement: Requirement, output: str) -> Verdict:
    """Why `output` breaks `requirement`, None when it keeps it, `NOT_CHECKED` when there is
    no deterministic check (an "other" requirement from a model) or it cannot tell."""
    checker = _CHECKS.get(requirement.kind)
    return NOT_CHECKED if checker is None else checker(requirement, output)


@dataclass(frozen=True)
class Output:
    """One case's output (None when the model call failed: no output to check)."""

    case: str
    text: str | None


@dataclass(frozen=True)
class Violation:
    case: str
    output: str
    reason: str


@dataclass(frozen=True)
class RequirementResult:
    requirement: Requirement
    checked: int
    satisfied: int
    violations: list[Violation]  # every one, in case order

    @property
    def share(self) -> float | None:
        """The share of checked outputs that satisfy it; None when none could be checked."""
        return self.satisfied / self.checked if self.checked else None


def check_all(requirement: Requirement, outputs: Sequence[Output]) -> RequirementResult:
    checked = satisfied = 0
    violations = []
    for output in outputs:
        if output.text is None:
            continue
        verdict = check(requirement, output.text)
        if verdict == NOT_CHECKED:
            continue
        checked += 1
        if verdict is None:
            satisfied += 1
        else:
            violations.append(Violation(output.case, output.text, verdict))
    return RequirementResult(requirement, checked, satisfied, violations)


def gap_score(results: Sequence[RequirementResult]) -> float | None:
    """How far the outputs are from what the prompt asks, 0 (every checked requirement
    always met) to 1 (each always broken): the mean violation share of the requirements
    that could be checked. None when none could."""
    shares = [r.share for r in results if r.share is not None]
    return None if not shares else round(1 - sum(shares) / len(shares), 4)
