"""Variation operators: structural ones that need no capable model, and LLM rewrites.

The embedded 270M base model cannot follow a meta-instruction ("improve this prompt"), so
the default operators edit structure: few-shot demonstrations drawn from the trainset (never
the validation set), their order, the output cue, the input label, the instruction (from a
small library of phrasings) and the separator. `LLMRewrite` adds instruction rewriting by an
optimizer model, used only when one is configured; it is separate from the target model.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from autoforge.evaluations.domain import as_chat
from autoforge.llm.types import CachePolicy, CallResult, CompletionRequest
from autoforge.optimizations.candidate import Candidate, Demonstration, Lineage, demonstration_from
from autoforge.optimizations.cases import Case, is_classification, stratum_of
from autoforge.templates.domain import variables_in

# Phrasings a base model has seen countless times; "{choices}" ones only for label sets,
# "{noun}" is the input variable's name in words ("customer_message" -> "customer message").
GENERIC_INSTRUCTIONS = (
    "",
    "Complete the last example in the same format as the others.",
    "Read the input and give the answer.",
    "Here are some examples. Answer the last one the same way.",
)
CHOICE_INSTRUCTIONS = (
    "Classify each {noun} as {choices}.",
    "Answer with one word: {choices}.",
    "Decide whether each {noun} is {choices}.",
)
# Cues that suit any task, and the ones that suit the shape of the expected answers.
GENERIC_CUES = ("Answer:", "Output:", "Result:", "A:")
SHAPE_CUES = {
    "labels": ("Label:", "Category:", "Class:"),
    "json": ("JSON:",),
    "number": ("Number:",),
    "text": ("Response:",),
}
GENERIC_INPUT_LABELS = ("Input:", "Q:", "")
SEPARATORS = ("\n\n", "\n", "\n\n###\n\n", "\n---\n")
MAX_DEMONSTRATIONS = 8
# With many labels a prompt needs room for two examples of each (measured on the local
# model: one example per label of six gave 47 % accuracy, two gave 63-67 %).
MAX_LABEL_DEMONSTRATIONS = 16


def demonstrations_for(cases: Sequence[Case]) -> int:
    """How many demonstrations a prompt may hold: two per label for a label set (within
    MAX_LABEL_DEMONSTRATIONS), else MAX_DEMONSTRATIONS."""
    if is_classification(cases):
        labels = len({case.expected for case in cases})
        return min(MAX_LABEL_DEMONSTRATIONS, max(MAX_DEMONSTRATIONS, 2 * labels))
    return MAX_DEMONSTRATIONS


def answer_shape(cases: Sequence[Case]) -> str:
    """What the expected answers look like: a label set, JSON, numbers, or free text."""
    answers = [case.expected.strip() for case in cases]
    if is_classification(cases):
        return "labels"
    if answers and all(a[:1] in "{[" for a in answers):
        return "json"
    if answers and all(re.fullmatch(r"-?\d+(\.\d+)?", a) for a in answers):
        return "number"
    return "text"


def words_of(variable: str) -> str:
    """A variable's name as words: `customer_message` -> "customer message"."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", variable).replace("_", " ").strip().lower()


def input_labels_for(variables: Sequence[str]) -> tuple[str, ...]:
    """A label per input variable ("Customer message:"), then the generic ones."""
    named = [f"{words_of(v).capitalize()}:" for v in variables if words_of(v)]
    return tuple(dict.fromkeys([*named, *GENERIC_INPUT_LABELS]))


def cues_for(cases: Sequence[Case]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*SHAPE_CUES[answer_shape(cases)], *GENERIC_CUES]))


def instructions_for(cases: Sequence[Case], variables: Sequence[str]) -> tuple[str, ...]:
    instructions = list(GENERIC_INSTRUCTIONS)
    if is_classification(cases):
        choices = " or ".join(sorted({c.expected for c in cases}))
        noun = words_of(variables[0]) if variables else "input"
        instructions += [text.format(choices=choices, noun=noun) for text in CHOICE_INSTRUCTIONS]
    return tuple(instructions)


Operator = Callable[[Candidate, "SearchSpace", random.Random], Candidate | None]
Chooser = Callable[[random.Random, Sequence[str]], str]  # picks the next operator's name


def _uniform(rng: random.Random, names: Sequence[str]) -> str:
    return rng.choice(names)


