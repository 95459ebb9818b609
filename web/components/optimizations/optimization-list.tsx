"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";

import { EmptyState, ErrorMessage, Loading, PageTitle } from "@/components/feedback";
import { StatusBadge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Label, Select } from "@/components/ui/input";
import { Table, Td, Th } from "@/components/ui/table";
import { api } from "@/lib/api";
import {
  OPTIMIZATION_STATUSES,
  type Optimization,
  type OptimizationPage,
  type OptimizationStatus,
} from "@/lib/types/optimizations";
import { formatDate, formatScore } from "@/lib/utils";

import { formatPoints, headline } from "./history";
import { usePromptNames } from "./prompt-names";

const PAGE_SIZE = 20;
// While something runs, the list refreshes itself so statuses and calls move.
const REFRESH_MS = 3_000;

export function OptimizationList() {
  const router = useRouter();
  const [status, setStatus] = useState<OptimizationStatus | "">("");
  const list = useInfiniteQuery({
    queryKey: ["optimizations", { status }],
    queryFn: ({ pageParam }) =>
      api.get<OptimizationPage>("/optimizations", { status, cursor: pageParam, limit: PAGE_SIZE }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    refetchInterval: (query) =>
      query.state.data?.pages.some((page) => page.items.some(isActive)) ? REFRESH_MS : false,
  });
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];
  const names = usePromptNames(items.map((o) => o.prompt_id));

  return (
    <div>
      <PageTitle
        actions={
          <Button onClick={() => router.push("/optimizations/new/")}>New optimization</Button>
        }
      >
        Optimizations
      </PageTitle>
      <div className="mb-4 w-48">
        <Label htmlFor="status-filter">Status</Label>
        <Select
          id="status-filter"
          value={status}
          onChange={(e) => setStatus(e.target.value as OptimizationStatus | "")}
        >
          <option value="">any</option>
          {OPTIMIZATION_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </Select>
      </div>
      <ErrorMessage error={list.error} />
      {list.isPending && <Loading what="Loading optimizations" />}
      {list.isSuccess && items.length === 0 && (
        <EmptyState title={status ? `No ${status} optimizations.` : "No optimizations yet."}>
          Press <strong>New optimization</strong> to search for a better version of a prompt on a dataset, or run{" "}
          <code className="rounded bg-slate-100 px-1">autoforge optimize PROMPT --dataset D</code>.
        </EmptyState>
      )}
      {items.length > 0 && (
        <Card>
          <Table>
            <thead>
              <tr>
                <Th>Prompt</Th>
                <Th>Dataset</Th>
                <Th>Strategy</Th>
                <Th>Status</Th>
                <Th>Calls / budget</Th>
                <Th>Improvement (held-out test)</Th>
                <Th>Created</Th>
              </tr>
            </thead>
            <tbody>
              {items.map((o) => (
                <OptimizationRow key={o.id} optimization={o} promptName={names.get(o.prompt_id)} />
              ))}
            </tbody>
          </Table>
        </Card>
      )}
      {list.hasNextPage && (
        <Button
          variant="outline"
          className="mt-4"
          onClick={() => list.fetchNextPage()}
          disabled={list.isFetchingNextPage}
        >
          {list.isFetchingNextPage ? "Loading…" : "Load more"}
        </Button>
      )}
    </div>
  );
}

function isActive(o: Optimization): boolean {
  return o.status === "pending" || o.status === "running";
}

function OptimizationRow({ optimization: o, promptName }: { optimization: Optimization; promptName?: string }) {
  const href = `/optimizations/view/?id=${encodeURIComponent(o.id)}`;
  return (
    <tr className="hover:bg-slate-50">
      <Td>
        <Link href={href} className="font-medium text-slate-900 underline-offset-2 hover:underline">
          {promptName ?? o.prompt_id.slice(0, 8)} v{o.prompt_version}
        </Link>
      </Td>
      <Td>{o.config.dataset_name ?? "—"}</Td>
      <Td>{o.strategy}</Td>
      <Td>
        <StatusBadge status={o.status} />
      </Td>
      <Td>
        <CallsUsed optimization={o} />
      </Td>
      <Td className="tabular-nums">
        {o.status === "completed" ? (
          <Improvement optimization={o} />
        ) : o.status === "failed" ? (
          <span className="text-slate-500">—</span>
        ) : (
          // The test split is scored only once the search is over: until then, the search's own figure.
          <span className="text-slate-500">validation so far {formatScore(o.progress?.best_val)}</span>
        )}
      </Td>
      <Td className="whitespace-nowrap text-slate-500">{formatDate(o.created_at)}</Td>
    </tr>
  );
}

/** The test improvement, not the validation one: validation chose the winner. A run with
 *  no test figure says so rather than passing validation off as the same thing. */
function Improvement({ optimization: o }: { optimization: Optimization }) {
  const h = headline(o);
  return (
    <div data-testid="list-improvement">
      <strong>{formatPoints(h.improvement)}</strong>{" "}
      <span className="text-xs text-slate-500">
        {h.on === "test" ? `test, ${o.test_cases ?? "?"} cases` : "validation only"}
      </span>
      <div className="text-xs text-slate-500">
        {formatScore(h.baseline)} → {formatScore(h.best)}
      </div>
    </div>
  );
}

function CallsUsed({ optimization: o }: { optimization: Optimization }) {
  const budget = o.budget.calls ?? null;
  const share = budget ? Math.min(1, o.calls_used / budget) : 0;
  return (
    <div className="w-32">
      <span className="tabular-nums">
        {o.calls_used}
        {budget ? ` / ${budget}` : ""}
      </span>
      {budget ? (
        <div className="mt-1 h-1.5 overflow-hidden rounded bg-slate-200" aria-hidden>
          <div className="h-full bg-slate-700" style={{ width: `${share * 100}%` }} />
        </div>
      ) : null}
    </div>
  );
}
