// Shapes of /api/v1/slos (src/autoforge/slos/schemas.py).

export type SLOState = "unknown" | "ok" | "violated";
export type CheckResult = "ok" | "violated" | "no_data";

export type SLOTargets = {
  min_score: number | null;
  max_p95_latency_ms: number | null;
  max_error_rate: number | null;
  max_cost_per_call: number | null;
};

/** What a window held; null where there was nothing to compute it from. */
export type SLOFigures = {
  calls: number;
  errors: number;
  error_rate: number | null;
  p95_latency_ms: number | null;
  cost_per_call: number | null;
  total_cost: number;
  evaluations: number;
  score: number | null;
};

export type SLO = {
  id: string;
  prompt_id: string;
  prompt_name: string;
  label: string | null;
  window_s: number;
  targets: SLOTargets;
  min_calls: number;
  state: SLOState;
  state_since: string;
  breached: string[];
  figures: SLOFigures;
  checked_at: string | null;
  created_at: string;
  updated_at: string;
};

export type SLOCheck = {
  checked_at: string;
  result: CheckResult;
  state: SLOState;
  transition: "violated" | "recovered" | null;
  breached: string[];
  figures: SLOFigures;
};

export type SLOHistory = { slo: SLO; items: SLOCheck[] };
