"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";

import { EmptyState, ErrorMessage, Loading } from "@/components/feedback";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, Td, Th } from "@/components/ui/table";
import { api, type Page } from "@/lib/api";
import type { Dataset } from "@/lib/types/datasets";
import { formatDate } from "@/lib/utils";

export const DATASETS_KEY = ["datasets"] as const;

export function DatasetList() {
  const datasets = useInfiniteQuery({
    queryKey: DATASETS_KEY,
    queryFn: ({ pageParam }) => api.get<Page<Dataset>>("/datasets", { cursor: pageParam, limit: 20 }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = datasets.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <Card>
      <CardHeader>
        <CardTitle>Your datasets</CardTitle>
      </CardHeader>
      <CardContent className="space-y-3">
        <ErrorMessage error={datasets.error} />
        {datasets.isPending && <Loading what="Loading datasets" />}
        {datasets.isSuccess && rows.length === 0 && (
          <EmptyState title="No datasets yet">
            Import a JSONL or CSV file with the form below, or install the shipped examples with{" "}
            <code className="rounded bg-slate-100 px-1">autoforge dataset examples</code>.
          </EmptyState>
        )}
        {rows.length > 0 && (
          <Table>
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>Latest version</Th>
                <Th>Items</Th>
                <Th>Updated</Th>
              </tr>
            </thead>
            <tbody>
              {rows.map((dataset) => (
                <tr key={dataset.id}>
                  <Td>
                    <Link href={`/datasets/view/?id=${dataset.id}`} className="font-medium text-slate-900 underline-offset-2 hover:underline">
                      {dataset.name}
                    </Link>
                    {dataset.description && <p className="text-xs text-slate-500">{dataset.description}</p>}
                  </Td>
                  <Td>{dataset.latest_version > 0 ? `v${dataset.latest_version}` : "no version yet"}</Td>
                  <Td>{dataset.latest?.item_count ?? 0}</Td>
                  <Td>{formatDate(dataset.updated_at)}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        {datasets.hasNextPage && (
          <Button variant="outline" onClick={() => datasets.fetchNextPage()} disabled={datasets.isFetchingNextPage}>
            {datasets.isFetchingNextPage ? "Loading…" : "Load more"}
          </Button>
        )}
      </CardContent>
    </Card>
  );
}
