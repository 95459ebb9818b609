"use client";

import { useQuery } from "@tanstack/react-query";

import { ScoringSummary } from "@/components/datasets/scoring-summary";
import { ErrorMessage, Loading } from "@/components/feedback";
import { api } from "@/lib/api";
import type { Dataset, DatasetVersionInfo, VersionPage } from "@/lib/types/datasets";

/**
 * The version a run will use: the latest comes with the dataset; an older one is the first
 * of the versions before the next (the API lists versions, it has no single-version read).
 */
export function useDatasetVersion(dataset: Dataset | undefined, version: number | null) {
  const older = useQuery({
    queryKey: ["datasets", dataset?.id, "version", version],
    queryFn: async () => {
      const page = await api.get<VersionPage>(`/datasets/${dataset!.id}/versions`, { before: version! + 1, limit: 1 });
      const found = page.items.find((v) => v.version === version);
      if (!found) throw new Error(`${dataset!.name} has no version ${version}`);
      return found;
    },
    enabled: dataset !== undefined && version !== null && version !== dataset.latest_version,
  });
  if (!dataset) return { info: undefined, isPending: false, error: null };
  if (version === null || version === dataset.latest_version) {
    return { info: dataset.latest ?? undefined, isPending: false, error: null };
  }
  return { info: older.data, isPending: older.isPending, error: older.error };
}

/** The chosen version's scoring, before the run: what a "better" prompt will mean. */
export function DatasetScoring({
  dataset,
  info,
  isPending,
  error,
  hint,
}: {
  dataset: Dataset | undefined;
  info: DatasetVersionInfo | undefined;
  isPending: boolean;
  error: unknown;
  /** What the run does with this scoring, in a sentence. */
  hint: string;
}) {
  if (!dataset) return <p className="text-sm text-slate-500">Choose a dataset to see how its cases are scored.</p>;
  if (error) return <ErrorMessage error={error} />;
  if (isPending || !info) return <Loading what="Loading the dataset's scoring" />;
  return (
    <div className="space-y-1">
      <ScoringSummary scoring={info.scoring} title={`Scoring of ${dataset.name} v${info.version}`} testId="dataset-scoring" />
      <p className="text-xs text-slate-500">{hint}</p>
    </div>
  );
}
