"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";

import { EmptyState, ErrorMessage, Loading } from "@/components/feedback";
import { StatusBadge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Label, Select } from "@/components/ui/input";
import { Table, Td, Th } from "@/components/ui/table";
import { api, type Page } from "@/lib/api";
import type { Evaluation, EvaluationStatus } from "@/lib/types/evaluations";
import { formatDate, formatPercent, formatScore } from "@/lib/utils";

import { DatasetLabel, EVALUATIONS_KEY, isActive, PromptLabel, shortId } from "./shared";

const STATUSES: EvaluationStatus[] = ["pending", "running", "completed", "failed"];

export function EvaluationList() {
  const router = useRouter();
  const [status, setStatus] = useState<EvaluationStatus | "">("");
  // Compare takes exactly two: the first ticked is the baseline.
  const [selected, setSelected] = useState<string[]>([]);

  const evaluations = useInfiniteQuery({
    queryKey: [...EVALUATIONS_KEY, "list", status],
    queryFn: ({ pageParam }) =>
      api.get<Page<Evaluation>>("/evaluations", { status: status || undefined, cursor: pageParam, limit: 20 }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    // Keep progress moving while something runs.
    refetchInterval: (query) =>
      query.state.data?.pages.some((page) => page.items.some(isActive)) ? 2_000 : false,
  });
  const rows = evaluations.data?.pages.flatMap((page) => page.items) ?? [];

  function toggle(id: string, on: boolean) {
    setSelected((current) => (on ? [...current.filter((x) => x !== id), id].slice(-2) : current.filter((x) => x !== id)));
  }

  return (
    <Card>
      <CardContent className="space-y-4">
        <div className="flex flex-wrap items-end justify-between gap-4">
          <div className="w-48">
            <Label htmlFor="evaluation-status">Status</Label>
            <Select id="evaluation-status" value={status} onChange={(e) => setStatus(e.target.value as EvaluationStatus | "")}>
              <option value="">All</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </Select>
          </div>
          <div className="flex items-center gap-3">
            <p className="text-xs text-slate-500">Tick two completed evaluations to compare them (the first is the baseline).</p>
            <Button
              variant="outline"
              disabled={selected.length !== 2}
              onClick={() => router.push(`/evaluations/compare/?a=${selected[0]}&b=${selected[1]}`)}
            >
              Compare ({selected.length}/2)
            </Button>
          </div>
        </div>
        <ErrorMessage error={evaluations.error} />
        {evaluations.isPending && <Loading what="Loading evaluations" />}
        {evaluations.isSuccess && rows.length === 0 && (
          <EmptyState title={status ? `No ${status} evaluations` : "No evaluations yet"}>
            Press <Link href="/evaluations/new/" className="underline">New evaluation</Link>, or run{" "}
            <code>autoforge eval run sentiment-classifier --dataset sentiment</code> (after{" "}
            <code>autoforge dataset examples</code>).
          </EmptyState>
        )}
        {rows.length > 0 && (
          <Table aria-label="evaluations">
            <thead>
              <tr>
                <Th>
                  <span className="sr-only">Compare</span>
                </Th>
                <Th>Evaluation</Th>
                <Th>Prompt</Th>
                <Th>Dataset</Th>
                <Th>Model</Th>
                <Th>Status</Th>
                <Th>Progress</Th>
                <Th>Score</Th>
                <Th>Accuracy</Th>
                <Th>Created</Th>
              </tr>
            </thead>
            <tbody>
              {rows.map((evaluation) => (
                <EvaluationRow
                  key={evaluation.id}
                  evaluation={evaluation}
                  selected={selected.includes(evaluation.id)}
                  onToggle={(on) => toggle(evaluation.id, on)}
                />
              ))}
            </tbody>
          </Table>
        )}
        {evaluations.hasNextPage && (
          <Button variant="outline" onClick={() => evaluations.fetchNextPage()} disabled={evaluations.isFetchingNextPage}>
            {evaluations.isFetchingNextPage ? "Loading…" : "Load more"}
          </Button>
        )}
      </CardContent>
    </Card>
  );
}

function EvaluationRow({
  evaluation,
  selected,
  onToggle,
}: {
  evaluation: Evaluation;
  selected: boolean;
  onToggle: (on: boolean) => void;
}) {
  const { progress } = evaluation;
  const comparable = evaluation.status === "completed";
  return (
    <tr>
      <Td>
        <input
          type="checkbox"
          aria-label={`Select evaluation ${shortId(evaluation.id)} to compare`}
          title={comparable ? undefined : "only completed evaluations can be compared"}
          checked={selected}
          disabled={!comparable}
          onChange={(e) => onToggle(e.target.checked)}
        />
      </Td>
      <Td>
        <Link href={`/evaluations/view/?id=${evaluation.id}`} className="font-mono text-xs font-medium underline">
          {shortId(evaluation.id)}
        </Link>
      </Td>
      <Td>
        <PromptLabel promptId={evaluation.prompt_id} version={evaluation.prompt_version} />
      </Td>
      <Td>
        <DatasetLabel evaluation={evaluation} />
      </Td>
      <Td className="font-mono text-xs">{evaluation.model}</Td>
      <Td>
        <StatusBadge status={evaluation.status} />
      </Td>
      <Td className="whitespace-nowrap">
        {progress.done} / {progress.total}
      </Td>
      <Td>{formatScore(evaluation.status === "completed" ? evaluation.overall_score : progress.running_score)}</Td>
      <Td>{formatPercent(evaluation.accuracy_score)}</Td>
      <Td className="whitespace-nowrap">{formatDate(evaluation.created_at)}</Td>
    </tr>
  );
}
