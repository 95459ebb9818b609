"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  PolarAngleAxis,
  PolarGrid,
  PolarRadiusAxis,
  Radar,
  RadarChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

import { ErrorMessage, Loading, PageTitle } from "@/components/feedback";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Fact } from "@/components/ui/fact";
import { Select } from "@/components/ui/input";
import { Table, Td, Th } from "@/components/ui/table";
import { api } from "@/lib/api";
import type { ConsistencyPoint, GenomeComparison, PromptGenome } from "@/lib/types/genome";
import { formatDate, formatScore } from "@/lib/utils";

function figure(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

/** A prompt version's style genome against another version's (GET /prompts/{id}/genome). */
export function GenomeView({ id }: { id: string }) {
  const [version, setVersion] = useState<number | null>(null);
  const [compare, setCompare] = useState<number | null>(null);
  const genome = useQuery({
    queryKey: ["prompts", id, "genome", version, compare],
    queryFn: () => api.get<PromptGenome>(`/prompts/${encodeURIComponent(id)}/genome`, { version, compare }),
    placeholderData: keepPreviousData, // the version lists stay while another pair loads
  });
  const data = genome.data;
  const versions = [...new Set((data?.history ?? []).map((p) => p.version))].sort((a, b) => a - b);
  return (
    <div className="space-y-6">
      <PageTitle
        actions={
          <Link href={`/prompts/view/?id=${encodeURIComponent(id)}`} className="text-sm text-slate-600 underline">
            Back to the prompt
          </Link>
        }
      >
        Style genome{data ? ` · ${data.prompt_name}` : ""}
      </PageTitle>
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <label htmlFor="genome-version">Version</label>
        <Select
          id="genome-version"
          className="w-auto"
          value={version ?? ""}
          onChange={(e) => setVersion(e.target.value ? Number(e.target.value) : null)}
        >
          <option value="">latest evaluated</option>
          {versions.map((v) => (
            <option key={v} value={v}>
              v{v}
            </option>
          ))}
        </Select>
        <label htmlFor="genome-compare">compared with</label>
        <Select
          id="genome-compare"
          className="w-auto"
          value={compare ?? ""}
          onChange={(e) => setCompare(e.target.value ? Number(e.target.value) : null)}
        >
          <option value="">{data?.reference_label ?? "production"}</option>
          {versions.map((v) => (
            <option key={v} value={v}>
              v{v}
            </option>
          ))}
        </Select>
      </div>
      {genome.isPending && <Loading what="Profiling the outputs" />}
      <ErrorMessage error={genome.error} />
      {data && <GenomeReport data={data} />}
    </div>
  );
}

function GenomeReport({ data }: { data: PromptGenome }) {
  const c = data.comparison;
  return (
    <>
      <DriftFlag data={data} />
      <Card>
        <CardContent>
          <dl className="grid grid-cols-2 gap-4 pt-4 sm:grid-cols-4">
            <Fact term="Version">v{data.genome.version}</Fact>
            <Fact term="Consistency" testId="genome-consistency">
              {formatScore(data.genome.consistency)}
            </Fact>
            <Fact term="Outputs profiled">{data.genome.samples}</Fact>
            <Fact term={c ? `Distance from v${c.a.version}` : "Distance"} testId="genome-distance">
              {c ? formatScore(c.distance) : "—"}
            </Fact>
          </dl>
        </CardContent>
      </Card>
      {c ? <GeneChart comparison={c} /> : <GeneTable data={data} />}
      <ConsistencyChart points={data.history} />
      {data.drift_events.length > 0 && (
        <Card>
          <CardHeader>
            <CardTitle>Drift events</CardTitle>
          </CardHeader>
          <CardContent>
            <ul className="space-y-1 text-sm" aria-label="Drift events">
              {data.drift_events.map((e) => (
                <li key={e.event_id} data-testid="drift-event">
                  {formatDate(e.occurred_at)}: v{String(e.data.version)} drifted from v{String(e.data.baseline_version)}{" "}
                  (distance {formatScore(Number(e.data.distance))})
                </li>
              ))}
            </ul>
          </CardContent>
        </Card>
      )}
    </>
  );
}

function DriftFlag({ data }: { data: PromptGenome }) {
  const c = data.comparison;
  if (data.reference_version === null) {
    return <Badge>No version is labelled {data.reference_label}: nothing to drift from</Badge>;
  }
  if (data.drift && c) {
    return (
      <div role="alert" data-testid="drift-flag" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900">
        Style drift: v{data.genome.version} lies {formatScore(c.distance)} from {data.reference_label} (v
        {data.reference_version}), beyond the threshold {formatScore(c.threshold)}.
      </div>
    );
  }
  return (
    <Badge tone="green">
      {data.genome.version === data.reference_version
        ? `v${data.genome.version} is the ${data.reference_label} version`
        : `In style with ${data.reference_label} (v${data.reference_version})`}
    </Badge>
  );
}

/** Each gene of the two versions on one radar: shares as they are, counts / the larger value. */
function GeneChart({ comparison }: { comparison: GenomeComparison }) {
  const a = `v${comparison.a.version}`;
  const b = `v${comparison.b.version}`;
  const rows = comparison.genes.map((g) => ({ gene: g.name, [a]: g.a_scaled, [b]: g.b_scaled }));
  return (
    <Card>
      <CardHeader>
        <CardTitle>
          Genes: {b} against {a}
        </CardTitle>
      </CardHeader>
      <CardContent>
        <div className="h-96 w-full" data-testid="genome-chart">
          <ResponsiveContainer width="100%" height="100%">
            <RadarChart data={rows} outerRadius="75%">
              <PolarGrid />
              <PolarAngleAxis dataKey="gene" fontSize={11} />
              <PolarRadiusAxis domain={[0, 1]} tick={false} axisLine={false} />
              <Radar name={a} dataKey={a} stroke="#94a3b8" fill="#94a3b8" fillOpacity={0.3} isAnimationActive={false} />
              <Radar name={b} dataKey={b} stroke="#0f172a" fill="#0f172a" fillOpacity={0.2} isAnimationActive={false} />
              <Legend />
              <Tooltip formatter={(v) => (typeof v === "number" ? v.toFixed(2) : String(v))} />
            </RadarChart>
          </ResponsiveContainer>
        </div>
        <Table>
          <thead>
            <tr>
              <Th>gene</Th>
              <Th>{a}</Th>
              <Th>{b}</Th>
              <Th>difference</Th>
            </tr>
          </thead>
          <tbody>
            {comparison.genes.map((g) => (
              <tr key={g.name} data-testid="gene-row">
                <Td title={g.description}>{g.name}</Td>
                <Td className="tabular-nums">{figure(g.a)}</Td>
                <Td className="tabular-nums">{figure(g.b)}</Td>
                <Td className="tabular-nums">{g.difference.toFixed(2)}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      </CardContent>
    </Card>
  );
}

function GeneTable({ data }: { data: PromptGenome }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Genes of v{data.genome.version}</CardTitle>
      </CardHeader>
      <CardContent>
        <Table>
          <thead>
            <tr>
              <Th>gene</Th>
              <Th>mean</Th>
              <Th>spread</Th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(data.genome.genes).map(([name, value]) => (
              <tr key={name} data-testid="gene-row">
                <Td>{name}</Td>
                <Td className="tabular-nums">{figure(value)}</Td>
                <Td className="tabular-nums">{figure(data.genome.spread[name])}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      </CardContent>
    </Card>
  );
}

/** The style consistency of each completed evaluation, oldest first. */
function ConsistencyChart({ points }: { points: ConsistencyPoint[] }) {
  const rows = points.map((p, i) => ({
    run: i + 1,
    consistency: p.consistency,
    version: `v${p.version}`,
    label: `v${p.version} · ${p.model} · ${formatDate(p.finished_at)}`,
  }));
  return (
    <Card>
      <CardHeader>
        <CardTitle>Consistency over time</CardTitle>
      </CardHeader>
      <CardContent>
        <div className="h-64 w-full" data-testid="consistency-chart">
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis
                dataKey="run"
                allowDecimals={false}
                fontSize={11}
                tickFormatter={(run) => rows[Number(run) - 1]?.version ?? ""}
                label={{ value: "evaluations, oldest first", position: "insideBottomRight", offset: -4, fontSize: 11 }}
              />
              <YAxis domain={[0, 1]} fontSize={11} />
              <Tooltip
                formatter={(v) => (typeof v === "number" ? formatScore(v) : String(v))}
                labelFormatter={(run) => rows[Number(run) - 1]?.label ?? String(run)}
              />
              <Line dataKey="consistency" stroke="#0f172a" strokeWidth={2} dot={{ r: 4 }} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </div>
        <table className="sr-only">
          <caption>Consistency over time</caption>
          <tbody>
            {points.map((p) => (
              <tr key={p.evaluation_id} data-testid="consistency-point">
                <td>{formatDate(p.finished_at)}</td>
                <td>v{p.version}</td>
                <td>{p.model}</td>
                <td>{formatScore(p.consistency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </CardContent>
    </Card>
  );
}
