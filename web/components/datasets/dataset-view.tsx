"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";

import { LinkButton } from "@/components/evaluations/shared";
import { EmptyState, ErrorMessage, Loading, PageTitle } from "@/components/feedback";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Fact } from "@/components/ui/fact";
import { Table, Td, Th } from "@/components/ui/table";
import { api } from "@/lib/api";
import type { Dataset, VersionPage } from "@/lib/types/datasets";
import { cn, formatDate } from "@/lib/utils";

import { ItemsTable } from "./items-table";
import { ScoringSummary } from "./scoring-summary";

export function DatasetView({ id }: { id: string }) {
  const dataset = useQuery({ queryKey: ["datasets", id], queryFn: () => api.get<Dataset>(`/datasets/${id}`) });
  // null: follow the latest version
  const [chosen, setChosen] = useState<number | null>(null);

  if (dataset.isPending) return <Loading what="Loading the dataset" />;
  if (dataset.isError) return <ErrorMessage error={dataset.error} />;
  const data = dataset.data;
  const version = chosen ?? data.latest_version;

  return (
    <div className="space-y-6">
      <PageTitle
        actions={
          data.latest_version > 0 && (
            <LinkButton href={`/evaluations/new/?dataset=${data.id}`}>Evaluate on this dataset</LinkButton>
          )
        }
      >
        {data.name}
      </PageTitle>
      <DatasetHeader dataset={data} />
      {data.latest_version === 0 ? (
        <EmptyState title="No version yet">
          Import a JSONL or CSV file on the <Link href="/datasets/" className="underline">Datasets</Link> page, or run{" "}
          <code>autoforge dataset import {data.name} FILE</code>.
        </EmptyState>
      ) : (
        <>
          <VersionsCard datasetId={id} selected={version} onSelect={setChosen} />
          <Card>
            <CardHeader>
              <CardTitle>Items of version {version}</CardTitle>
            </CardHeader>
            <CardContent>
              {/* keyed so that switching versions starts at the first page */}
              <ItemsTable key={version} datasetId={id} version={version} />
            </CardContent>
          </Card>
        </>
      )}
    </div>
  );
}

function DatasetHeader({ dataset }: { dataset: Dataset }) {
  return (
    <Card>
      <CardContent>
        {dataset.description && <p className="mb-3 text-sm text-slate-700">{dataset.description}</p>}
        <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
          <Fact term="Latest version">
            {dataset.latest_version > 0 ? `v${dataset.latest_version}` : "none"}
          </Fact>
          <Fact term="Items (latest)">{String(dataset.latest?.item_count ?? 0)}</Fact>
          <Fact term="Created">{formatDate(dataset.created_at)}</Fact>
          <Fact term="Updated">{formatDate(dataset.updated_at)}</Fact>
        </dl>
      </CardContent>
    </Card>
  );
}

function VersionsCard({ datasetId, selected, onSelect }: { datasetId: string; selected: number; onSelect: (v: number) => void }) {
  const versions = useInfiniteQuery({
    queryKey: ["datasets", datasetId, "versions"],
    queryFn: ({ pageParam }) => api.get<VersionPage>(`/datasets/${datasetId}/versions`, { before: pageParam, limit: 20 }),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.next_before ?? undefined,
  });
  const rows = versions.data?.pages.flatMap((page) => page.items) ?? [];
  const shown = rows.find((v) => v.version === selected);

  return (
    <Card>
      <CardHeader>
        <CardTitle>Versions</CardTitle>
      </CardHeader>
      <CardContent className="space-y-3">
        <ErrorMessage error={versions.error} />
        {versions.isPending && <Loading what="Loading versions" />}
        {rows.length > 0 && (
          <Table>
            <thead>
              <tr>
                <Th>Version</Th>
                <Th>Items</Th>
                <Th>Note</Th>
                <Th>Created</Th>
                <Th>
                  <span className="sr-only">Show</span>
                </Th>
              </tr>
            </thead>
            <tbody>
              {rows.map((v) => (
                <tr key={v.id} className={cn(v.version === selected && "bg-slate-50")}>
                  <Td className="font-medium">v{v.version}</Td>
                  <Td>{v.item_count}</Td>
                  <Td className="text-slate-600">{v.note ?? "—"}</Td>
                  <Td>
                    {formatDate(v.created_at)} <span className="text-xs text-slate-400">by {v.created_by}</span>
                  </Td>
                  <Td>
                    {v.version === selected ? (
                      <span className="text-xs text-slate-500">shown below</span>
                    ) : (
                      <Button size="sm" variant="outline" onClick={() => onSelect(v.version)}>
                        Show items of v{v.version}
                      </Button>
                    )}
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        {versions.hasNextPage && (
          <Button variant="outline" onClick={() => versions.fetchNextPage()} disabled={versions.isFetchingNextPage}>
            Load older versions
          </Button>
        )}
        {/* What evaluations and optimizations on this version check unless they override it. */}
        {shown && <ScoringSummary scoring={shown.scoring} title={`Scoring of v${shown.version}`} testId="version-scoring" />}
      </CardContent>
    </Card>
  );
}