@dataclass(frozen=True)
class SearchSpace:
    """Everything operators may draw from: trainset demonstrations and the part libraries."""

    pool: tuple[Demonstration, ...]
    strata: dict[str, str]  # demonstration source -> what balanced picks balance
    instructions: tuple[str, ...]
    cues: tuple[str, ...]
    input_labels: tuple[str, ...]
    separators: tuple[str, ...] = SEPARATORS
    max_demonstrations: int = MAX_DEMONSTRATIONS

    @classmethod
    def build(
        cls,
        start: Candidate,
        trainset: Sequence[Case],
        *,
        max_demonstrations: int | None = None,
    ) -> SearchSpace:
        """Built from the trainset alone (the validation set must never shape a candidate):
        cues from the shape of its answers, input labels from the start's variables,
        choice instructions from its label set. Nothing is specific to any dataset."""
        classes = is_classification(trainset)
        # A value holding "{{" would add a variable to every template it is shown in; a
        # sensitive one would be stored with every candidate that shows it.
        usable = [
            c for c in trainset if "{{" not in c.expected + str(dict(c.inputs)) and not c.sensitive
        ]
        variables = variables_in(start.query)
        return cls(
            pool=tuple(demonstration_from(c.name, c.inputs, c.expected) for c in usable),
            strata={c.name: stratum_of(c, classes) for c in usable},
            instructions=_with(start.instruction, instructions_for(trainset, variables)),
            cues=_with(start.output_cue, cues_for(trainset)),
            input_labels=_with(start.input_label, input_labels_for(variables)),
            max_demonstrations=max_demonstrations or demonstrations_for(trainset),
        )


def _with(own: str | None, library: Sequence[str]) -> tuple[str, ...]:
    """The library plus the start's own value, so an operator can also put it back."""
    return tuple(dict.fromkeys([*library, *([own] if own is not None else [])]))


def _other(current: str | None, options: Sequence[str], rng: random.Random) -> str | None:
    choices = [option for option in options if option != current]
    return rng.choice(choices) if choices else None


def _unused(candidate: Candidate, space: SearchSpace) -> list[Demonstration]:
    shown = {demo.source for demo in candidate.demonstrations}
    return [demo for demo in space.pool if demo.source not in shown]


def _balanced_pick(
    candidate: Candidate, space: SearchSpace, rng: random.Random
) -> Demonstration | None:
    """An unused trainset example from the stratum the candidate shows least."""
    unused = _unused(candidate, space)
    if not unused:
        return None
    shown = Counter(space.strata[d.source] for d in candidate.demonstrations)
    available = sorted({space.strata[d.source] for d in unused})
    fewest = min(shown[stratum] for stratum in available)
    stratum = rng.choice([s for s in available if shown[s] == fewest])
    return rng.choice([d for d in unused if space.strata[d.source] == stratum])


def add_demonstration(c: Candidate, space: SearchSpace, rng: random.Random) -> Candidate | None:
    if len(c.demonstrations) >= space.max_demonstrations:
        return None
    demo = _balanced_pick(c, space, rng)
    if demo is None:
        return None
    demos = list(c.demonstrations)
    demos.insert(rng.randint(0, len(demos)), demo)
    return replace(c, demonstrations=tuple(demos))


def remove_demonstration(c: Candidate, space: SearchSpace, rng: random.Random) -> Candidate | None:
    if not c.demonstrations:
        return None
    demos = list(c.demonstrations)
    del demos[rng.randrange(len(demos))]
    return replace(c, demonstrations=tuple(demos))


def swap_demonstration(c: Candidate, space: SearchSpace, rng: random.Random) -> Candidate | None:
    """Replaces one example with an unused one of the same stratum (label), else any."""
    unused = _unused(c, space)
    if not c.demonstrations or not unused:
        return None
    index = rng.randrange(len(c.demonstrations))
    stratum = space.strata.get(c.demonstrations[index].source)
    same = [d for d in unused if space.strata[d.source] == stratum]
    demos = list(c.demonstrations)
    demos[index] = rng.choice(same or unused)
    return replace(c, demonstrations=tuple(demos))


def reorder_demonstrations(
    c: Candidate, space: SearchSpace, rng: random.Random
) -> Candidate | None:
    if len(c.demonstrations) < 2:
        return None
    demos = list(c.demonstrations)
    rng.shuffle(demos)
    return replace(c, demonstrations=tuple(demos))


