// Bodies of GET /prompts/{id}/genome (src/autoforge/style/schemas.py).

export type Genome = {
  source: "evaluation" | "traces";
  prompt_id: string;
  version: number;
  evaluation_id: string | null;
  model: string | null;
  samples: number;
  consistency: number;
  genes: Record<string, number>;
  spread: Record<string, number>;
};

export type GeneComparison = {
  name: string;
  kind: "count" | "share";
  description: string;
  a: number;
  b: number;
  a_scaled: number;
  b_scaled: number;
  difference: number;
};

export type GenomeComparison = {
  a: Genome;
  b: Genome;
  distance: number;
  threshold: number;
  drifted: boolean;
  genes: GeneComparison[];
};

export type ConsistencyPoint = {
  evaluation_id: string;
  version: number;
  model: string;
  finished_at: string | null;
  samples: number;
  consistency: number;
};

export type DriftEvent = { event_id: string; occurred_at: string; data: Record<string, unknown> };

export type PromptGenome = {
  prompt_id: string;
  prompt_name: string;
  reference_label: string;
  reference_version: number | null;
  genome: Genome;
  comparison: GenomeComparison | null;
  drift: boolean;
  history: ConsistencyPoint[];
  drift_events: DriftEvent[];
};
