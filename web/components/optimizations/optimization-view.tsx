"use client";

import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";

import { EmptyState, ErrorMessage, Loading, PageTitle } from "@/components/feedback";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { API, api } from "@/lib/api";
import { useEventStream } from "@/lib/events";
import type { Prompt } from "@/lib/types/prompts";
import type {
  CandidatePage,
  Optimization,
  OptimizationCandidate,
  OptimizationStatus,
  ProgressEvent,
} from "@/lib/types/optimizations";

import { CandidateHistory } from "./candidates";
import {
  bestSoFar,
  findWinner,
  liveSeries,
  plainError,
  roundName,
  seriesFromHistory,
  withProgressPoint,
  type ScorePoint,
} from "./history";
import { ProgressCard } from "./progress-card";
import { ResultCard } from "./result-card";

// recharts is a third of the page's JavaScript: progress shows first, the chart follows.
const ScoreChart = dynamic(() => import("./score-chart").then((m) => m.ScoreChart), {
  ssr: false,
  loading: () => <div className="h-80 animate-pulse rounded-lg bg-slate-100" />,
});

const EVENTS = ["progress", "completed", "failed"];
// A safety net under the live stream (a dropped connection is not reopened).
const POLL_MS = 5_000;
const CANDIDATE_PAGE = 500;
// The whole history is read again on a refresh: while the run goes, at most this often
// (progress events may come twice a second).
const CANDIDATES_REFRESH_MS = 2_000;

function isTerminal(status: OptimizationStatus): boolean {
  return status === "completed" || status === "failed";
}

export function OptimizationView() {
  const id = useSearchParams().get("id");
  if (!id) {
    return (
      <EmptyState title="No optimization chosen.">
        Open one from the <Link href="/optimizations/" className="underline">list of optimizations</Link>.
      </EmptyState>
    );
  }
  return <OptimizationDetail key={id} id={id} />;
}

