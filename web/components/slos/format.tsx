"use client";

import { Badge, type Tone } from "@/components/ui/badge";
import type { SLO, SLOState } from "@/lib/types/slos";
import { formatMs, formatPercent, formatScore, formatUsd } from "@/lib/utils";

const STATE_TONES: Record<SLOState, Tone> = { ok: "green", violated: "red", unknown: "neutral" };

export function StateBadge({ slo }: { slo: SLO }) {
  return (
    <span data-testid="slo-state" className="inline-flex flex-wrap items-center gap-1">
      <Badge tone={STATE_TONES[slo.state]}>{slo.state}</Badge>
      {slo.state === "violated" && slo.breached.map((b) => <Badge key={b} tone="amber">{b}</Badge>)}
    </span>
  );
}

export function objectives(slo: SLO): string[] {
  const t = slo.targets;
  const parts: string[] = [];
  if (t.min_score !== null) parts.push(`score ≥ ${formatScore(t.min_score)}`);
  if (t.max_p95_latency_ms !== null) parts.push(`p95 ≤ ${formatMs(t.max_p95_latency_ms)}`);
  if (t.max_error_rate !== null) parts.push(`errors ≤ ${formatPercent(t.max_error_rate)}`);
  if (t.max_cost_per_call !== null) parts.push(`cost ≤ ${formatUsd(t.max_cost_per_call)}/call`);
  return parts;
}

export function formatWindow(seconds: number): string {
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60]] as const) {
    if (seconds % size === 0) return `${seconds / size} ${unit}`;
  }
  return `${seconds} s`;
}
