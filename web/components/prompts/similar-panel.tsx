"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";

import { ErrorMessage, Loading } from "@/components/feedback";
import { Badge, StatusBadge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { api } from "@/lib/api";
import type { Prompt } from "@/lib/types/prompts";
import type { SimilarPrompt, SimilarPrompts } from "@/lib/types/similarity";

export function percent(similarity: number): string {
  return `${Math.round(similarity * 100)} %`;
}

export function SimilarList({ items, label }: { items: SimilarPrompt[]; label: string }) {
  return (
    <ul className="space-y-2" aria-label={label}>
      {items.map((p) => (
        <li key={p.id} className="flex items-center justify-between gap-2 text-sm">
          <span className="min-w-0">
            <Link href={`/prompts/view/?id=${encodeURIComponent(p.id)}`} className="font-medium text-slate-900 hover:underline">
              {p.name}
            </Link>
            <span className="ml-2 text-xs text-slate-500">v{p.version}</span>{" "}
            <StatusBadge status={p.status} />
          </span>
          <Badge tone={p.similarity >= 0.95 ? "amber" : "blue"}>{percent(p.similarity)}</Badge>
        </li>
      ))}
    </ul>
  );
}

/** The project's prompts nearest in meaning to this one; waits while embeddings are made. */
export function SimilarPanel({ prompt }: { prompt: Prompt }) {
  const similar = useQuery({
    // Under ["prompts"]: an edit anywhere refreshes it with the rest.
    queryKey: ["prompts", prompt.id, "similar", prompt.version],
    queryFn: () => api.get<SimilarPrompts>(`/prompts/${encodeURIComponent(prompt.id)}/similar`, { k: 5 }),
    // Embeddings are made in the background: ask again until none is pending.
    refetchInterval: (query) => ((query.state.data?.pending ?? 0) > 0 ? 2000 : false),
  });
  const data = similar.data;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Similar prompts</CardTitle>
      </CardHeader>
      <CardContent className="space-y-3">
        <ErrorMessage error={similar.error} />
        {similar.isPending && <Loading what="Finding similar prompts" />}
        {data && data.items.length > 0 && <SimilarList items={data.items} label="similar prompts" />}
        {data && data.items.length === 0 && (
          <p className="text-sm text-slate-500">No other prompt here is at least {percent(data.threshold)} similar in meaning.</p>
        )}
        {data && data.pending > 0 && (
          <p role="status" className="text-xs text-slate-500">
            {data.pending} prompt{data.pending === 1 ? " is" : "s are"} still being embedded…
          </p>
        )}
        {data?.items.some((p) => p.similarity >= 0.95) && (
          <p className="text-xs text-amber-700">Amber: over 95 % similar, probably a duplicate.</p>
        )}
      </CardContent>
    </Card>
  );
}
