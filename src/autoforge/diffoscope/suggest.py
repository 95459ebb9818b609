"""Concrete suggestions for the requirements the outputs break, worst first. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from autoforge.diffoscope.checks import RequirementResult
from autoforge.diffoscope.extract import Requirement


def percent(share: float) -> str:
    return f"{round(share * 100)} %"


def _counted(r: Requirement, noun: str) -> tuple[str, str]:
    count, bound = r.params["count"], r.params["bound"]
    plural = noun if count == 1 else f"{noun}s"
    if bound == "at_most":
        return f"exceed the {count}-{noun} limit", f"add an example of a {count}-{noun} answer"
    if bound == "at_least":
        return (
            f"have fewer than {count} {plural}",
            f"add an example answer with {count} {plural} or more",
        )
    return (
        f"do not have exactly {count} {plural}",
        f"add an example answer with exactly {count} numbered {plural}",
    )


def _advice(r: Requirement) -> tuple[str, str]:
    """(what the outputs do wrong, what to change in the prompt) for one requirement."""
    p = r.params
    match r.kind:
        case "json":
            return (
                "are not valid JSON",
                "show the exact JSON shape expected and say to answer with the JSON only",
            )
        case "list":
            return "are not a list", "add an example answer written as a bulleted list"
        case "item_count":
            return _counted(r, "item")
        case "sentence_count":
            return _counted(r, "sentence")
        case "max_words" | "max_chars":
            unit = "word" if r.kind == "max_words" else "character"
            return (
                f"exceed the {p['limit']}-{unit} limit",
                f"add an example answer under {p['limit']} {unit}s and lower max_tokens",
            )
        case "language":
            return (
                f"are not in {p['language']}",
                f"write the instructions themselves in {p['language']}, or repeat "
                f"“answer in {p['language']}” as the prompt's last line",
            )
        case "tone":
            return (
                f"do not sound {p['tone']}",
                f"add an example answer in a {p['tone']} tone and name what breaks it",
            )
        case "must_include":
            return (
                f"leave out “{p['phrase']}”",
                f"show “{p['phrase']}” in an example answer and repeat the rule at the end",
            )
        case "must_avoid":
            return (
                f"say “{p['phrase']}”",
                f"give the wording to use instead of “{p['phrase']}”",
            )
        case "vocabulary":
            allowed = " or ".join(p["words"])
            return (
                f"answer with something other than {allowed}",
                f"say “answer with exactly one word: {allowed}” and add a few example answers",
            )
        case _:
            return (
                f"break “{r.description}”",
                "state the requirement on its own line and add an example answer that keeps it",
            )


def suggestion(result: RequirementResult) -> str | None:
    """ "outputs exceed the 2-sentence limit in 40 % of cases: add an example of a 2-sentence
    answer"; None when every checked output keeps the requirement."""
    share = result.share
    if share is None or share >= 1.0:
        return None
    wrong, fix = _advice(result.requirement)
    return f"outputs {wrong} in {percent(1 - share)} of cases: {fix}"


def suggestions(results: Sequence[RequirementResult]) -> list[str]:
    """One suggestion per broken requirement, the most often broken first."""
    broken = sorted(
        (r for r in results if r.share is not None and r.share < 1.0),
        key=lambda r: (r.share, r.requirement.start),
    )
    return [s for r in broken if (s := suggestion(r)) is not None]
