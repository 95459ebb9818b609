"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";

import { EmptyState, ErrorMessage, Loading, PageTitle } from "@/components/feedback";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, Td, Th } from "@/components/ui/table";
import { api } from "@/lib/api";
import type { CaseComparison, ComparisonReport, Evaluation, EvaluationDelta, Interval } from "@/lib/types/evaluations";
import { formatMs, formatUsd } from "@/lib/utils";

import { METRICS } from "./aggregates";
import { DatasetLabel, PassBadge, PromptLabel, shortId } from "./shared";

const CASES_PAGE = 100;

function signed(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined) return "—";
  return `${value > 0 ? "+" : ""}${value.toFixed(digits)}`;
}

/** Two completed evaluations side by side: `a` is the baseline, `b` is compared with it. */
export function ComparisonView({ a, b }: { a: string; b: string }) {
  const report = useQuery({
    queryKey: ["evaluations", "compare", a, b],
    queryFn: () => api.post<ComparisonReport>("/evaluations:compare", { evaluation_ids: [a, b] }),
  });

  return (
    <div className="space-y-6">
      <PageTitle
        actions={
          <Link href={`/evaluations/compare/?a=${b}&b=${a}`} className="text-sm text-slate-600 underline">
            Swap baseline
          </Link>
        }
      >
        Compare evaluations
      </PageTitle>
      {report.isPending && <Loading what="Comparing" />}
      <ErrorMessage error={report.error} />
      {report.data && <Report report={report.data} />}
    </div>
  );
}

