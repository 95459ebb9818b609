// Shapes of /api/v1/optimizations (src/autoforge/optimizations/schemas.py and router.py).
// Dates are ISO strings.

import type { Page } from "@/lib/api";

import type { ScoringSource } from "./datasets";
import type { AssertionSet, GenerationParams } from "./evaluations";

export type OptimizationStatus = "pending" | "running" | "completed" | "failed";

export const OPTIMIZATION_STATUSES: OptimizationStatus[] = ["pending", "running", "completed", "failed"];

/** `reflective` needs `optimizer_model` (the API answers 422 without one). */
export type StrategyName = "genetic" | "bandit" | "opro" | "reflective";

/** Where the run stops: whichever limit comes first (cache hits are free). */
export type BudgetIn = { calls?: number; usd?: number | null; seconds?: number | null };

/** Shares of the dataset's items for search (train), selection (val) and the held-out test
 *  the result is reported on (no step of the search reads it; 0 reports on validation). */
export type SplitIn = { train: number; val: number; test: number };

export type OptimizationCreate = {
  /** the prompt's name or id */
  prompt: string;
  /** default: the label's version, else the latest; not together with `label` */
  prompt_version?: number;
  label?: string;
  /** the dataset's name or id */
  dataset: string;
  /** default: latest */
  dataset_version?: number;
  strategy: StrategyName;
  /** target model; default: the configured one */
  model?: string;
  /** a capable model for the rewriting operators */
  optimizer_model?: string;
  budget: BudgetIn;
  seed: number;
  split: SplitIn;
  /** default: the dataset version's scoring */
  assertions?: AssertionSet;
  /** fields left out keep the dataset version's generation settings */
  params?: GenerationParams;
};

/** The latest report of the running search (written after each generation/bracket/step). */
export type OptimizationProgress = {
  round: number;
  best_train: number | null;
  best_val: number | null;
  calls: number;
  cache_hits: number;
  /** USD of the priced calls so far */
  cost_usd: number;
  candidates: number;
  /** calls without a known price: not in cost_usd (absent in reports from before it) */
  unpriced_calls?: number;
};

/** What `service._config` freezes at the start; only the keys the UI reads. */
export type OptimizationConfig = {
  split?: SplitIn;
  /** what the run scores with: the request's, else the dataset version's */
  assertions?: AssertionSet;
  params?: GenerationParams;
  scoring?: {
    assertions_from: "request" | "dataset";
    dataset_scoring: ScoringSource;
    explanation: string;
  };
  dataset_id?: string;
  dataset_name?: string;
  [extra: string]: unknown;
};

export type Optimization = {
  id: string;
  prompt_id: string;
  prompt_version: number;
  dataset_version_id: string | null;
  strategy: StrategyName;
  model: string;
  optimizer_model: string | null;
  seed: number;
  /** as posted: {calls, usd, seconds} */
  budget: { calls?: number | null; usd?: number | null; seconds?: number | null };
  config: OptimizationConfig;
  status: OptimizationStatus;
  progress: OptimizationProgress | null;
  baseline_train: number | null;
  baseline_val: number | null;
  best_train: number | null;
  best_val: number | null;
  best_test: number | null;
  /** the start's score on the test split */
  baseline_test: number | null;
  /** held-out test cases the result is measured on */
  test_cases: number | null;
  /** 95 % paired-bootstrap interval of the test improvement */
  test_delta_low: number | null;
  test_delta_high: number | null;
  /** where `improvement` is measured: the held-out test split, or (no test split, or the
   *  budget ran out first) the validation split that also chose the winner; null before
   *  the run ends */
  measured_on: "test" | "validation" | null;
  /** winner minus start, on `measured_on` */
  improvement: number | null;
  /** the result in plain words */
  verdict: string | null;
  calls_used: number;
  cache_hits: number;
  /** USD of the priced calls */
  cost_usd: number;
  /** calls to a model without a known price (set LLM_PRICES): not in cost_usd */
  unpriced_calls: number;
  wall_s: number | null;
  stop_reason: string | null;
  best_template: string | null;
  /** the prompt version holding the best template */
  best_version: number | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
};

export type OptimizationPage = Page<Optimization>;

export type OptimizationCandidate = {
  /** order in which the search evaluated it */
  position: number;
  /** content address of the template (12 hex digits) */
  key: string;
  /** generation (genetic), bracket (bandit) or step (opro, reflective) */
  round: number;
  template: string;
  train_score: number | null;
  /** train cases scored (bandit scores prefixes of the trainset) */
  train_cases: number;
  val_score: number | null;
  /** calls used when it was first scored */
  calls_at: number;
  parents: string[];
  operators: string[];
};

export type CandidatePage = {
  items: OptimizationCandidate[];
  /** pass as `after` for the next page */
  next_cursor: number | null;
};

/** The `progress` event of /optimizations/{id}/events: the status and the latest progress
 *  (the progress keys are absent until the run has reported once). */
export type ProgressEvent = { status: OptimizationStatus } & Partial<OptimizationProgress>;
