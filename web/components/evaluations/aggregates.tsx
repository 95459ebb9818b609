import type { Evaluation } from "@/lib/types/evaluations";
import { formatMs, formatPercent, formatScore, formatUsd, unpricedNote } from "@/lib/utils";

/** The aggregates an evaluation stores once completed, in the order they matter. */
export const METRICS: {
  label: string;
  value: (e: Evaluation) => string;
  hint?: string;
  note?: (e: Evaluation) => string | undefined;
}[] = [
  { label: "Overall score", value: (e) => formatScore(e.overall_score), hint: "mean case score, 0..1" },
  { label: "Accuracy", value: (e) => formatPercent(e.accuracy_score), hint: "cases passed" },
  { label: "Hallucination rate", value: (e) => formatPercent(e.hallucination_rate), hint: "outputs flagged as unsupported" },
  { label: "Style consistency", value: (e) => formatScore(e.style_consistency), hint: "how alike the outputs are in form" },
  { label: "Latency p50", value: (e) => formatMs(e.latency_p50_ms) },
  { label: "Latency p95", value: (e) => formatMs(e.latency_p95_ms) },
  {
    label: "Cost",
    value: (e) => formatUsd(e.total_cost_usd),
    hint: "over calls with a known price",
    note: (e) => unpricedNote(e.unpriced_calls),
  },
  { label: "Tokens", value: (e) => String(e.total_tokens) },
  { label: "Cache hits", value: (e) => String(e.cache_hits), hint: "model calls saved by the response cache" },
];

export function AggregateFacts({ evaluation }: { evaluation: Evaluation }) {
  return (
    <dl className="grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-5">
      {METRICS.map((metric) => (
        <div key={metric.label}>
          <dt className="text-xs uppercase text-slate-500" title={metric.hint}>
            {metric.label}
          </dt>
          <dd className="text-lg font-semibold text-slate-900">{metric.value(evaluation)}</dd>
          {metric.note?.(evaluation) && (
            <dd className="text-xs text-amber-700" data-testid="unpriced-note">
              {metric.note(evaluation)}
            </dd>
          )}
        </div>
      ))}
    </dl>
  );
}
