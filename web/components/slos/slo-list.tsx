"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { EmptyState, ErrorMessage, Loading } from "@/components/feedback";
import { Card, CardContent } from "@/components/ui/card";
import { Table, Td, Th } from "@/components/ui/table";
import { api } from "@/lib/api";
import type { SLO } from "@/lib/types/slos";
import { cn, formatDate, formatMs, formatPercent } from "@/lib/utils";

import { StateBadge, formatWindow, objectives } from "./format";
import { SLOHistoryCard } from "./slo-history";

// The scheduler checks every SLO_CHECK_INTERVAL_S (a minute by default): the page follows.
const REFRESH_MS = 10_000;

export function SLOList() {
  const slos = useQuery({
    queryKey: ["slos", "list"],
    queryFn: () => api.get<SLO[]>("/slos"),
    refetchInterval: REFRESH_MS,
  });
  const [chosen, setChosen] = useState<string | null>(null);
  const rows = slos.data ?? [];
  const selected = rows.find((s) => s.id === chosen) ?? rows[0] ?? null;

  return (
    <div className="space-y-6">
      <Card>
        <CardContent className="space-y-4">
          <p className="text-xs text-slate-500">
            Targets per prompt over a rolling window, checked by the server on a schedule. Set them with{" "}
            <code>autoforge slo set</code> or <code>POST /api/v1/slos</code>.
          </p>
          <ErrorMessage error={slos.error} />
          {slos.isPending && <Loading what="Loading SLOs" />}
          {slos.isSuccess && rows.length === 0 && (
            <EmptyState title="No SLOs yet">
              For example: <code>autoforge slo set my-prompt --max-p95-ms 2000 --max-error-rate 0.05</code>
            </EmptyState>
          )}
          {rows.length > 0 && (
            <Table aria-label="SLOs">
              <thead>
                <tr>
                  <Th>Prompt</Th>
                  <Th>Window</Th>
                  <Th>Objectives</Th>
                  <Th>State</Th>
                  <Th className="text-right">Calls</Th>
                  <Th className="text-right">p95</Th>
                  <Th className="text-right">Errors</Th>
                  <Th>Checked</Th>
                </tr>
              </thead>
              <tbody>
                {rows.map((slo) => (
                  <tr
                    key={slo.id}
                    data-testid="slo-row"
                    data-slo-id={slo.id}
                    data-state={slo.state}
                    onClick={() => setChosen(slo.id)}
                    className={cn("cursor-pointer hover:bg-slate-50", selected?.id === slo.id && "bg-slate-100")}
                  >
                    <Td>
                      <button type="button" className="text-left font-medium underline-offset-2 hover:underline">
                        {slo.prompt_name}
                      </button>
                      {slo.label && <span className="text-slate-500"> @{slo.label}</span>}
                    </Td>
                    <Td className="whitespace-nowrap">{formatWindow(slo.window_s)}</Td>
                    <Td className="text-xs">{objectives(slo).join(" · ")}</Td>
                    <Td>
                      <StateBadge slo={slo} />
                    </Td>
                    <Td className="text-right tabular-nums">{slo.figures.calls}</Td>
                    <Td className="whitespace-nowrap text-right tabular-nums">{formatMs(slo.figures.p95_latency_ms)}</Td>
                    <Td className="text-right tabular-nums">{formatPercent(slo.figures.error_rate)}</Td>
                    <Td className="whitespace-nowrap">{formatDate(slo.checked_at)}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </CardContent>
      </Card>
      {selected && <SLOHistoryCard slo={selected} />}
    </div>
  );
}
