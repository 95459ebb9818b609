"use client";

import { ProgressBar } from "@/components/feedback";
import { StatusBadge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Fact } from "@/components/ui/fact";
import type { Optimization, OptimizationProgress, OptimizationStatus } from "@/lib/types/optimizations";
import { describeScoring, sourceWords } from "@/lib/scoring";
import { formatDate, formatScore, formatUsd, unpricedNote } from "@/lib/utils";

import { roundName } from "./history";

/** Where the run stands: status, calls against the budget, the latest round's best scores. */
export function ProgressCard({
  optimization: o,
  status,
  progress,
  promptName,
}: {
  optimization: Optimization;
  status: OptimizationStatus;
  progress: Partial<OptimizationProgress> | null;
  promptName: string | undefined;
}) {
  const calls = progress?.calls ?? o.calls_used;
  const budget = o.budget.calls ?? null;
  const round = roundName(o.strategy);
  return (
    <Card>
      <CardHeader className="flex flex-wrap items-center gap-3">
        <CardTitle>Progress</CardTitle>
        <span role="status" aria-label="Optimization status" data-testid="optimization-status">
          <StatusBadge status={status} />
        </span>
        <span className="text-xs text-slate-500">
          {promptName ?? o.prompt_id.slice(0, 8)} v{o.prompt_version} on {o.config.dataset_name ?? "?"} · {o.strategy} ·{" "}
          {o.model}
          {o.optimizer_model ? ` (optimizer ${o.optimizer_model})` : ""} · seed {o.seed}
        </span>
      </CardHeader>
      <CardContent className="space-y-4">
        {budget ? <ProgressBar done={calls} total={budget} label="model calls" /> : <p className="text-sm">{calls} model calls</p>}
        <StatusLine status={status} hasProgress={progress?.round !== undefined} round={round} />
        <RunScoring optimization={o} />
        <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-4">
          <Fact term={`Latest ${round}`} testId="current-round">
            {progress?.round ?? "—"}
          </Fact>
          <Fact term="Best train so far" testId="best-train">
            {formatScore(progress?.best_train)}
          </Fact>
          <Fact term="Best validation so far" testId="best-val">
            {formatScore(progress?.best_val)}
          </Fact>
          <Fact term="Candidates scored">{progress?.candidates ?? "—"}</Fact>
          <Fact term="Cache hits">{progress?.cache_hits ?? o.cache_hits}</Fact>
          <Fact term="Cost">
            {formatUsd(progress?.cost_usd ?? o.cost_usd)}
            {unpricedNote(progress?.unpriced_calls ?? o.unpriced_calls) ? (
              <span className="ml-1 text-xs text-amber-700" data-testid="unpriced-note">
                {unpricedNote(progress?.unpriced_calls ?? o.unpriced_calls)}
              </span>
            ) : null}
          </Fact>
          <Fact term="Other limits">{otherLimits(o)}</Fact>
          <Fact term="Started">{formatDate(o.started_at)}</Fact>
        </dl>
      </CardContent>
    </Card>
  );
}

/** What the run scores with, frozen at its start: the request's override or the dataset's. */
function RunScoring({ optimization: o }: { optimization: Optimization }) {
  const { assertions, params, scoring } = o.config;
  if (!assertions) return null; // a run recorded before scoring was frozen in its config
  const origin = !scoring
    ? null
    : scoring.assertions_from === "request"
      ? "overridden for this run"
      : `the dataset's, ${sourceWords(scoring.dataset_scoring)}`;
  return (
    <p className="text-sm text-slate-600" data-testid="run-scoring">
      <span className="text-xs uppercase text-slate-500">Scored with</span> {describeScoring(assertions, params ?? {})}
      {origin ? <span className="text-slate-500"> ({origin})</span> : null}
    </p>
  );
}

function StatusLine({ status, hasProgress, round }: { status: OptimizationStatus; hasProgress: boolean; round: string }) {
  const text =
    status === "pending"
      ? "Waiting for a worker to pick it up."
      : status === "running" && !hasProgress
        ? `Scoring the starting prompt and the first ${round}; scores appear with the first progress report.`
        : status === "running"
          ? `Searching: the chart gains a point each time a ${round} ends.`
          : null;
  return text ? (
    <p className="text-sm text-slate-600" role="status">
      {text}
    </p>
  ) : null;
}

function otherLimits(o: Optimization): string {
  const limits = [
    o.budget.usd != null ? `$${o.budget.usd}` : null,
    o.budget.seconds != null ? `${o.budget.seconds} s` : null,
  ].filter(Boolean);
  return limits.length > 0 ? limits.join(", ") : "none";
}
