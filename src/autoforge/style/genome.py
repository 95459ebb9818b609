"""The style genome of a set of outputs: named style genes, consistency, distance.

Pure functions over plain strings: nothing here touches a database, a web framework or a model.
"""

from __future__ import annotations

import json
import math
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

GeneKind = Literal["count", "share"]

# A version whose genome lies farther than this from the labelled version's has drifted.
DRIFT_THRESHOLD = 0.25
# Largest population standard deviation a quantity confined to 0..1 can have.
_MAX_SHARE_STD = 0.5
_GRADE_CAP = 20.0

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
_VOWEL_GROUP = re.compile(r"[aeiouy]+")
_PUNCTUATION = frozenset(string.punctuation)
_MARKDOWN_LINE = re.compile(r"^\s*(#{1,6}\s|[-*+]\s|\d+[.)]\s|>\s|```|\|.*\|\s*$)")
_MARKDOWN_INLINE = re.compile(r"\*\*[^*\n]+\*\*|`[^`\n]+`")


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_FIRST_PERSON = _word_set("i me my mine myself we us our ours ourselves")
_SECOND_PERSON = _word_set("you your yours yourself yourselves")
_HEDGES = _word_set(
    """maybe perhaps possibly probably likely unlikely might may could seem seems seemed
    appear appears apparently suggest suggests roughly approximately somewhat arguably
    presumably think believe guess"""
)
_FORMAL = _word_set(
    """therefore however furthermore moreover thus hence consequently accordingly
    nevertheless regarding whereas additionally respectively subsequently"""
)
_SLANG = _word_set("yeah yep nope gonna wanna gotta hey ok okay cool lol awesome kinda sorta")


@dataclass(frozen=True, slots=True)
class Gene:
    name: str
    kind: GeneKind  # "share": a value in 0..1; "count": a non-negative magnitude
    description: str


GENES: tuple[Gene, ...] = (
    Gene("chars", "count", "length in characters (stripped)"),
    Gene("words", "count", "words (runs of letters, with one inner apostrophe)"),
    Gene("sentences", "count", "runs of . ! ? before a space or the end, plus trailing text"),
    Gene("sentence_words", "count", "words per sentence"),
    Gene("lexical_diversity", "share", "distinct words / words (case-insensitive)"),
    Gene("formality", "share", "(formal + 1) / (formal + informal + 2) markers"),
    Gene("uppercase", "share", "uppercase share of letters"),
    Gene("punctuation", "share", "punctuation share of non-space characters"),
    Gene(
        "markdown",
        "share",
        "share of lines that are markdown (heading, list, quote, fence, table, **bold**, `code`)",
    ),
    Gene("json", "share", "1 if the output is a JSON object or array"),
    Gene("first_person", "share", "1 if the output says I/me/my/we/us/our"),
    Gene("second_person", "share", "1 if the output says you/your"),
    Gene("hedging", "share", "hedging words per sentence, capped at 1"),
    Gene("reading_grade", "count", "Flesch-Kincaid grade level, clipped to 0..20"),
)
GENE_NAMES: tuple[str, ...] = tuple(gene.name for gene in GENES)


@dataclass(frozen=True, slots=True)
class StyleGenome:
    """The mean of each gene over `samples` outputs, its spread (population std), and how
    alike the outputs are (`consistency`, see `consistency_of`)."""

    genes: dict[str, float]
    spread: dict[str, float]
    samples: int
    consistency: float


@dataclass(frozen=True, slots=True)
class GeneDifference:
    """One gene of two genomes: raw means, each scaled to 0..1 for a chart, and the
    normalized difference that enters the distance."""

    name: str
    a: float
    b: float
    a_scaled: float
    b_scaled: float
    difference: float


def _syllables(word: str) -> int:
    groups = len(_VOWEL_GROUP.findall(word.lower()))
    if groups > 1 and word.lower().endswith("e") and not word.lower().endswith("le"):
        groups -= 1  # a silent final e
    return max(1, groups)


def _sentence_count(text: str) -> int:
    sentences = len(_SENTENCE_END.findall(text))
    if text and text[-1] not in ".!?":
        sentences += 1  # trailing text without a full stop is a sentence too
    return sentences


def _is_json(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict | list)
    except ValueError:
        return False


def _markdown_share(text: str) -> float:
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return 0.0
    marked = sum(bool(_MARKDOWN_LINE.match(x) or _MARKDOWN_INLINE.search(x)) for x in lines)
    return marked / len(lines)


