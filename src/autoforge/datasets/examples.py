"""The shipped example datasets, each installed with a starting prompt to evaluate on it."""

from __future__ import annotations

from autoforge.datasets.repository import DatasetRepository
from autoforge.datasets.schemas import DatasetCreate, DatasetItemIn
from autoforge.datasets.service import create_dataset
from autoforge.db.unit_of_work import UnitOfWork
from autoforge.evaluations.examples import EXAMPLE_NAMES, example_setup, load_example
from autoforge.evaluations.scoring import GenerationDefaults, Scoring
from autoforge.prompts import service as prompts
from autoforge.prompts import versions
from autoforge.prompts.repository import PromptRepository
from autoforge.prompts.schemas import PromptCreate

# Each shipped dataset: its description, and the name and title of its starting prompt.
EXAMPLES = {
    "sentiment": (
        "Short product and movie reviews labelled positive or negative (shipped example)",
        ("sentiment-classifier", "Sentiment classifier"),
    ),
    "extraction": (
        "Sentences about one person, to extract as JSON with name, city, age (shipped example)",
        ("person-extractor", "Person extractor (JSON)"),
    ),
    "arithmetic": (
        "'What is A op B?' on small integers, answered with the number (shipped example)",
        ("arithmetic-solver", "Arithmetic solver"),
    ),
}


def install_examples(uow: UnitOfWork, owner: str) -> list[str]:
    """Creates each shipped dataset (`sentiment`, `extraction`, `arithmetic`) and its starting
    prompt (active, label `production` on version 1) unless one of that name exists already.
    Returns the names created, so a second call returns []. No example marks a field
    sensitive, so no encryption key is needed."""
    created: list[str] = []
    for name in EXAMPLE_NAMES:
        description, (prompt_name, title) = EXAMPLES[name]
        if DatasetRepository(uow.session, owner).by_name(name) is None:
            items = [DatasetItemIn.model_validate(item) for item in load_example(name)]
            setup = example_setup(name)
            scoring = Scoring(
                assertions=setup.assertions,
                generation=GenerationDefaults.model_validate(setup.generation),
                explanation=setup.explanation,
            )
            create_dataset(
                uow,
                owner,
                DatasetCreate(name=name, description=description, items=items, scoring=scoring),
            )
            created.append(name)
        if PromptRepository(uow.session, owner).name_taken(prompt_name):
            continue
        setup = example_setup(name)
        prompt_data = PromptCreate(
            name=prompt_name,
            title=title,
            content=setup.template,
            status="active",
            tags=["example"],
            metadata={"example_dataset": name, "generation": setup.generation},
            change_note="shipped example",
        )
        prompt = prompts.create_prompt(uow, owner, prompt_data)
        versions.set_label(uow, owner, prompt.id, "production", 1)
        created.append(prompt_name)
    return created
