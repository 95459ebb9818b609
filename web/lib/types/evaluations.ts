// Shapes of /api/v1/evaluations (src/autoforge/evaluations/schemas.py and assertions/), plus
// the few fields of /prompts and /models the evaluation form reads.

export type EvaluationStatus = "pending" | "running" | "completed" | "failed";
export type CallMode = "auto" | "chat" | "completion";

// --- assertions (a discriminated union on `type`; every one has a `weight`) ---

type Weighted = { weight?: number };

export type EqualsAssertion = Weighted & {
  type: "equals";
  value?: string | null;
  ignore_case?: boolean;
  strip?: boolean;
  /** compare the output's first non-empty line only (what an inferred label scoring uses) */
  first_line?: boolean;
};
export type ContainsAssertion = Weighted & { type: "contains" | "icontains"; value?: string | null };
export type RegexAssertion = Weighted & {
  type: "regex";
  pattern: string;
  ignore_case?: boolean;
  full_match?: boolean;
};
export type LengthAssertion = Weighted & {
  type: "length";
  min_chars?: number | null;
  max_chars?: number | null;
};
export type IsJsonAssertion = Weighted & { type: "is_json"; extract?: boolean };
export type JsonSchemaAssertion = Weighted & {
  type: "json_schema";
  json_schema: Record<string, unknown>;
  extract?: boolean;
};
export type JsonMatchAssertion = Weighted & {
  type: "json_match";
  mode?: "equals" | "subset";
  value?: string | null;
  extract?: boolean;
};
export type SimilarityAssertion = Weighted & { type: "similarity"; value?: string | null; threshold?: number };
export type LlmJudgeAssertion = Weighted & { type: "llm_judge"; rubric: string; threshold?: number };
export type LatencyAssertion = Weighted & { type: "latency"; max_ms: number };
export type CostAssertion = Weighted & { type: "cost"; max_usd: number };

export type AssertionSpec =
  | EqualsAssertion
  | ContainsAssertion
  | RegexAssertion
  | LengthAssertion
  | IsJsonAssertion
  | JsonSchemaAssertion
  | JsonMatchAssertion
  | SimilarityAssertion
  | LlmJudgeAssertion
  | LatencyAssertion
  | CostAssertion;

export type AssertionType = AssertionSpec["type"];

export type AssertionSet = { assertions: AssertionSpec[]; pass_threshold?: number };

// --- starting evaluations ---

export type GenerationParams = {
  temperature?: number;
  max_tokens?: number | null;
  stop?: string[] | null;
  seed?: number | null;
};

export type EvaluationCreate = {
  prompt_id: string;
  prompt_version?: number;
  dataset_id: string;
  dataset_version?: number;
  models: string[];
  assertions?: AssertionSet;
  /** Fields left out keep the example dataset's suggested values. */
  params: GenerationParams;
  concurrency?: number;
  mode: CallMode;
  judge_model?: string;
  no_cache: boolean;
};

export type Progress = {
  done: number;
  total: number;
  passed: number;
  /** mean score of the cases done so far */
  running_score: number | null;
};

/** The frozen run configuration the service writes (evaluations/service.py `_config`). */
export type EvaluationConfig = {
  assertions?: AssertionSet;
  params?: GenerationParams;
  mode?: CallMode;
  concurrency?: number;
  judge_model?: string | null;
  no_cache?: boolean;
  dataset_id?: string;
  dataset_name?: string;
};

export type Evaluation = {
  id: string;
  group_id: string | null;
  prompt_id: string;
  prompt_version: number;
  dataset_version_id: string | null;
  model: string;
  provider: string;
  status: EvaluationStatus;
  error: string | null;
  progress: Progress;
  overall_score: number | null;
  accuracy_score: number | null;
  hallucination_rate: number | null;
  style_consistency: number | null;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  /** the sum over priced calls */
  total_cost_usd: number;
  /** calls without a known price, missing from total_cost_usd */
  unpriced_calls: number;
  total_tokens: number;
  /** model calls answered from the response cache */
  cache_hits: number;
  config: EvaluationConfig;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
};

export type EvaluationBatch = { group_id: string; evaluations: Evaluation[] };

/** The `progress` event of /evaluations/{id}/events. */
export type ProgressEvent = Progress & { status: EvaluationStatus };

export type TestResult = {
  test_case_name: string;
  input: Record<string, unknown>;
  output: string | null;
  expected: string | null;
  score: number;
  passed: boolean;
  latency_ms: number;
  tokens: number;
  /** null: unpriced (no price known for the model) */
  cost_usd: number | null;
  unpriced: boolean;
  cache_hit: boolean;
  reason: string | null;
  error: string | null;
  /** counted in the hallucination rate (judge verdict, else reference check); null: not checked */
  unsupported: boolean | null;
};

export type ResultPage = { items: TestResult[]; next_cursor: string | null };

// --- comparison ---

export type CaseComparison = {
  test_case_name: string;
  expected: string | null;
  /** in request order */
  scores: number[];
  passed: boolean[];
  outputs: (string | null)[];
};

/** Candidate minus baseline, with a 95 % paired bootstrap interval over the cases. */
export type Interval = { delta: number; ci_low: number; ci_high: number; significant: boolean };

/** One evaluation against the baseline; every number is a change (candidate minus baseline). */
export type EvaluationDelta = {
  evaluation_id: string;
  score: Interval;
  accuracy: Interval;
  hallucination_rate: number | null;
  style_consistency: number | null;
  latency_p50_ms: number | null;
  total_cost_usd: number;
};

export type ComparisonReport = {
  evaluations: Evaluation[];
  cases_compared: number;
  deltas: EvaluationDelta[];
  cases: CaseComparison[];
};

// --- what the form reads from other areas ---

/** The fields of GET /prompts items the evaluation pages use. */
export type PromptRef = { id: string; name: string; title: string; version: number; status: string };

/** The fields of GET /prompts/{id}/versions items the form uses. */
export type PromptVersionRef = { version: number; title: string; labels: string[] };

/** GET /api/v1/models */
export type ModelStatus = { name: string; available: boolean; detail: string; is_default: boolean };