def change_output_cue(c: Candidate, space: SearchSpace, rng: random.Random) -> Candidate | None:
    if c.output_cue is None:
        return None
    cue = _other(c.output_cue, space.cues, rng)
    return None if cue is None else c.with_output_cue(cue)


def change_input_label(c: Candidate, space: SearchSpace, rng: random.Random) -> Candidate | None:
    if c.input_label is None:
        return None
    label = _other(c.input_label, space.input_labels, rng)
    return None if label is None else c.with_input_label(label)


def change_instruction(c: Candidate, space: SearchSpace, rng: random.Random) -> Candidate | None:
    instruction = _other(c.instruction, space.instructions, rng)
    return None if instruction is None else replace(c, instruction=instruction)


def change_separator(c: Candidate, space: SearchSpace, rng: random.Random) -> Candidate | None:
    separator = _other(c.separator, space.separators, rng)
    return None if separator is None else replace(c, separator=separator)


STRUCTURAL: dict[str, Operator] = {
    "add_demonstration": add_demonstration,
    "remove_demonstration": remove_demonstration,
    "swap_demonstration": swap_demonstration,
    "reorder_demonstrations": reorder_demonstrations,
    "change_output_cue": change_output_cue,
    "change_input_label": change_input_label,
    "change_instruction": change_instruction,
    "change_separator": change_separator,
}


def crossover(a: Candidate, b: Candidate, rng: random.Random) -> Candidate:
    """Each part from either parent; demonstrations mixed from both, in their order."""
    query, prefix = rng.choice([(a.query, a.answer_prefix), (b.query, b.answer_prefix)])
    pooled = list({d.source: d for d in (*a.demonstrations, *b.demonstrations)}.values())
    count = min(len(pooled), rng.choice([len(a.demonstrations), len(b.demonstrations)]))
    kept = sorted(rng.sample(range(len(pooled)), count))
    return Candidate(
        query=query,
        answer_prefix=prefix,
        instruction=rng.choice([a.instruction, b.instruction]),
        demonstrations=tuple(pooled[i] for i in kept),
        separator=rng.choice([a.separator, b.separator]),
        lineage=Lineage((a.id, b.id), ("crossover",)),
    )


Complete = Callable[[CompletionRequest, CachePolicy], CallResult]
_LEADING_LABEL = re.compile(r"^(new\s+)?instruction\s*\d*\s*:\s*", re.IGNORECASE)
_MAX_INSTRUCTION = 400


class LLMRewrite:
    """Instruction rewriting by an optimizer model (any gateway model, not the target).

    Calls go through the run's metered `complete`, so they count against the budget. They
    are sampled (temperature > 0) with a seed drawn from the run's rng and cached even so:
    the same seed asks the same question, and a rerun gets the same answer for free.
    """

    def __init__(self, model: str, complete: Complete, *, temperature: float = 0.7) -> None:
        self.model = model
        self._complete = complete
        self._temperature = temperature

    def ask(self, prompt: str, rng: random.Random) -> str | None:
        """The model's answer as one clean instruction, or None if it gave nothing usable."""
        params = {"temperature": self._temperature, "max_tokens": 120, "seed": rng.randrange(2**31)}
        if as_chat("auto", self.model):
            messages = [{"role": "user", "content": prompt}]
            request = CompletionRequest(self.model, messages=messages, params=params)
        else:
            request = CompletionRequest(self.model, prompt=prompt, params=params)
        text = self._complete(request, CachePolicy.FORCE).text
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        if not lines:
            return None
        answer = _LEADING_LABEL.sub("", lines[0]).strip().strip("\"'`").strip()
        if not answer or "{{" in answer or len(answer) > _MAX_INSTRUCTION:
            return None
        return answer

    def rewrite(self, c: Candidate, space: SearchSpace, rng: random.Random) -> Candidate | None:
        examples = "\n".join(f"{dict(d.inputs)} -> {d.output}" for d in space.pool[:3])
        prompt = (
            "Improve this instruction for a language model so that it answers the task "
            f"more accurately.\nTask examples:\n{examples}\n"
            f"Instruction: {c.instruction or '(none)'}\n"
            "Reply with only the improved instruction.\nImproved instruction:"
        )
        return self._with_instruction(c, self.ask(prompt, rng))

    def paraphrase(self, c: Candidate, space: SearchSpace, rng: random.Random) -> Candidate | None:
        if not c.instruction:
            return None
        prompt = (
            "Paraphrase the following instruction, keeping its meaning.\n"
            f"Instruction: {c.instruction}\nReply with only the paraphrase.\nParaphrase:"
        )
        return self._with_instruction(c, self.ask(prompt, rng))

    def combine(self, a: str, b: str, rng: random.Random) -> str | None:
        """EvoPrompt's LLM crossover: one instruction bred from two parents' instructions."""
        prompt = (
            "Combine the two instructions below into one new instruction that keeps the "
            f"best of both.\nInstruction 1: {a or '(none)'}\nInstruction 2: {b or '(none)'}\n"
            "Reply with only the new instruction.\nNew instruction:"
        )
        return self.ask(prompt, rng)

    @staticmethod
    def _with_instruction(c: Candidate, instruction: str | None) -> Candidate | None:
        if instruction is None or instruction == c.instruction:
            return None
        return replace(c, instruction=instruction)


