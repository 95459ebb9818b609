"""Seeds an optimization: the sentiment oracle's reviews as the `sentiment` dataset, a plain
starting prompt, and a gateway whose target model is the oracle (structure matters)."""

from __future__ import annotations

import dataclasses
from typing import Any

from autoforge.bootstrap import Container
from autoforge.llm.fake import FakeModelClient
from autoforge.optimizations.schemas import Optimization, OptimizationCreate
from autoforge.optimizations.service import get_optimization, start_optimization
from tests.support.evaluations import OWNER, seed_dataset, seed_prompt
from tests.support.gateway import make_gateway
from tests.unit.optimizations.oracle import START, TARGET, dataset, oracle_client


def oracle_items(size: int = 24) -> list[dict[str, Any]]:
    return [
        {"name": case.name, "input": dict(case.inputs), "expected": case.expected}
        for case in dataset(size)
    ]


def with_oracle(container: Container, size: int = 24) -> tuple[Container, FakeModelClient]:
    """The container with the oracle as every model, plus the seeded prompt and dataset."""
    client = oracle_client(dataset(size))
    gateway = make_gateway(container.database, client, default_model=TARGET, max_retries=0)
    seed_prompt(container.database, "review", START)
    seed_dataset(container.database, "sentiment", oracle_items(size))
    return dataclasses.replace(container, gateway=gateway), client


def start(container: Container, **overrides: Any) -> tuple[str, str]:
    """Starts optimizing `review` on `sentiment`; (optimization id, job id)."""
    body = {"prompt": "review", "dataset": "sentiment", "strategy": "bandit", **overrides}
    data = OptimizationCreate.model_validate(body)
    unpriced = container.gateway.unpriced
    started = container.database.run(
        lambda uow: start_optimization(uow, OWNER, data, TARGET, unpriced)
    )
    return started.optimization.id, started.job_id


def read(container: Container, optimization_id: str) -> Optimization:
    return container.database.run(
        lambda uow: get_optimization(uow, OWNER, optimization_id), read_only=True
    )
