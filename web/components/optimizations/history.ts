// Pure helpers of the optimization pages: words for strategies and stop reasons, the
// score-per-round series (live from progress reports, or rebuilt from the stored history),
// the winner's (or best so far) lineage, the train/validation/test split sizes a run will use,
// and where its headline figure was measured.

import type {
  Optimization,
  OptimizationCandidate,
  OptimizationProgress,
  SplitIn,
  StrategyName,
} from "@/lib/types/optimizations";

export const STRATEGIES: { name: StrategyName; round: string; summary: string }[] = [
  {
    name: "bandit",
    round: "bracket",
    summary: "Successive halving: many variants on small batches, the budget goes to the promising ones.",
  },
  {
    name: "genetic",
    round: "generation",
    summary: "Evolution: a population bred by mutation and crossover, the best always survive.",
  },
  {
    name: "opro",
    round: "step",
    summary: "Trajectory-guided: proposals from the best prompts so far and the operators that paid off.",
  },
  {
    name: "reflective",
    round: "step",
    summary:
      "Reflective (GEPA-style): an optimizer model reads the failed cases and rewrites the instruction. Needs an optimizer model.",
  },
];

/** Strategies that cannot run without `optimizer_model` (the API refuses them with a 422). */
export function needsOptimizerModel(strategy: StrategyName): boolean {
  return strategy === "reflective";
}

/** "generation" (genetic), "bracket" (bandit) or "step" (opro, reflective): what a `round` is. */
export function roundName(strategy: StrategyName): string {
  return STRATEGIES.find((s) => s.name === strategy)?.round ?? "round";
}

const STOP_REASONS: Record<string, string> = {
  completed: "every planned round ran",
  plateau: "validation stopped improving (early stop)",
  converged: "perfect train and validation scores: nothing left to find",
  budget_calls: "the call budget was used up",
  budget_usd: "the dollar budget was used up",
  budget_time: "the time budget was used up",
  model_error: "the model failed on a call (after retries)",
};

export function stopReasonText(reason: string | null): string {
  if (!reason) return "—";
  return STOP_REASONS[reason] ?? reason;
}

/** The stored error without the exception class in front ("SearchStopped: ..."). */
export function plainError(error: string): string {
  return error.replace(/^[A-Z][A-Za-z]+: /, "");
}

/** One point of the chart: the best scores once a round had ended. */
export type ScorePoint = { round: number; train: number | null; val: number | null };

/** Adds (or replaces) the point of a progress report's round; points stay sorted. */
export function withProgressPoint(points: ScorePoint[], progress: Partial<OptimizationProgress>): ScorePoint[] {
  const { round, best_train, best_val } = progress;
  if (round === undefined || (best_train == null && best_val == null)) return points;
  return withPoint(points, { round, train: best_train ?? null, val: best_val ?? null });
}

function withPoint(points: ScorePoint[], point: ScorePoint): ScorePoint[] {
  const others = points.filter((p) => p.round !== point.round);
  return [...others, point].sort((a, b) => a.round - b.round);
}

/**
 * The chart while the run goes: the rounds reported live, and the earlier ones rebuilt from
 * the history stored so far (a page opened mid-run saw none of them). The round still going
 * is left out until it is reported: the history shows it only in part.
 */
export function liveSeries(fromHistory: ScorePoint[], live: ScorePoint[]): ScorePoint[] {
  const lastReported = live.length > 0 ? live[live.length - 1].round : -1;
  return live.reduce(withPoint, fromHistory.filter((p) => p.round <= lastReported));
}

/**
 * The best train and validation scores at the end of each round, from the stored history,
 * the way the running search reported them: validation is the best validated so far; train
 * is the best score on the whole trainset so far. Bandit also scores prefixes of the
 * trainset, which are not comparable: of its candidates only those validated (always fully
 * trained) or scored on as many cases as the start prompt count.
 */
export function seriesFromHistory(candidates: OptimizationCandidate[], strategy: StrategyName): ScorePoint[] {
  if (candidates.length === 0) return [];
  const fullCases = Math.max(...candidates.filter((c) => c.parents.length === 0).map((c) => c.train_cases), 0);
  const fullyTrained = (c: OptimizationCandidate) =>
    strategy !== "bandit" || c.val_score !== null || c.train_cases >= fullCases;
  const lastRound = Math.max(...candidates.map((c) => c.round));
  const points: ScorePoint[] = [];
  let train: number | null = null;
  let val: number | null = null;
  for (let round = 0; round <= lastRound; round++) {
    for (const c of candidates) {
      if (c.round !== round) continue;
      if (c.train_score !== null && fullyTrained(c)) train = Math.max(train ?? -Infinity, c.train_score);
      if (c.val_score !== null) val = Math.max(val ?? -Infinity, c.val_score);
    }
    if (train !== null || val !== null) points.push({ round, train, val });
  }
  return points;
}