class Variation:
    """The operators a run may use: the structural set, plus LLM rewrites if configured."""

    def __init__(self, space: SearchSpace, llm: LLMRewrite | None = None) -> None:
        self.space = space
        self.llm = llm
        self.operators: dict[str, Operator] = dict(STRUCTURAL)
        if llm is not None:
            self.operators["llm_rewrite"] = llm.rewrite
            self.operators["llm_paraphrase"] = llm.paraphrase

    @property
    def names(self) -> list[str]:
        return list(self.operators)

    def apply(self, name: str, c: Candidate, rng: random.Random) -> Candidate | None:
        """One operator; None when it does not apply or changes nothing."""
        out = self.operators[name](c, self.space, rng)
        return None if out is None or out == c else out

    def mutate(
        self,
        c: Candidate,
        rng: random.Random,
        steps: int = 1,
        choose: Chooser | None = None,
    ) -> Candidate:
        """`steps` operators in a row; `choose` picks each by name (uniform by default)."""
        out, applied = self._mutations(c, rng, steps, choose)
        return replace(out, lineage=Lineage((c.id,), tuple(applied)))

    def breed(self, a: Candidate, b: Candidate, rng: random.Random, steps: int = 1) -> Candidate:
        """Crossover of two parents, then mutation; the lineage names both parents."""
        child = self.crossover(a, b, rng)
        out, applied = self._mutations(child, rng, steps, None)
        ops = (*child.lineage.operators, *applied)
        return replace(out, lineage=Lineage(child.lineage.parents, ops))

    def _mutations(
        self,
        c: Candidate,
        rng: random.Random,
        steps: int,
        choose: Chooser | None,
    ) -> tuple[Candidate, list[str]]:
        pick = choose or _uniform
        current, applied = c, list[str]()
        for _ in range(steps):
            # An operator that does not apply here (no demonstration to remove) is re-drawn.
            for _attempt in range(2 * len(self.operators)):
                name = pick(rng, self.names)
                out = self.apply(name, current, rng)
                if out is not None:
                    current, applied = out, [*applied, name]
                    break
        return current, applied

    def crossover(self, a: Candidate, b: Candidate, rng: random.Random) -> Candidate:
        child = crossover(a, b, rng)
        if self.llm is not None and rng.random() < 0.5:
            instruction = self.llm.combine(a.instruction, b.instruction, rng)
            if instruction is not None:
                ops = (*child.lineage.operators, "llm_crossover")
                child = replace(
                    child,
                    instruction=instruction,
                    lineage=Lineage(child.lineage.parents, ops),
                )
        return child


def variation_for(
    start: Candidate,
    trainset: Sequence[Case],
    complete: Complete,
    *,
    optimizer_model: str | None = None,
    max_demonstrations: int | None = None,
) -> Variation:
    """The operators for one run: the search space from the trainset, LLM rewrites if an
    optimizer model is configured (its calls charged through the run's `complete`)."""
    space = SearchSpace.build(start, trainset, max_demonstrations=max_demonstrations)
    llm = LLMRewrite(optimizer_model, complete) if optimizer_model else None
    return Variation(space, llm)
