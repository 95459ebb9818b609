// Shapes of /api/v1/optimizations (src/autoforge/optimizations/schemas.py and router.py).
// Dates are ISO strings.

import type { Page } from "@/lib/api";

export type OptimizationStatus = "pending" | "running" | "completed" | "failed";

export const OPTIMIZATION_STATUSES: OptimizationStatus[] = ["pending", "running", "completed", "failed"];

export type StrategyName = "genetic" | "bandit" | "opro";

/** Where the run stops: whichever limit comes first (cache hits are free). */
export type BudgetIn = { calls?: number; usd?: number | null; seconds?: number | null };

/** Shares of the dataset's items for search (train), selection (val) and a final test. */
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
};

/** The latest report of the running search (written after each generation/bracket/step). */
export type OptimizationProgress = {
  round: number;
  best_train: number | null;
  best_val: number | null;
  calls: number;
  cache_hits: number;
  cost_usd: number;
  candidates: number;
};

/** What `service._config` freezes at the start; only the keys the UI reads. */
export type OptimizationConfig = {
  split?: SplitIn;
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
  /** best minus baseline, on the validation set */
  improvement: number | null;
  calls_used: number;
  cache_hits: number;
  cost_usd: number;
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
  /** generation (genetic), bracket (bandit) or step (opro) */
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
