"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { EmptyState, ErrorMessage, Loading } from "@/components/feedback";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Table, Td, Th } from "@/components/ui/table";
import { api } from "@/lib/api";
import type { DatasetItem, ItemMetadata, ItemPage } from "@/lib/types/datasets";

const PAGE_SIZE = 50;

/** One version's items, a page at a time (the API pages by offset). */
export function ItemsTable({ datasetId, version }: { datasetId: string; version: number }) {
  const [offset, setOffset] = useState(0);
  const items = useQuery({
    queryKey: ["datasets", datasetId, "versions", version, "items", offset],
    queryFn: () => api.get<ItemPage>(`/datasets/${datasetId}/versions/${version}/items`, { offset, limit: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
  const page = items.data;

  if (items.isPending) return <Loading what="Loading items" />;
  if (items.isError) return <ErrorMessage error={items.error} />;
  if (!page || page.total === 0) return <EmptyState title="This version has no items" />;

  return (
    <div className="space-y-3">
      <Table aria-label={`items of version ${version}`}>
        <thead>
          <tr>
            <Th>#</Th>
            <Th>Name</Th>
            <Th>Input variables</Th>
            <Th>Expected output</Th>
            <Th>Metadata</Th>
          </tr>
        </thead>
        <tbody>
          {page.items.map((item) => (
            <ItemRow key={item.position} item={item} />
          ))}
        </tbody>
      </Table>
      <div className="flex items-center gap-3 text-sm text-slate-600">
        <Button variant="outline" size="sm" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
          Previous
        </Button>
        <span>
          {offset + 1}–{offset + page.items.length} of {page.total}
        </span>
        <Button
          variant="outline"
          size="sm"
          disabled={page.next_offset === null || items.isFetching}
          onClick={() => page.next_offset !== null && setOffset(page.next_offset)}
        >
          Next
        </Button>
      </div>
    </div>
  );
}

function ItemRow({ item }: { item: DatasetItem }) {
  return (
    <tr>
      <Td className="text-slate-400">{item.position + 1}</Td>
      <Td className="font-mono text-xs">{item.name}</Td>
      <Td>
        <dl className="space-y-1">
          {Object.entries(item.input).map(([key, value]) => (
            <div key={key}>
              <dt className="inline font-mono text-xs text-slate-500">{key}: </dt>
              <dd className="inline whitespace-pre-wrap break-words">{typeof value === "string" ? value : JSON.stringify(value)}</dd>
            </div>
          ))}
        </dl>
      </Td>
      <Td className="whitespace-pre-wrap break-words">{item.expected ?? <span className="text-slate-400">—</span>}</Td>
      <Td>
        <MetadataBadges metadata={item.metadata} />
      </Td>
    </tr>
  );
}

function MetadataBadges({ metadata }: { metadata: ItemMetadata }) {
  const { category, difficulty, features_tested: features = [], ...extra } = metadata;
  return (
    <div className="flex flex-wrap gap-1">
      {category && <Badge tone="blue">{category}</Badge>}
      {difficulty && <Badge tone={difficulty === "hard" ? "red" : difficulty === "medium" ? "amber" : "green"}>{difficulty}</Badge>}
      {features.map((feature) => (
        <Badge key={feature}>{feature}</Badge>
      ))}
      {Object.entries(extra).map(([key, value]) => (
        <Badge key={key}>
          {key}: {typeof value === "string" ? value : JSON.stringify(value)}
        </Badge>
      ))}
    </div>
  );
}