/** The candidate holding the best template (the key is a hash of the same text). */
export function findWinner(
  candidates: OptimizationCandidate[],
  bestTemplate: string | null,
): OptimizationCandidate | undefined {
  if (bestTemplate === null) return undefined;
  return candidates.find((c) => c.template === bestTemplate);
}

/**
 * The candidate a running search would choose now, as `SearchRun` does: the best validation
 * score, then the best train score; the earlier one wins an exact tie.
 */
export function bestSoFar(candidates: OptimizationCandidate[]): OptimizationCandidate | undefined {
  let best: OptimizationCandidate | undefined;
  for (const c of candidates) {
    if (c.val_score === null) continue;
    if (best === undefined || isBetter(c, best)) best = c;
  }
  return best;
}

function isBetter(a: OptimizationCandidate, b: OptimizationCandidate): boolean {
  if (a.val_score !== b.val_score) return (a.val_score ?? -1) > (b.val_score ?? -1);
  return (a.train_score ?? -1) > (b.train_score ?? -1);
}

/** From `candidate` back to the start prompt, following each first parent. */
export function lineageChain(
  candidates: OptimizationCandidate[],
  candidate: OptimizationCandidate,
): { chain: OptimizationCandidate[]; missing: string | null } {
  const byKey = new Map(candidates.map((c) => [c.key, c]));
  const chain = [candidate];
  const seen = new Set([candidate.key]);
  let current = candidate;
  while (current.parents.length > 0) {
    const parentKey = current.parents[0];
    const parent = byKey.get(parentKey);
    if (parent === undefined) return { chain, missing: parentKey };
    if (seen.has(parent.key)) break;
    seen.add(parent.key);
    chain.push(parent);
    current = parent;
  }
  return { chain, missing: null };
}

export function shortKey(key: string): string {
  return key.slice(0, 7);
}

/** The calls a run needs before it can report anything: the starting prompt on every train
 *  and validation case, plus the test split scored twice at the end (the start and the
 *  winner). Those test calls are set aside from the budget before the search begins
 *  (`run_optimization`), so the search can neither read nor spend them. */
export function minimumCalls(sizes: { train: number; val: number; test: number }): number {
  return sizes.train + sizes.val + 2 * sizes.test;
}

/** The train/validation/test sizes the run will use: mirrors `split_by_fractions` in
 *  src/autoforge/optimizations/runner.py (at least one train and one validation case). */
export function splitSizes(total: number, split: SplitIn): { train: number; val: number; test: number } {
  const test = Math.min(Math.floor(total * split.test), Math.max(0, total - 2));
  const val = Math.max(1, Math.min(Math.floor(total * split.val), total - test - 1));
  const train = Math.max(1, Math.min(Math.floor(total * split.train), total - test - val));
  return { train, val, test };
}

/** A score difference (0..1 scale) as signed percentage points: 0.067 -> "+6.7 pp". */
export function formatPoints(delta: number | null | undefined): string {
  if (delta === null || delta === undefined) return "—";
  const points = delta * 100;
  // Signed like the verdict's figures ("+0.000"); a tiny loss must not print as "-0.0".
  const rounded = Math.abs(points) < 0.05 ? 0 : points;
  return `${rounded < 0 ? "-" : "+"}${Math.abs(rounded).toFixed(1)} pp`;
}

/** The figures the headline improvement is measured on. Runs recorded before the test
 *  split existed have no `measured_on`: their improvement was a validation one. */
export type Headline = {
  on: "test" | "validation";
  /** "held-out test, 13 cases" or "validation — also chose the winner" */
  where: string;
  baseline: number | null;
  best: number | null;
  improvement: number | null;
  /** the 95 % interval of the test improvement; null on validation */
  interval: { low: number; high: number } | null;
};

export function headline(o: Optimization): Headline {
  if (o.measured_on === "test") {
    const cases = o.test_cases ?? 0;
    return {
      on: "test",
      where: `held-out test, ${cases} ${cases === 1 ? "case" : "cases"}`,
      baseline: o.baseline_test,
      best: o.best_test,
      improvement: o.improvement,
      interval:
        o.test_delta_low !== null && o.test_delta_high !== null
          ? { low: o.test_delta_low, high: o.test_delta_high }
          : null,
    };
  }
  return {
    on: "validation",
    where: "validation — also chose the winner",
    baseline: o.baseline_val,
    best: o.best_val,
    improvement: o.improvement ?? (o.best_val !== null && o.baseline_val !== null ? o.best_val - o.baseline_val : null),
    interval: null,
  };
}
