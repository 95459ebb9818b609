"use client";

import { useMutation } from "@tanstack/react-query";

import { ErrorMessage, Loading } from "@/components/feedback";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { api } from "@/lib/api";
import type { Prompt, PromptVersion, Rollback } from "@/lib/types/prompts";
import { formatDate } from "@/lib/utils";

import { useRefreshPrompts, useVersions } from "./queries";

function VersionItem({ version, latest, onRollback, pending }: {
  version: PromptVersion;
  latest: boolean;
  onRollback: () => void;
  pending: boolean;
}) {
  return (
    <li className="space-y-1 border-b border-slate-100 py-2 last:border-0">
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium tabular-nums">v{version.version}</span>
        {latest && <Badge tone="green">latest</Badge>}
        {version.labels.map((l) => (
          <Badge key={l} tone="blue">
            {l}
          </Badge>
        ))}
      </div>
      <p className="text-xs text-slate-500">
        {formatDate(version.created_at)} by {version.created_by}
      </p>
      {version.change_note && <p className="text-sm text-slate-700">{version.change_note}</p>}
      {!latest && (
        <Button size="sm" variant="outline" onClick={onRollback} disabled={pending}>
          Roll back to version {version.version}
        </Button>
      )}
    </li>
  );
}

/** Versions newest first, with their labels; rolling back copies an old one as a new version. */
export function VersionHistory({ prompt }: { prompt: Prompt }) {
  const refresh = useRefreshPrompts();
  const versions = useVersions(prompt.id);
  const rollback = useMutation({
    mutationFn: (version: number) =>
      api.post<Prompt>(`/prompts/${encodeURIComponent(prompt.id)}/rollback`, {
        version,
        base_version: prompt.version,
      } satisfies Rollback),
    onSuccess: () => refresh(),
  });
  const items = versions.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Card>
      <CardHeader>
        <CardTitle>History</CardTitle>
      </CardHeader>
      <CardContent>
        <ErrorMessage error={versions.error ?? rollback.error} />
        {versions.isPending ? (
          <Loading what="Loading versions" />
        ) : (
          <ol aria-label="versions">
            {items.map((v) => (
              <VersionItem
                key={v.version}
                version={v}
                latest={v.version === prompt.version}
                onRollback={() => rollback.mutate(v.version)}
                pending={rollback.isPending}
              />
            ))}
          </ol>
        )}
        {versions.hasNextPage && (
          <Button variant="ghost" size="sm" onClick={() => versions.fetchNextPage()} disabled={versions.isFetchingNextPage}>
            {versions.isFetchingNextPage ? "Loading…" : "Older versions"}
          </Button>
        )}
      </CardContent>
    </Card>
  );
}
