"""The pure core imports neither a web framework nor a database layer, even transitively:
assertions, metrics, scoring defaults, the optimizer's strategies and evaluator, and the
sealing of sensitive dataset values."""

from __future__ import annotations

import subprocess
import sys

import pytest

FRAMEWORKS = ("sqlalchemy", "fastapi", "starlette", "litellm", "alembic")
PURE = (
    "autoforge.evaluations.assertions",
    "autoforge.evaluations.metrics",
    "autoforge.evaluations.scoring",
    "autoforge.optimizations.strategies",
    "autoforge.optimizations.evaluator",
    "autoforge.optimizations.operators",
    "autoforge.optimizations.run",
    "autoforge.datasets.sealing",
    "autoforge.diffoscope.extract",
    "autoforge.diffoscope.checks",
    "autoforge.diffoscope.suggest",
    "autoforge.diffoscope.llm_extract",
    "autoforge.style.genome",
    "autoforge.style.domain",
)


@pytest.mark.parametrize("module", PURE)
def test_a_pure_module_loads_no_framework(module: str) -> None:
    probe = (
        f"import sys, {module}\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({FRAMEWORKS!r})))"
    )
    done = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    assert done.stdout.strip() == "[]", f"{module} pulls in {done.stdout.strip()}"