function OptimizationDetail({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const key = ["optimization", id];
  const optimization = useQuery({
    queryKey: key,
    queryFn: () => api.get<Optimization>(`/optimizations/${encodeURIComponent(id)}`),
    refetchInterval: (query) => (query.state.data && !isTerminal(query.state.data.status) ? POLL_MS : false),
  });
  const data = optimization.data;
  const terminal = data !== undefined && isTerminal(data.status);

  // Each progress report stores the candidates scored so far: refetch them (throttled),
  // keeping an in-flight read rather than restarting it, which a long history could starve.
  // Once the run has ended, the final history is read once, under its own key (below).
  const candidatesKey = ["optimization", id, "candidates"];
  const refreshCandidates = useThrottled(() => {
    if (!terminal) queryClient.invalidateQueries({ queryKey: candidatesKey }, { cancelRefetch: false });
  }, CANDIDATES_REFRESH_MS);

  // Live: each `progress` event moves the figures and adds (or moves) its round's point.
  const [live, setLive] = useState<ProgressEvent | null>(null);
  const [points, setPoints] = useState<ScorePoint[]>([]);
  const streamUrl = data && !terminal ? `${API}/optimizations/${encodeURIComponent(id)}/events` : null;
  useEventStream(streamUrl, EVENTS, (name, payload) => {
    if (name === "progress") {
      const event = payload as ProgressEvent;
      setLive(event);
      setPoints((current) => withProgressPoint(current, event));
      refreshCandidates();
    } else {
      queryClient.setQueryData(key, payload as Optimization);
      queryClient.invalidateQueries({ queryKey: ["optimizations"] });
    }
  });
  // A polled (or first) read counts as a progress report too.
  const polled = data?.progress;
  useEffect(() => {
    if (!polled) return;
    setPoints((current) => withProgressPoint(current, polled));
    refreshCandidates();
  }, [polled, refreshCandidates]);
  const status = data === undefined || terminal ? data?.status : (live?.status ?? data.status);

  const prompt = useQuery({
    queryKey: ["prompt", data?.prompt_id, "include-deleted"],
    queryFn: () => api.get<Prompt>(`/prompts/${encodeURIComponent(data!.prompt_id)}`, { include_deleted: true }),
    enabled: data !== undefined,
  });
  // The key's last part changes once the run ends: the final history is read afresh, and
  // the history so far stays on screen meanwhile.
  const candidates = useQuery({
    queryKey: [...candidatesKey, terminal ? "final" : "so far"],
    queryFn: () => fetchCandidates(id),
    enabled: status !== undefined && status !== "pending",
    placeholderData: keepPreviousData,
  });

  if (optimization.isPending) return <Loading what="Loading the optimization" />;
  if (!data || !status) return <ErrorMessage error={optimization.error} />;

  const progress = terminal ? data.progress : live?.round !== undefined ? live : data.progress;
  const history = candidates.data ?? [];
  const fromHistory = seriesFromHistory(history, data.strategy);
  const chartPoints = !terminal ? liveSeries(fromHistory, points) : fromHistory.length > 0 ? fromHistory : points;
  const completed = data.status === "completed";
  const winner = completed ? findWinner(history, data.best_template) : bestSoFar(history);
  const start = history.find((c) => c.parents.length === 0 && c.position === 0);
  const round = roundName(data.strategy);

  return (
    <div className="space-y-4">
      <PageTitle>
        Optimization of {prompt.data?.name ?? "…"} v{data.prompt_version}
      </PageTitle>
      <ErrorMessage error={optimization.error} />
      <ProgressCard optimization={data} status={status} progress={progress} promptName={prompt.data?.name} />
      {data.status === "failed" && <FailureCard error={data.error} />}
      {data.status === "completed" && (
        <ResultCard optimization={data} prompt={prompt.data} startTemplate={start?.template} />
      )}
      {!(data.status === "failed" && chartPoints.length === 0) && (
        <ScoreChart
          points={chartPoints}
          roundName={round}
          baseline={data.baseline_val}
          emptyText="No scores yet: a point is added each time the search reports its progress."
        />
      )}
      {status !== "pending" && !(data.status === "failed" && history.length === 0) && (
        <>
          <ErrorMessage error={candidates.error} />
          {!terminal && (
            <p className="text-sm text-slate-500">
              The candidates scored so far, refreshed as the run reports its progress: scores may still improve, and the
              best so far may change until the run completes.
            </p>
          )}
          {candidates.isPending && <Loading what="Loading the candidates" />}
          {candidates.isSuccess && (
            <CandidateHistory candidates={history} winner={winner} final={completed} roundName={round} />
          )}
        </>
      )}
    </div>
  );
}

/**
 * A function that calls `run` at most once per `ms`; a call within the wait is not lost but
 * deferred to its end, so the latest state is always fetched.
 */
function useThrottled(run: () => void, ms: number): () => void {
  const latest = useRef(run);
  latest.current = run;
  const last = useRef(-Infinity);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => clearTimeout(timer.current ?? undefined), []);
  return useCallback(() => {
    if (timer.current !== null) return; // a deferred call is already due
    const fire = () => {
      timer.current = null;
      last.current = Date.now();
      latest.current();
    };
    const wait = last.current + ms - Date.now();
    if (wait <= 0) fire();
    else timer.current = setTimeout(fire, wait);
  }, [ms]);
}

/** The whole history, in the order the search evaluated it. */
async function fetchCandidates(id: string): Promise<OptimizationCandidate[]> {
  const items: OptimizationCandidate[] = [];
  let after: number | null = null;
  do {
    const page: CandidatePage = await api.get<CandidatePage>(`/optimizations/${encodeURIComponent(id)}/candidates`, {
      after,
      limit: CANDIDATE_PAGE,
    });
    items.push(...page.items);
    after = page.next_cursor;
  } while (after !== null);
  return items;
}

function FailureCard({ error }: { error: string | null }) {
  const text = error ? plainError(error) : "The run failed without saying why.";
  const budgetTooSmall = text.includes("before the starting prompt was scored");
  return (
    <Card className="border-red-200">
      <CardHeader>
        <CardTitle>This optimization failed</CardTitle>
      </CardHeader>
      <CardContent>
        <div role="alert" className="whitespace-pre-wrap text-sm text-red-800">
          {text}
        </div>
        {budgetTooSmall && (
          <p className="mt-2 text-sm text-slate-600">
            The budget must at least cover scoring the starting prompt on the train and validation items, plus the test
            items twice (the start and the winner, at the end). Start a new optimization with more calls or smaller
            shares.
          </p>
        )}
      </CardContent>
    </Card>
  );
}
