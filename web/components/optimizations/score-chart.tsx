"use client";

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

import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { formatScore } from "@/lib/utils";

import type { ScorePoint } from "./history";

/**
 * Best train and validation score per round. While the run goes, a point is added (or
 * moved) each time the search reports the end of a round; once finished the points are
 * rebuilt from the stored candidate history. No animation: points must show as they come.
 */
export function ScoreChart({
  points,
  roundName,
  baseline,
  emptyText,
}: {
  points: ScorePoint[];
  roundName: string;
  baseline: number | null;
  emptyText: string;
}) {
  const lastRound = points.length > 0 ? points[points.length - 1].round : 0;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Best scores per {roundName}</CardTitle>
      </CardHeader>
      <CardContent>
        <div className="relative h-72 w-full" data-testid="score-chart">
          {points.length === 0 ? (
            <p className="flex h-full items-center justify-center text-sm text-slate-500">{emptyText}</p>
          ) : (
            <ResponsiveContainer width="100%" height="100%">
              <LineChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis
                  dataKey="round"
                  type="number"
                  domain={[0, Math.max(1, lastRound)]}
                  allowDecimals={false}
                  padding={{ left: 16, right: 16 }}
                  fontSize={11}
                  label={{ value: roundName, position: "insideBottomRight", offset: -4, fontSize: 11 }}
                />
                <YAxis domain={[0, 1]} fontSize={11} />
                <Tooltip
                  formatter={(v) => (typeof v === "number" ? formatScore(v) : String(v))}
                  labelFormatter={(round) => `${roundName} ${round}`}
                />
                <Legend />
                {baseline !== null && (
                  <ReferenceLine
                    y={baseline}
                    stroke="#b45309"
                    strokeDasharray="4 4"
                    label={{ value: "baseline (validation)", position: "insideTopLeft", fontSize: 11, fill: "#b45309" }}
                  />
                )}
                <Line
                  type="monotone"
                  dataKey="train"
                  name="best train"
                  stroke="#94a3b8"
                  strokeWidth={2}
                  dot={{ r: 4 }}
                  connectNulls
                  isAnimationActive={false}
                />
                <Line
                  type="monotone"
                  dataKey="val"
                  name="best validation"
                  stroke="#0f172a"
                  strokeWidth={2}
                  dot={{ r: 4 }}
                  connectNulls
                  isAnimationActive={false}
                />
              </LineChart>
            </ResponsiveContainer>
          )}
        </div>
        <PointsTable points={points} roundName={roundName} />
      </CardContent>
    </Card>
  );
}

/** The same numbers for screen readers. */
function PointsTable({ points, roundName }: { points: ScorePoint[]; roundName: string }) {
  return (
    <table className="sr-only">
      <caption>Best scores per {roundName}</caption>
      <thead>
        <tr>
          <th>{roundName}</th>
          <th>best train</th>
          <th>best validation</th>
        </tr>
      </thead>
      <tbody>
        {points.map((p) => (
          <tr key={p.round}>
            <td>{p.round}</td>
            <td>{formatScore(p.train)}</td>
            <td>{formatScore(p.val)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
