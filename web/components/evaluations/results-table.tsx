"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";

import { EmptyState, ErrorMessage, Loading } from "@/components/feedback";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Label, Select } from "@/components/ui/input";
import { Table, Td, Th } from "@/components/ui/table";
import { api } from "@/lib/api";
import type { ResultPage, TestResult } from "@/lib/types/evaluations";
import { formatMs, formatScore } from "@/lib/utils";

import { PassBadge, resultsKey } from "./shared";

type Filter = "all" | "passed" | "failed" | "unsupported";

/** The API's query for a filter: `passed` and `unsupported` narrow the list independently. */
function filterQuery(filter: Filter) {
  if (filter === "unsupported") return { unsupported: true };
  return { passed: filter === "all" ? undefined : filter === "passed" };
}

/** The per-case results committed so far, by case name; refreshed by the page as progress arrives. */
export function ResultsTable({ evaluationId, running }: { evaluationId: string; running: boolean }) {
  const [filter, setFilter] = useState<Filter>("all");
  const results = useInfiniteQuery({
    queryKey: [...resultsKey(evaluationId), filter],
    queryFn: ({ pageParam }) =>
      api.get<ResultPage>(`/evaluations/${evaluationId}/results`, {
        ...filterQuery(filter),
        after: pageParam,
        limit: 50,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = results.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <div className="space-y-3">
      <div className="w-48">
        <Label htmlFor="results-filter">Show</Label>
        <Select id="results-filter" value={filter} onChange={(e) => setFilter(e.target.value as Filter)}>
          <option value="all">All cases</option>
          <option value="passed">Passed only</option>
          <option value="failed">Failed only</option>
          <option value="unsupported">Flagged unsupported</option>
        </Select>
      </div>
      <ErrorMessage error={results.error} />
      {results.isPending && <Loading what="Loading results" />}
      {results.isSuccess && rows.length === 0 && (
        <EmptyState title={running ? "No case is scored yet" : filter === "all" ? "No results" : `No ${filter} cases`}>
          {running && "Results appear here case by case as the run goes."}
        </EmptyState>
      )}
      {rows.length > 0 && (
        <Table aria-label="Results">
          <thead>
            <tr>
              <Th>Case</Th>
              <Th>Result</Th>
              <Th>Score</Th>
              <Th>Expected</Th>
              <Th>Output</Th>
              <Th>Reason</Th>
              <Th>Latency</Th>
            </tr>
          </thead>
          <tbody>
            {rows.map((result) => (
              <ResultRow key={result.test_case_name} result={result} />
            ))}
          </tbody>
        </Table>
      )}
      {results.hasNextPage && (
        <Button variant="outline" onClick={() => results.fetchNextPage()} disabled={results.isFetchingNextPage}>
          {results.isFetchingNextPage ? "Loading…" : "Load more results"}
        </Button>
      )}
    </div>
  );
}

function ResultRow({ result }: { result: TestResult }) {
  return (
    <tr>
      <Td className="font-mono text-xs">{result.test_case_name}</Td>
      <Td>
        <PassBadge passed={result.passed} />
        {result.unsupported && (
          <span title="Counted in the hallucination rate: the judge, or without one the reference check against the input and expected output, found claims they do not support">
            <Badge className="ml-1" tone="amber">
              unsupported
            </Badge>
          </span>
        )}
      </Td>
      <Td>{formatScore(result.score)}</Td>
      <Td className="max-w-48 whitespace-pre-wrap break-words">{result.expected ?? "—"}</Td>
      <Td className="max-w-64 whitespace-pre-wrap break-words font-mono text-xs">
        {result.error ? <span className="text-red-700">{result.error}</span> : (result.output ?? "—")}
      </Td>
      {/* A failed model call's reason repeats its error, already shown as the output. */}
      <Td className="max-w-96 text-xs text-slate-600">{result.reason && result.reason !== result.error ? result.reason : "—"}</Td>
      <Td className="whitespace-nowrap">
        {formatMs(result.latency_ms)}
        {result.cache_hit && (
          <Badge className="ml-1" tone="blue">
            cached
          </Badge>
        )}
      </Td>
    </tr>
  );
}