def _reading_grade(words: Sequence[str], sentences: int) -> float:
    if not words or not sentences:
        return 0.0
    syllables = sum(_syllables(word) for word in words)
    grade = 0.39 * len(words) / sentences + 11.8 * syllables / len(words) - 15.59
    return min(_GRADE_CAP, max(0.0, grade))


def genes_of(output: str) -> dict[str, float]:
    """Every gene of one output (see `GENES` for the definitions)."""
    text = output.strip()
    words = _WORD.findall(text)
    lower = [word.lower() for word in words]
    sentences = _sentence_count(text)
    letters = [c for c in text if c.isalpha()]
    visible = [c for c in text if not c.isspace()]
    bases = {word.split("'")[0] for word in lower}  # you'll -> you, i'm -> i
    formal = sum(word in _FORMAL for word in lower)
    informal = sum("'" in word or word in _SLANG for word in lower) + text.count("!")
    return {
        "chars": float(len(text)),
        "words": float(len(words)),
        "sentences": float(sentences),
        "sentence_words": len(words) / sentences if sentences else 0.0,
        "lexical_diversity": len(set(lower)) / len(lower) if lower else 0.0,
        "formality": (formal + 1) / (formal + informal + 2),
        "uppercase": sum(c.isupper() for c in letters) / len(letters) if letters else 0.0,
        "punctuation": sum(c in _PUNCTUATION for c in visible) / len(visible) if visible else 0.0,
        "markdown": _markdown_share(text),
        "json": float(_is_json(text)),
        "first_person": float(not bases.isdisjoint(_FIRST_PERSON)),
        "second_person": float(not bases.isdisjoint(_SECOND_PERSON)),
        "hedging": min(1.0, sum(w in _HEDGES for w in lower) / sentences) if sentences else 0.0,
        "reading_grade": _reading_grade(words, sentences),
    }


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _std(values: Sequence[float]) -> float:
    mean = _mean(values)
    return math.sqrt(math.fsum((v - mean) ** 2 for v in values) / len(values))


def _dispersion(gene: Gene, mean: float, std: float) -> float:
    """A gene's spread in 0..1: the coefficient of variation (std / mean, capped at 1; 0
    when the mean is 0) for a count, std / 0.5 for a share."""
    if gene.kind == "share":
        return min(1.0, std / _MAX_SHARE_STD)
    return 0.0 if mean == 0.0 else min(1.0, std / mean)


def profile(outputs: Sequence[str]) -> StyleGenome:
    """The genome of a set of outputs: each gene's mean and spread, and the consistency."""
    if not outputs:
        raise ValueError("a style genome of no cases is undefined")
    rows = [genes_of(output) for output in outputs]
    genes = {name: _mean([row[name] for row in rows]) for name in GENE_NAMES}
    spread = {name: _std([row[name] for row in rows]) for name in GENE_NAMES}
    return StyleGenome(genes, spread, len(outputs), consistency_of(genes, spread, len(outputs)))


def consistency_of(genes: dict[str, float], spread: dict[str, float], samples: int) -> float:
    """How alike the outputs are in style, in 0..1: 1 minus the mean dispersion of the
    genes (1 = indistinguishable by every gene). Fewer than two outputs are trivially
    consistent."""
    if samples < 2:
        return 1.0
    dispersions = [_dispersion(g, genes[g.name], spread[g.name]) for g in GENES]
    return 1.0 - _mean(dispersions)


def _scaled_pair(gene: Gene, a: float, b: float) -> tuple[float, float, float]:
    if gene.kind == "share":
        return a, b, abs(a - b)
    top = max(abs(a), abs(b))
    if top == 0.0:
        return 0.0, 0.0, 0.0
    return a / top, b / top, abs(a - b) / top


def differences(a: StyleGenome, b: StyleGenome) -> list[GeneDifference]:
    """Gene by gene: a share's difference is |a - b|; a count's is |a - b| / max(a, b), and
    its chart values are each divided by that max."""
    found = []
    for gene in GENES:
        x, y = a.genes[gene.name], b.genes[gene.name]
        x_scaled, y_scaled, diff = _scaled_pair(gene, x, y)
        found.append(GeneDifference(gene.name, x, y, x_scaled, y_scaled, diff))
    return found


def distance(a: StyleGenome, b: StyleGenome) -> float:
    """The root mean square of the gene differences, in 0..1 (0 = the same style). One
    share gene flipping entirely (text to JSON) alone gives sqrt(1/14) ~ 0.27."""
    return math.sqrt(_mean([d.difference**2 for d in differences(a, b)]))


def drifted(a: StyleGenome, b: StyleGenome, threshold: float = DRIFT_THRESHOLD) -> bool:
    """Whether `b` moved strictly beyond `threshold` from `a`."""
    return distance(a, b) > threshold
