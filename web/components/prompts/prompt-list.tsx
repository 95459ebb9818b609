"use client";

import Link from "next/link";
import { useEffect, useState } from "react";

import { EmptyState, ErrorMessage, Loading } from "@/components/feedback";
import { Badge, StatusBadge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input, Label, Select } from "@/components/ui/input";
import { Table, Td, Th } from "@/components/ui/table";
import { PROMPT_STATUSES, type Prompt, type PromptStatus } from "@/lib/types/prompts";
import { formatDate } from "@/lib/utils";

import { type PromptFilters, usePromptList } from "./queries";

/** Typing in a text filter waits for a pause before asking the server. */
function useDebounced<T>(value: T, ms = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

function FilterBar({ filters, onChange }: { filters: PromptFilters; onChange: (f: PromptFilters) => void }) {
  const set = (patch: Partial<PromptFilters>) => onChange({ ...filters, ...patch });
  return (
    <div className="mb-4 grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-5">
      <div className="lg:col-span-2">
        <Label htmlFor="prompt-search">Search</Label>
        <Input
          id="prompt-search"
          type="search"
          placeholder="words in the title or content"
          value={filters.q ?? ""}
          onChange={(e) => set({ q: e.target.value })}
        />
      </div>
      <div>
        <Label htmlFor="prompt-filter-status">Filter by status</Label>
        <Select
          id="prompt-filter-status"
          value={filters.status ?? ""}
          onChange={(e) => set({ status: e.target.value as PromptStatus | "" })}
        >
          <option value="">any status</option>
          {PROMPT_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </Select>
      </div>
      <div>
        <Label htmlFor="prompt-filter-tag">Filter by tag</Label>
        <Input id="prompt-filter-tag" placeholder="e.g. support" value={filters.tag ?? ""} onChange={(e) => set({ tag: e.target.value })} />
      </div>
      <div>
        <Label htmlFor="prompt-filter-label">Filter by label</Label>
        <Input
          id="prompt-filter-label"
          placeholder="e.g. production"
          value={filters.label ?? ""}
          onChange={(e) => set({ label: e.target.value })}
        />
      </div>
      <label className="flex items-center gap-2 text-sm text-slate-600 sm:col-span-2 lg:col-span-5">
        <input type="checkbox" checked={filters.include_deleted ?? false} onChange={(e) => set({ include_deleted: e.target.checked })} />
        Show deleted prompts
      </label>
    </div>
  );
}

function PromptRow({ prompt }: { prompt: Prompt }) {
  const labels = Object.entries(prompt.labels);
  return (
    <tr>
      <Td>
        <Link href={`/prompts/view/?id=${encodeURIComponent(prompt.id)}`} className="font-medium text-slate-900 hover:underline">
          {prompt.name}
        </Link>
        <p className="text-xs text-slate-500">{prompt.title}</p>
      </Td>
      <Td>
        <StatusBadge status={prompt.status} />
        {prompt.deleted_at && (
          <Badge tone="red" className="ml-1">
            deleted
          </Badge>
        )}
      </Td>
      <Td className="tabular-nums">v{prompt.version}</Td>
      <Td>
        <div className="flex flex-wrap gap-1">
          {prompt.tags.map((t) => (
            <Badge key={t}>{t}</Badge>
          ))}
        </div>
      </Td>
      <Td>
        <div className="flex flex-wrap gap-1">
          {labels.map(([label, version]) => (
            <Badge key={label} tone="blue">
              {label} → v{version}
            </Badge>
          ))}
        </div>
      </Td>
      <Td className="whitespace-nowrap text-slate-500">{formatDate(prompt.updated_at)}</Td>
    </tr>
  );
}

function NoPrompts({ filtered, onClear }: { filtered: boolean; onClear: () => void }) {
  if (filtered) {
    return (
      <EmptyState title="No prompt matches these filters">
        <Button variant="outline" size="sm" onClick={onClear}>
          Clear filters
        </Button>
      </EmptyState>
    );
  }
  return (
    <EmptyState title="No prompts yet">
      Press <strong>New prompt</strong> above, or create one from a terminal:{" "}
      <code className="rounded bg-slate-100 px-1">autoforge prompt create support-reply --content &quot;Answer politely.&quot;</code>
    </EmptyState>
  );
}

/** Prompts newest first, filtered on the server, one page of 20 at a time. */
export function PromptList() {
  const [filters, setFilters] = useState<PromptFilters>({});
  const query = useDebounced(filters);
  const list = usePromptList(query);
  const prompts = list.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = Object.values(query).some((v) => v !== undefined && v !== "" && v !== false);

  return (
    <section aria-label="prompts">
      <FilterBar filters={filters} onChange={setFilters} />
      <ErrorMessage error={list.error} />
      {list.isPending ? (
        <Loading what="Loading prompts" />
      ) : prompts.length === 0 && !list.error ? (
        <NoPrompts filtered={filtered} onClear={() => setFilters({})} />
      ) : (
        prompts.length > 0 && (
          <Table>
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>Status</Th>
                <Th>Version</Th>
                <Th>Tags</Th>
                <Th>Labels</Th>
                <Th>Updated</Th>
              </tr>
            </thead>
            <tbody>
              {prompts.map((p) => (
                <PromptRow key={p.id} prompt={p} />
              ))}
            </tbody>
          </Table>
        )
      )}
      {list.hasNextPage && (
        <div className="mt-4 flex justify-center">
          <Button variant="outline" onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>
            {list.isFetchingNextPage ? "Loading…" : "Load more"}
          </Button>
        </div>
      )}
    </section>
  );
}
