"use client";

import { useQuery } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import Link from "next/link";

import { EmptyState, ErrorMessage, Loading, PageTitle } from "@/components/feedback";
import { Card, CardContent } from "@/components/ui/card";
import { api } from "@/lib/api";
import type { Dashboard, Totals } from "@/lib/types/dashboard";
import { formatUsd, unpricedNote } from "@/lib/utils";

// recharts is a third of the page's JavaScript: the figures show first, the charts follow.
const DashboardCharts = dynamic(
  () => import("@/components/dashboard/charts").then((charts) => charts.DashboardCharts),
  { ssr: false, loading: () => <div className="h-72 animate-pulse rounded-lg bg-slate-100" /> },
);

function Figure({ label, value, note, href }: { label: string; value: string | number; note?: string; href?: string }) {
  const body = (
    <Card className="transition-colors hover:border-slate-400">
      <CardContent>
        <p className="text-xs uppercase text-slate-500">{label}</p>
        <p className="mt-1 text-2xl font-semibold" data-testid={`total-${label.toLowerCase().replace(/\s+/g, "-")}`}>
          {value}
        </p>
        {note && <p className="text-xs text-slate-500">{note}</p>}
      </CardContent>
    </Card>
  );
  return href ? <Link href={href}>{body}</Link> : body;
}

function TotalsRow({ totals }: { totals: Totals }) {
  return (
    <div className="grid grid-cols-2 gap-4 md:grid-cols-3 xl:grid-cols-6">
      <Figure label="Prompts" value={totals.prompts} note={`${totals.active_prompts} active`} href="/prompts/" />
      <Figure label="Datasets" value={totals.datasets} href="/datasets/" />
      <Figure label="Evaluations" value={totals.evaluations} href="/evaluations/" />
      <Figure label="Optimizations" value={totals.optimizations} href="/optimizations/" />
      <Figure label="Model calls" value={totals.model_calls} href="/traces/" />
      <Figure label="Cost" value={formatUsd(totals.cost_usd)} note={unpricedNote(totals.unpriced_calls)} />
    </div>
  );
}

export default function DashboardPage() {
  const { data, error, isPending } = useQuery({
    queryKey: ["dashboard"],
    queryFn: () => api.get<Dashboard>("/dashboard", { days: 30 }),
    refetchInterval: 10_000,
  });

  return (
    <div>
      <PageTitle>Dashboard</PageTitle>
      <ErrorMessage error={error} />
      {isPending && <Loading what="Loading figures" />}
      {data && (
        <div className="space-y-6">
          <TotalsRow totals={data.totals} />
          {data.totals.prompts === 0 && (
            <EmptyState title="No prompts yet">
              Create one on the <Link className="underline" href="/prompts/">Prompts</Link> page, or run{" "}
              <code>autoforge dataset examples</code> to install the example prompts and datasets.
            </EmptyState>
          )}
          <DashboardCharts evaluations={data.evaluations} calls={data.calls} />
        </div>
      )}
    </div>
  );
}
