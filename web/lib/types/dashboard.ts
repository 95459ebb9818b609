// Shapes of GET /api/v1/dashboard (src/autoforge/dashboard/schemas.py).

export type Totals = {
  prompts: number;
  active_prompts: number;
  datasets: number;
  evaluations: number;
  optimizations: number;
  model_calls: number;
  /** spent on calls with a known price */
  cost_usd: number;
  /** calls without a known price, missing from cost_usd (set LLM_PRICES) */
  unpriced_calls: number;
};

export type EvaluationDay = {
  day: string;
  evaluations: number;
  completed: number;
  avg_score: number | null;
  avg_accuracy: number | null;
};

export type CallDay = {
  day: string;
  calls: number;
  cache_hits: number;
  cost_usd: number;
  unpriced_calls: number;
  avg_latency_ms: number | null;
};

export type Dashboard = {
  days: number;
  totals: Totals;
  evaluations: EvaluationDay[];
  calls: CallDay[];
};
