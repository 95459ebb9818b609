// Shapes of GET /api/v1/traces (src/autoforge/llm/schemas.py TraceOut and TraceList).

/** "gateway": a call made by this server; "otlp": a span another system sent over OTLP. */
export type TraceSource = "gateway" | "otlp";

export const TRACE_SOURCES: TraceSource[] = ["gateway", "otlp"];

export type Trace = {
  id: string;
  model: string;
  prompt_id: string | null;
  prompt_version: number | null;
  variables: Record<string, unknown> | null;
  input: Record<string, unknown>;
  output: string | null;
  finish_reason: string | null;
  tokens_in: number;
  tokens_out: number;
  /** null: unpriced (no price known for the model) */
  cost_usd: number | null;
  unpriced: boolean;
  latency_ms: number;
  cache_hit: boolean;
  attempts: number;
  error: string | null;
  created_at: string;
  source: TraceSource;
  provider: string | null;
  prompt_name: string | null;
  trace_id: string | null;
  span_id: string | null;
};

/** No cursor: the list is the newest `limit` calls (at most 500). */
export type TraceList = { items: Trace[] };
