"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef } from "react";

import { ErrorMessage, Loading, PageTitle, ProgressBar } from "@/components/feedback";
import { StatusBadge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Fact } from "@/components/ui/fact";
import { API, api, type Page } from "@/lib/api";
import { useEventStream } from "@/lib/events";
import type { Evaluation, ProgressEvent } from "@/lib/types/evaluations";
import { formatDate, formatScore } from "@/lib/utils";

import { AggregateFacts } from "./aggregates";
import { ResultsTable } from "./results-table";
import { DatasetLabel, EVALUATIONS_KEY, evaluationKey, isActive, PromptLabel, resultsKey, shortId } from "./shared";

const EVENTS = ["progress", "completed", "failed"];

export function EvaluationView({ id }: { id: string }) {
  const queryClient = useQueryClient();
  // Read by the polling interval below, which only runs while the live stream is not open.
  const streamOpen = useRef(false);
  const evaluation = useQuery({
    queryKey: evaluationKey(id),
    queryFn: () => api.get<Evaluation>(`/evaluations/${id}`),
    refetchInterval: (query) => (query.state.data && isActive(query.state.data) && !streamOpen.current ? 3_000 : false),
  });
  const active = evaluation.data ? isActive(evaluation.data) : false;

  const stream = useEventStream(active ? `${API}/evaluations/${id}/events` : null, EVENTS, (name, data) => {
    if (name === "progress") {
      const { status, ...progress } = data as ProgressEvent;
      queryClient.setQueryData<Evaluation>(evaluationKey(id), (current) => current && { ...current, status, progress });
    } else {
      // `completed` and `failed` carry the whole evaluation, aggregates included.
      queryClient.setQueryData(evaluationKey(id), data as Evaluation);
      queryClient.invalidateQueries({ queryKey: EVALUATIONS_KEY, predicate: (q) => q.queryKey[1] === "list" });
    }
  });
  useEffect(() => {
    streamOpen.current = stream.open;
  }, [stream.open]);

  // Each newly scored case (from the stream or from polling) is a new row in the results.
  const progressed = evaluation.data ? `${evaluation.data.status}:${evaluation.data.progress.done}` : null;
  const lastProgress = useRef(progressed);
  useEffect(() => {
    if (lastProgress.current !== null && progressed !== lastProgress.current) queryClient.invalidateQueries({ queryKey: resultsKey(id) });
    lastProgress.current = progressed;
  }, [progressed, id, queryClient]);

  if (evaluation.isPending) return <Loading what="Loading the evaluation" />;
  if (evaluation.isError) return <ErrorMessage error={evaluation.error} />;
  const data = evaluation.data;

  return (
    <div className="space-y-6">
      <PageTitle
        actions={
          data.progress.done > 0 && (
            <Link href={`/evaluations/diffoscope/?id=${data.id}`} className="text-sm text-slate-600 underline">
              Intent diffoscope
            </Link>
          )
        }
      >
        Evaluation {shortId(data.id)}
      </PageTitle>
      <Overview evaluation={data} />
      {data.status === "failed" && (
        <ErrorMessage error={`This evaluation failed: ${data.error ?? "no reason was recorded"}`} />
      )}
      {active && <LiveProgress evaluation={data} />}
      {data.status === "completed" && (
        <Card>
          <CardHeader>
            <CardTitle>Aggregates</CardTitle>
          </CardHeader>
          <CardContent>
            <AggregateFacts evaluation={data} />
          </CardContent>
        </Card>
      )}
      <BatchSiblings evaluation={data} />
      <Card>
        <CardHeader>
          <CardTitle>Results</CardTitle>
        </CardHeader>
        <CardContent>
          <ResultsTable evaluationId={id} running={active} />
        </CardContent>
      </Card>
      <RunConfig evaluation={data} />
    </div>
  );
}

