"""Imports a promptfoo suite: its prompts, a dataset of its tests, and the dataset's scoring.

All or nothing in the caller's transaction, through the prompt and dataset services.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from autoforge.datasets.domain import MAX_REPORTED_ERRORS
from autoforge.datasets.schemas import DatasetCreate, DatasetItemIn, ItemMetadata
from autoforge.datasets.sealing import VaultSource
from autoforge.datasets.service import create_dataset
from autoforge.db.unit_of_work import UnitOfWork
from autoforge.errors import ValidationFailed
from autoforge.evaluations.assertions import AssertionSet
from autoforge.evaluations.scoring import Scoring
from autoforge.promptfoo.config import ConfigError, FileReader, read_suite
from autoforge.promptfoo.plan import ImportPlan, plan_import
from autoforge.promptfoo.schemas import ImportedPrompt, PromptfooImportReport
from autoforge.prompts.schemas import PromptCreate
from autoforge.prompts.service import create_prompt


def plan_from_text(text: str, read_file: FileReader) -> ImportPlan:
    """The plan for a config's text, a 422 when it is no promptfoo config at all."""
    try:
        suite = read_suite(text, read_file)
    except ConfigError as exc:
        raise ValidationFailed(
            str(exc), errors=[{"field": "config", "message": str(exc)}]
        ) from None
    plan = plan_import(suite)
    if not plan.prompts:
        raise ValidationFailed(
            "the config has no prompt that can be imported",
            errors=[{"field": str(f.location), "message": f.message} for f in plan.findings],
        )
    return plan


def import_plan(
    uow: UnitOfWork, owner: str, name: str, plan: ImportPlan, *, vault: VaultSource | None = None
) -> PromptfooImportReport:
    """Creates the prompts (NAME, NAME-2, ...) and the dataset NAME with the plan's scoring.
    What our schemas refuse (a name too long, an item field too large) is a 422."""
    try:
        prompt_data, dataset_data = _requests(name, plan)
    except ValidationError as exc:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]) or "config", "message": e["msg"]}
            for e in exc.errors()[:MAX_REPORTED_ERRORS]
        ]
        raise ValidationFailed(
            f"the config does not fit here: {errors[0]['message']}", errors=errors
        ) from None
    prompts = []
    for data, prompt in zip(prompt_data, plan.prompts, strict=True):
        created = create_prompt(uow, owner, data)
        prompts.append(ImportedPrompt(id=created.id, name=created.name, source=prompt.location))
    dataset = create_dataset(uow, owner, dataset_data, vault=vault)
    assert dataset_data.scoring is not None  # _requests always gives one
    return PromptfooImportReport(
        prompts=prompts,
        dataset_id=dataset.id,
        dataset_name=dataset.name,
        items=len(plan.items),
        assertions=dataset_data.scoring.assertions.model_dump(mode="json"),
        explanation=plan.explanation,
        unsupported=[str(f) for f in plan.findings],
    )


def _requests(name: str, plan: ImportPlan) -> tuple[list[PromptCreate], DatasetCreate]:
    prompts = [
        PromptCreate(
            name=name if index == 0 else f"{name}-{index + 1}",
            title=prompt.label[:255],
            content=prompt.text,
            change_note="imported from promptfoo",
        )
        for index, prompt in enumerate(plan.prompts)
    ]
    scoring = Scoring(
        assertions=AssertionSet.model_validate(plan.assertions),
        explanation=f"imported from promptfoo: {plan.explanation}",
    )
    items = [
        DatasetItemIn(
            name=item.name,
            input=item.input,
            expected=item.expected,
            metadata=_metadata(item.metadata),
        )
        for item in plan.items
    ]
    dataset = DatasetCreate(
        name=name, description="imported from promptfoo", items=items, scoring=scoring
    )
    return prompts, dataset


def _metadata(metadata: dict[str, Any]) -> ItemMetadata:
    """promptfoo's metadata as given; nested under `promptfoo_metadata` when its keys clash
    with ours (a `difficulty` that is not easy/medium/hard, say)."""
    try:
        return ItemMetadata.model_validate(metadata)
    except ValidationError:
        where = metadata.get("promptfoo")
        rest = {k: v for k, v in metadata.items() if k != "promptfoo"}
        return ItemMetadata.model_validate({"promptfoo": where, "promptfoo_metadata": rest})
