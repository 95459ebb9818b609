// Shapes of GET /api/v1/dashboard (src/autoforge/dashboard/schemas.py).

export type Totals = {
  prompts: number;
  active_prompts: number;
  datasets: number;
  evaluations: number;
  optimizations: number;
  model_calls: number;
  cost_usd: number;
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
  avg_latency_ms: number | null;
};

export type Dashboard = {
  days: number;
  totals: Totals;
  evaluations: EvaluationDay[];
  calls: CallDay[];
};