function Overview({ evaluation }: { evaluation: Evaluation }) {
  return (
    <Card>
      <CardContent>
        <dl className="grid grid-cols-2 gap-4 text-sm sm:grid-cols-4">
          <Fact term="Status">
            <span role="status" aria-label="Evaluation status">
              <StatusBadge status={evaluation.status} />
            </span>
          </Fact>
          <Fact term="Prompt">
            <PromptLabel promptId={evaluation.prompt_id} version={evaluation.prompt_version} />
          </Fact>
          <Fact term="Dataset">
            <DatasetLabel evaluation={evaluation} />
          </Fact>
          <Fact term="Model">
            <span className="font-mono">{evaluation.model}</span>
          </Fact>
          <Fact term="Created">{formatDate(evaluation.created_at)}</Fact>
          <Fact term="Started">{formatDate(evaluation.started_at)}</Fact>
          <Fact term="Finished">{formatDate(evaluation.finished_at)}</Fact>
          <Fact term="Cases">
            {evaluation.progress.done} / {evaluation.progress.total} ({evaluation.progress.passed} passed)
          </Fact>
        </dl>
      </CardContent>
    </Card>
  );
}

function LiveProgress({ evaluation }: { evaluation: Evaluation }) {
  const { done, total, passed, running_score } = evaluation.progress;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Progress</CardTitle>
      </CardHeader>
      <CardContent className="space-y-2">
        <ProgressBar done={done} total={total} label="cases" />
        <p className="text-sm text-slate-600">
          {evaluation.status === "pending"
            ? "Waiting for a worker to pick it up (`autoforge serve` runs them)."
            : `Running score ${formatScore(running_score)} · ${passed} of ${done} passed so far`}
        </p>
      </CardContent>
    </Card>
  );
}

/** Evaluations started in the same request (one per model), found among the prompt's recent ones. */
function BatchSiblings({ evaluation }: { evaluation: Evaluation }) {
  const recent = useQuery({
    queryKey: [...EVALUATIONS_KEY, "list", "prompt", evaluation.prompt_id],
    queryFn: () => api.get<Page<Evaluation>>("/evaluations", { prompt_id: evaluation.prompt_id, limit: 100 }),
    enabled: evaluation.group_id !== null,
  });
  const siblings = (recent.data?.items ?? []).filter((e) => e.group_id === evaluation.group_id && e.id !== evaluation.id);
  if (siblings.length === 0) return null;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Started together</CardTitle>
      </CardHeader>
      <CardContent>
        <ul className="space-y-1 text-sm">
          {siblings.map((sibling) => (
            <li key={sibling.id} className="flex items-center gap-2">
              <Link href={`/evaluations/view/?id=${sibling.id}`} className="font-mono underline">
                {sibling.model}
              </Link>
              <StatusBadge status={sibling.status} />
              {evaluation.status === "completed" && sibling.status === "completed" && (
                <Link href={`/evaluations/compare/?a=${evaluation.id}&b=${sibling.id}`} className="text-slate-600 underline">
                  compare with this one
                </Link>
              )}
            </li>
          ))}
        </ul>
      </CardContent>
    </Card>
  );
}

/** What the run was configured with, frozen when it started (assertions, generation parameters). */
function RunConfig({ evaluation }: { evaluation: Evaluation }) {
  const { assertions, params, mode, concurrency, no_cache } = evaluation.config;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Configuration</CardTitle>
      </CardHeader>
      <CardContent className="space-y-3 text-sm">
        {assertions && (
          <div>
            <p className="text-xs uppercase text-slate-500">
              Assertions (a case passes at a weighted share ≥ {assertions.pass_threshold ?? 1})
            </p>
            <ul className="mt-1 space-y-1">
              {assertions.assertions.map((assertion, index) => {
                const { type, ...parameters } = assertion;
                return (
                  <li key={index} className="font-mono text-xs">
                    <span className="font-semibold">{type}</span> {JSON.stringify(parameters)}
                  </li>
                );
              })}
            </ul>
          </div>
        )}
        <p className="font-mono text-xs text-slate-600">
          params {JSON.stringify(params ?? {})} · mode {mode ?? "auto"} · concurrency {concurrency ?? "—"}
          {no_cache ? " · no cache" : ""}
        </p>
      </CardContent>
    </Card>
  );
}
