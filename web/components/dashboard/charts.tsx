"use client";

import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

import Link from "next/link";

import { EmptyState } from "@/components/feedback";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import type { CallDay, EvaluationDay } from "@/lib/types/dashboard";

function ChartCard({ title, testId, children }: { title: string; testId: string; children: React.ReactElement }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>{title}</CardTitle>
      </CardHeader>
      <CardContent>
        <div className="h-56" data-testid={testId}>
          <ResponsiveContainer width="100%" height="100%">
            {children}
          </ResponsiveContainer>
        </div>
      </CardContent>
    </Card>
  );
}

export function EvaluationsChart({ days }: { days: EvaluationDay[] }) {
  return (
    <ChartCard title="Evaluations per day" testId="chart-evaluations">
      <BarChart data={days}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="day" fontSize={11} />
        <YAxis allowDecimals={false} fontSize={11} />
        <Tooltip />
        <Legend />
        <Bar dataKey="completed" name="completed" fill="#0f172a" />
        <Bar dataKey="evaluations" name="started" fill="#94a3b8" />
      </BarChart>
    </ChartCard>
  );
}

export function ScoresChart({ days }: { days: EvaluationDay[] }) {
  return (
    <ChartCard title="Average scores" testId="chart-scores">
      <LineChart data={days}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="day" fontSize={11} />
        <YAxis domain={[0, 1]} fontSize={11} />
        <Tooltip formatter={(v) => (typeof v === "number" ? v.toFixed(3) : String(v))} />
        <Legend />
        <Line dataKey="avg_score" name="overall score" stroke="#7c3aed" connectNulls />
        <Line dataKey="avg_accuracy" name="accuracy" stroke="#16a34a" connectNulls />
      </LineChart>
    </ChartCard>
  );
}

export function CostChart({ days }: { days: CallDay[] }) {
  return (
    <ChartCard title="Model cost per day (USD)" testId="chart-cost">
      <BarChart data={days}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="day" fontSize={11} />
        <YAxis fontSize={11} />
        <Tooltip formatter={(v) => (typeof v === "number" ? `$${v.toFixed(4)}` : String(v))} />
        <Bar dataKey="cost_usd" name="cost" fill="#ea580c" />
      </BarChart>
    </ChartCard>
  );
}

export function LatencyChart({ days }: { days: CallDay[] }) {
  return (
    <ChartCard title="Calls and latency per day" testId="chart-latency">
      <LineChart data={days}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="day" fontSize={11} />
        <YAxis yAxisId="calls" allowDecimals={false} fontSize={11} />
        <YAxis yAxisId="ms" orientation="right" fontSize={11} unit=" ms" />
        <Tooltip />
        <Legend />
        <Line yAxisId="calls" dataKey="calls" name="calls" stroke="#0f172a" />
        <Line yAxisId="calls" dataKey="cache_hits" name="cache hits" stroke="#94a3b8" />
        <Line yAxisId="ms" dataKey="avg_latency_ms" name="avg latency" stroke="#2563eb" connectNulls />
      </LineChart>
    </ChartCard>
  );
}

/** The four charts, or what to do to get them; one module, so recharts loads in one go. */
export function DashboardCharts({ evaluations, calls }: { evaluations: EvaluationDay[]; calls: CallDay[] }) {
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      {evaluations.length > 0 ? (
        <>
          <EvaluationsChart days={evaluations} />
          <ScoresChart days={evaluations} />
        </>
      ) : (
        <EmptyState title="No evaluations in the last 30 days">
          Start one on the{" "}
          <Link className="underline" href="/evaluations/new/">
            Evaluations
          </Link>{" "}
          page to see scores over time here.
        </EmptyState>
      )}
      {calls.length > 0 ? (
        <>
          <CostChart days={calls} />
          <LatencyChart days={calls} />
        </>
      ) : (
        <EmptyState title="No model calls in the last 30 days">
          Run a prompt from its page to see cost and latency here.
        </EmptyState>
      )}
    </div>
  );
}