function Report({ report }: { report: ComparisonReport }) {
  const [baseline, candidate] = report.evaluations;
  const delta = report.deltas[0];
  return (
    <>
      <Card>
        <CardHeader>
          <CardTitle>Aggregates</CardTitle>
        </CardHeader>
        <CardContent>
          <Table aria-label="Aggregates side by side">
            <thead>
              <tr>
                <Th>Metric</Th>
                <Th>
                  <EvaluationHeading evaluation={baseline} role="A · baseline" />
                </Th>
                <Th>
                  <EvaluationHeading evaluation={candidate} role="B" />
                </Th>
              </tr>
            </thead>
            <tbody>
              {METRICS.map((metric) => (
                <tr key={metric.label}>
                  <Td className="text-slate-600">{metric.label}</Td>
                  <Td>{metric.value(baseline)}</Td>
                  <Td>{metric.value(candidate)}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </CardContent>
      </Card>
      {delta && <DeltaCard delta={delta} casesCompared={report.cases_compared} />}
      <CasesCard cases={report.cases} />
    </>
  );
}

function EvaluationHeading({ evaluation, role }: { evaluation: Evaluation; role: string }) {
  return (
    <div className="normal-case">
      <p className="text-xs uppercase">{role}</p>
      <Link href={`/evaluations/view/?id=${evaluation.id}`} className="font-mono text-slate-900 underline">
        {shortId(evaluation.id)}
      </Link>
      <p className="font-normal text-slate-700">
        <PromptLabel promptId={evaluation.prompt_id} version={evaluation.prompt_version} /> ·{" "}
        <DatasetLabel evaluation={evaluation} /> · <span className="font-mono">{evaluation.model}</span>
      </p>
    </div>
  );
}

function IntervalText({ interval }: { interval: Interval }) {
  return (
    <span>
      <span className="font-semibold">{signed(interval.delta)}</span>{" "}
      <span className="text-slate-500">
        [{signed(interval.ci_low)}, {signed(interval.ci_high)}]
      </span>{" "}
      {interval.significant ? (
        <Badge tone={interval.delta > 0 ? "green" : "red"}>significant</Badge>
      ) : (
        <Badge>could be noise</Badge>
      )}
    </span>
  );
}

function DeltaCard({ delta, casesCompared }: { delta: EvaluationDelta; casesCompared: number }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>B minus A</CardTitle>
      </CardHeader>
      <CardContent className="space-y-3 text-sm">
        <p className="text-slate-600">
          On the {casesCompared} cases both evaluations share (matched by case name), with a 95 % paired bootstrap interval:
          a difference is significant when the interval excludes 0.
        </p>
        <dl className="grid gap-3 sm:grid-cols-2">
          <div>
            <dt className="text-xs uppercase text-slate-500">Score</dt>
            <dd>
              <IntervalText interval={delta.score} />
            </dd>
          </div>
          <div>
            <dt className="text-xs uppercase text-slate-500">Accuracy</dt>
            <dd>
              <IntervalText interval={delta.accuracy} />
            </dd>
          </div>
          <div>
            <dt className="text-xs uppercase text-slate-500">Hallucination rate</dt>
            <dd>{signed(delta.hallucination_rate)}</dd>
          </div>
          <div>
            <dt className="text-xs uppercase text-slate-500">Style consistency</dt>
            <dd>{signed(delta.style_consistency)}</dd>
          </div>
          <div>
            <dt className="text-xs uppercase text-slate-500">Latency p50</dt>
            <dd>
              {delta.latency_p50_ms === null ? "—" : `${delta.latency_p50_ms > 0 ? "+" : delta.latency_p50_ms < 0 ? "−" : ""}${formatMs(Math.abs(delta.latency_p50_ms))}`}
            </dd>
          </div>
          <div>
            <dt className="text-xs uppercase text-slate-500">Cost</dt>
            <dd>
              {delta.total_cost_usd > 0 ? "+" : delta.total_cost_usd < 0 ? "−" : ""}
              {formatUsd(Math.abs(delta.total_cost_usd))}
            </dd>
          </div>
        </dl>
      </CardContent>
    </Card>
  );
}

function CasesCard({ cases }: { cases: CaseComparison[] }) {
  const [onlyDiffering, setOnlyDiffering] = useState(true);
  const [shown, setShown] = useState(CASES_PAGE);
  const differing = cases.filter((c) => c.scores[0] !== c.scores[1] || c.passed[0] !== c.passed[1] || c.outputs[0] !== c.outputs[1]);
  const rows = onlyDiffering ? differing : cases;

  return (
    <Card>
      <CardHeader>
        <CardTitle>Cases</CardTitle>
      </CardHeader>
      <CardContent className="space-y-3">
        <label className="flex items-center gap-2 text-sm text-slate-700">
          <input type="checkbox" checked={onlyDiffering} onChange={(e) => setOnlyDiffering(e.target.checked)} />
          Only cases that differ ({differing.length} of {cases.length})
        </label>
        {rows.length === 0 ? (
          <EmptyState title="Both evaluations gave the same answers on every shared case" />
        ) : (
          <Table aria-label="Cases compared">
            <thead>
              <tr>
                <Th>Case</Th>
                <Th>Expected</Th>
                <Th>A</Th>
                <Th>B</Th>
                <Th>Score Δ</Th>
              </tr>
            </thead>
            <tbody>
              {rows.slice(0, shown).map((c) => (
                <tr key={c.test_case_name}>
                  <Td className="font-mono text-xs">{c.test_case_name}</Td>
                  <Td className="max-w-48 whitespace-pre-wrap break-words">{c.expected ?? "—"}</Td>
                  {[0, 1].map((k) => (
                    <Td key={k} className="max-w-64">
                      <div className="flex items-center gap-2">
                        <PassBadge passed={c.passed[k]} />
                        <span>{c.scores[k].toFixed(2)}</span>
                      </div>
                      <p className="mt-1 whitespace-pre-wrap break-words font-mono text-xs text-slate-700">{c.outputs[k] ?? "—"}</p>
                    </Td>
                  ))}
                  <Td className={c.scores[1] > c.scores[0] ? "text-green-700" : c.scores[1] < c.scores[0] ? "text-red-700" : ""}>
                    {signed(c.scores[1] - c.scores[0], 2)}
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        {rows.length > shown && (
          <Button variant="outline" onClick={() => setShown(shown + CASES_PAGE)}>
            Show more cases
          </Button>
        )}
      </CardContent>
    </Card>
  );
}
