"""The local model in its supervised child process against the same model in this process.

Both run the same prompts with the same weights, interleaved round by round so that a busy
machine slows both alike. Reported: first-call latency (start or load, then a 1-token
completion), tokens/s of a 64-token generation (median over rounds), and the child's cost
as a ratio. Goal (issue 11): the child keeps at least 90 % of the in-process tokens/s.

    python -m bench.local_model
    python -m bench.local_model --rounds 10 --tokens 128
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from autoforge.llm.local_model import (
    GGUF_FILE,
    LocalModel,
    LocalModelConfig,
    LocalRunner,
    ensure_model_file,
)
from autoforge.llm.model_process import LocalModelProcess

PROMPT = "1, 2, 3, 4, 5, 6, 7, 8,"  # a base model keeps counting: never an early stop


def first_call_ms(runner: LocalRunner) -> float:
    started = time.perf_counter()
    runner.warm()
    runner.complete("Hello", {"max_tokens": 1, "temperature": 0}, chat=False, timeout_s=120)
    return (time.perf_counter() - started) * 1000


def tokens_per_s(runner: LocalRunner, tokens: int) -> float:
    started = time.perf_counter()
    result = runner.complete(
        PROMPT, {"max_tokens": tokens, "temperature": 0}, chat=False, timeout_s=300
    )
    return result.tokens_out / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    path = ensure_model_file(Path(tempfile.gettempdir()) / "autoforge-bench-models" / GGUF_FILE)
    config = LocalModelConfig(path=path, threads=args.threads)
    inprocess, child = LocalModel(config), LocalModelProcess(config)
    first = {"in-process": first_call_ms(inprocess), "child": first_call_ms(child)}
    speeds: dict[str, list[float]] = {"in-process": [], "child": []}
    for _ in range(args.rounds):
        speeds["in-process"].append(tokens_per_s(inprocess, args.tokens))
        speeds["child"].append(tokens_per_s(child, args.tokens))
    child.close()
    inprocess.close()
    print(f"{args.tokens} tokens x {args.rounds} rounds, {args.threads} thread(s), interleaved")
    print(f"{'':<11} {'first call ms':>13} {'tokens/s (median)':>18} {'min':>6} {'max':>6}")
    for name, values in speeds.items():
        print(
            f"{name:<11} {first[name]:>13.0f} {statistics.median(values):>18.1f} "
            f"{min(values):>6.1f} {max(values):>6.1f}"
        )
    ratio = statistics.median(speeds["child"]) / statistics.median(speeds["in-process"])
    verdict = "MET" if ratio >= 0.9 else "NOT MET"
    print(f"child / in-process tokens/s: {ratio:.3f} (goal >= 0.90): {verdict}")


if __name__ == "__main__":
    main()
