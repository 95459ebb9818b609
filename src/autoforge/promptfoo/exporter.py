"""A prompt and a dataset as a promptfooconfig.yaml that runs against our own server.

promptfoo calls `/v1/chat/completions` of `autoforge serve` through its `openai:chat:MODEL`
provider (`apiBaseUrl` SERVER/v1, the key from AUTOFORGE_API_KEY). The dataset's items
become tests with `vars`; its scoring becomes asserts, and any it cannot express is a
finding, never dropped in silence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from autoforge.datasets.sealing import VaultSource
from autoforge.datasets.service import resolve_dataset, version_items
from autoforge.db.unit_of_work import UnitOfWork
from autoforge.errors import NotFoundError
from autoforge.evaluations.scoring import Scoring
from autoforge.promptfoo import yaml_io
from autoforge.promptfoo.assertions import Finding, Spec, Unsupported, to_promptfoo
from autoforge.promptfoo.config import expands
from autoforge.promptfoo.plan import ALWAYS, CASE_VARIABLE
from autoforge.prompts.repository import PromptRepository

API_KEY_ENV = "AUTOFORGE_API_KEY"


@dataclass(frozen=True, slots=True)
class ExportCase:
    name: str
    input: dict[str, Any]
    expected: str | None


@dataclass(frozen=True, slots=True)
class Exported:
    config: dict[str, Any]
    findings: list[Finding]

    def yaml(self) -> str:
        return yaml_io.dump(self.config)


def build_config(
    *,
    prompt_name: str,
    content: str,
    dataset_name: str,
    cases: Sequence[ExportCase],
    scoring: Scoring,
    server: str,
    model: str,
) -> Exported:
    """The config (a plain mapping) and what of the scoring it could not express."""
    findings: list[Finding] = []
    specs = scoring.assertions.model_dump(mode="json")["assertions"]
    threshold = scoring.assertions.pass_threshold
    tests = [_test(case, specs, threshold, findings) for case in cases]
    provider_config: dict[str, Any] = {
        "apiBaseUrl": f"{server.rstrip('/')}/v1",
        "apiKeyEnvar": API_KEY_ENV,
    }
    provider_config.update(_generation(scoring))
    config: dict[str, Any] = {
        "description": f"autoforge: prompt {prompt_name} on dataset {dataset_name}",
        "prompts": [{"id": prompt_name, "label": prompt_name, "raw": content}],
        "providers": [{"id": f"openai:chat:{model}", "label": model, "config": provider_config}],
        "tests": tests,
    }
    return Exported(config, findings)


def _generation(scoring: Scoring) -> dict[str, Any]:
    params = scoring.generation.as_params()
    params.setdefault("temperature", 0.0)  # what our runs default to
    return params


def _test(
    case: ExportCase, specs: list[Spec], threshold: float, findings: list[Finding]
) -> dict[str, Any]:
    where = f"item {case.name!r}"
    if specs and specs[-1]["type"] == "per_case":
        specs, threshold = _own_assertions(case, specs, threshold, where, findings)
    asserts = []
    for index, spec in enumerate(specs):
        if spec == ALWAYS:
            continue  # stands for "no assertion": promptfoo passes a test without any
        try:
            asserts.append(to_promptfoo(spec, case.expected))
        except Unsupported as exc:
            findings.append(Finding(f"{where} assertions[{index}]", str(exc)))
    variables = {k: v for k, v in case.input.items() if k != CASE_VARIABLE}
    test: dict[str, Any] = {"description": case.name, "vars": variables, "assert": asserts}
    if any(expands(value) for value in variables.values()):
        test["options"] = {"disableVarExpansion": True}  # a list value is one value here
    if threshold < 1.0:
        test["threshold"] = threshold
    return test


def _own_assertions(
    case: ExportCase, specs: list[Spec], threshold: float, where: str, findings: list[Finding]
) -> tuple[list[Spec], float]:
    """The shared assertions plus the ones this item's `per_case` entry selects."""
    *shared, per_case = specs
    key = case.input.get(per_case["variable"])
    chosen = per_case["cases"].get(str(key)) if key is not None else None
    if chosen is None:
        findings.append(Finding(where, "per_case scoring has no assertions for this item"))
        return shared, threshold
    if not shared:
        return chosen["assertions"], chosen["pass_threshold"]
    if chosen["pass_threshold"] == 1.0 and threshold == 1.0:
        return [*shared, *chosen["assertions"]], threshold
    group = {
        "type": "group",
        "assertions": chosen["assertions"],
        "pass_threshold": chosen["pass_threshold"],
        "weight": per_case.get("weight", 1.0),
    }
    return [*shared, group], threshold


def export_suite(
    uow: UnitOfWork,
    owner: str,
    *,
    prompt: str,
    dataset: str,
    dataset_version: int | None,
    server: str,
    model: str,
    vault: VaultSource | None = None,
) -> Exported:
    """The prompt's current version and a dataset version (default: latest) as a config."""
    view = PromptRepository(uow.session, owner).view_by_name(prompt)
    if view is None or view.row.deleted_at is not None:
        raise NotFoundError(f"prompt {prompt!r} not found")
    found = resolve_dataset(uow, owner, dataset)
    info, items = version_items(uow, owner, found.id, dataset_version, vault=vault)
    cases = [ExportCase(item.name, dict(item.input), item.expected) for item in items]
    return build_config(
        prompt_name=view.row.name,
        content=view.row.content,
        dataset_name=found.name,
        cases=cases,
        scoring=info.scoring,
        server=server,
        model=model,
    )
