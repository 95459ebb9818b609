"use client";

import { useQuery } from "@tanstack/react-query";
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

import { ErrorMessage, Loading } from "@/components/feedback";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { api } from "@/lib/api";
import type { SLO, SLOCheck, SLOHistory } from "@/lib/types/slos";
import { formatDate, formatMs, formatPercent, formatScore } from "@/lib/utils";

import { StateBadge, formatWindow, objectives } from "./format";

const REFRESH_MS = 10_000;
const VIOLATED = "#dc2626";

type Point = {
  at: number;
  p95: number | null;
  errors: number | null;
  score: number | null;
  violated: boolean;
};

function points(items: SLOCheck[]): Point[] {
  return items.map((c) => ({
    at: new Date(c.checked_at).getTime(),
    p95: c.figures.p95_latency_ms,
    errors: c.figures.error_rate === null ? null : c.figures.error_rate * 100,
    score: c.figures.score,
    violated: c.state === "violated",
  }));
}

/** A dot per check: red while the SLO was violated. */
function StateDot(props: { cx?: number; cy?: number; payload?: Point }) {
  const { cx, cy, payload } = props;
  if (cx === undefined || cy === undefined || payload === undefined) return null;
  const fill = payload.violated ? VIOLATED : "#0f172a";
  return <circle cx={cx} cy={cy} r={payload.violated ? 5 : 3} fill={fill} stroke="white" strokeWidth={1} />;
}

export function SLOHistoryCard({ slo }: { slo: SLO }) {
  const history = useQuery({
    queryKey: ["slos", "history", slo.id],
    queryFn: () => api.get<SLOHistory>(`/slos/${slo.id}/history`, { limit: 500 }),
    refetchInterval: REFRESH_MS,
  });
  const items = history.data?.items ?? [];
  const data = points(items);
  const time = (at: number) => new Date(at).toLocaleTimeString();
  const transitions = items.filter((c) => c.transition !== null);

  return (
    <Card data-testid="slo-history" data-slo-id={slo.id}>
      <CardHeader>
        <CardTitle>
          {slo.prompt_name}
          {slo.label ? ` @${slo.label}` : ""} · {formatWindow(slo.window_s)} window
        </CardTitle>
      </CardHeader>
      <CardContent className="space-y-4">
        <div className="flex flex-wrap items-center gap-3 text-sm">
          <StateBadge slo={slo} />
          <span className="text-slate-500">since {formatDate(slo.state_since)}</span>
          <span className="text-slate-500">· {objectives(slo).join(" · ")}</span>
        </div>
        <ErrorMessage error={history.error} />
        {history.isPending && <Loading what="Loading history" />}
        <div className="relative h-72 w-full" data-testid="slo-chart" data-points={data.length}>
          {history.isSuccess && data.length === 0 ? (
            <p className="flex h-full items-center justify-center text-sm text-slate-500">
              Not checked yet: the scheduler checks every SLO once per interval.
            </p>
          ) : (
            <ResponsiveContainer width="100%" height="100%">
              <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="at" type="number" domain={["dataMin", "dataMax"]} tickFormatter={time} fontSize={11} />
                <YAxis yAxisId="ms" fontSize={11} tickFormatter={(v: number) => formatMs(v)} />
                <YAxis yAxisId="pct" orientation="right" domain={[0, 100]} fontSize={11} unit="%" />
                <Tooltip
                  labelFormatter={(at) => formatDate(new Date(Number(at)).toISOString())}
                  formatter={(v, name) =>
                    typeof v !== "number"
                      ? String(v)
                      : name === "p95 latency"
                        ? formatMs(v)
                        : name === "score"
                          ? formatScore(v / 100)
                          : `${v.toFixed(1)} %`
                  }
                />
                <Legend />
                {slo.targets.max_p95_latency_ms !== null && (
                  <ReferenceLine
                    yAxisId="ms"
                    y={slo.targets.max_p95_latency_ms}
                    stroke={VIOLATED}
                    strokeDasharray="4 4"
                    label={{ value: "p95 target", position: "insideTopLeft", fontSize: 11, fill: VIOLATED }}
                  />
                )}
                {slo.targets.max_error_rate !== null && (
                  <ReferenceLine
                    yAxisId="pct"
                    y={slo.targets.max_error_rate * 100}
                    stroke="#b45309"
                    strokeDasharray="2 4"
                    label={{ value: "error target", position: "insideTopRight", fontSize: 11, fill: "#b45309" }}
                  />
                )}
                <Line
                  yAxisId="ms"
                  type="linear"
                  dataKey="p95"
                  name="p95 latency"
                  stroke="#0f172a"
                  strokeWidth={2}
                  dot={<StateDot />}
                  connectNulls
                  isAnimationActive={false}
                />
                <Line
                  yAxisId="pct"
                  type="linear"
                  dataKey="errors"
                  name="error rate"
                  stroke="#b45309"
                  strokeWidth={2}
                  dot={{ r: 2 }}
                  connectNulls
                  isAnimationActive={false}
                />
                {slo.targets.min_score !== null && (
                  <Line
                    yAxisId="pct"
                    type="linear"
                    dataKey={(p: Point) => (p.score === null ? null : p.score * 100)}
                    name="score"
                    stroke="#2563eb"
                    strokeWidth={2}
                    dot={{ r: 2 }}
                    connectNulls
                    isAnimationActive={false}
                  />
                )}
              </LineChart>
            </ResponsiveContainer>
          )}
        </div>
        {transitions.length > 0 && (
          <ul className="space-y-1 text-sm" aria-label="state changes">
            {transitions.map((c) => (
              <li key={c.checked_at} data-testid="slo-transition">
                <span className={c.transition === "violated" ? "font-medium text-red-700" : "font-medium text-green-700"}>
                  {c.transition}
                </span>{" "}
                <span className="text-slate-500">{formatDate(c.checked_at)}</span>
                {c.breached.length > 0 && <span className="text-slate-500"> · {c.breached.join(", ")}</span>}
              </li>
            ))}
          </ul>
        )}
        <ChecksTable items={items} />
      </CardContent>
    </Card>
  );
}

/** The same numbers for screen readers. */
function ChecksTable({ items }: { items: SLOCheck[] }) {
  return (
    <table className="sr-only">
      <caption>SLO checks</caption>
      <thead>
        <tr>
          <th>checked</th>
          <th>result</th>
          <th>p95 latency</th>
          <th>error rate</th>
          <th>score</th>
        </tr>
      </thead>
      <tbody>
        {items.map((c) => (
          <tr key={c.checked_at}>
            <td>{formatDate(c.checked_at)}</td>
            <td>{c.result}</td>
            <td>{formatMs(c.figures.p95_latency_ms)}</td>
            <td>{formatPercent(c.figures.error_rate)}</td>
            <td>{formatScore(c.figures.score)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
