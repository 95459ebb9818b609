"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { PromptLabel } from "@/components/evaluations/shared";
import { EmptyState, ErrorMessage, Loading } from "@/components/feedback";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Label, Select } from "@/components/ui/input";
import { Table, Td, Th } from "@/components/ui/table";
import { api } from "@/lib/api";
import { TRACE_SOURCES, type Trace, type TraceList as TracePage, type TraceSource } from "@/lib/types/traces";
import { formatDate, formatMs, formatUsd } from "@/lib/utils";

// The API has no cursor: "Load more" asks for a longer list of the newest calls, up to its bound.
const PAGE_SIZE = 50;
const MAX_LIMIT = 500;
// Calls keep arriving (runs, evaluations, exporters): the list refreshes itself.
const REFRESH_MS = 5_000;

export function TraceList() {
  const [source, setSource] = useState<TraceSource | "">("");
  const [model, setModel] = useState("");
  const [limit, setLimit] = useState(PAGE_SIZE);

  const traces = useQuery({
    queryKey: ["traces", "list", { source, model, limit }],
    queryFn: () =>
      api.get<TracePage>("/traces", { source: source || undefined, model: model || undefined, limit }),
    placeholderData: keepPreviousData,
    refetchInterval: REFRESH_MS,
  });
  // The model filter offers the models of the newest calls of the chosen source.
  const seen = useQuery({
    queryKey: ["traces", "models", { source }],
    queryFn: () => api.get<TracePage>("/traces", { source: source || undefined, limit: MAX_LIMIT }),
    refetchInterval: REFRESH_MS * 6,
  });
  const models = [...new Set([...(seen.data?.items.map((t) => t.model) ?? []), ...(model ? [model] : [])])].sort();
  const rows = traces.data?.items ?? [];
  const filtered = Boolean(source || model);

  return (
    <Card>
      <CardContent className="space-y-4">
        <div className="flex flex-wrap items-end gap-4">
          <div className="w-48">
            <Label htmlFor="trace-source">Source</Label>
            <Select
              id="trace-source"
              value={source}
              onChange={(e) => {
                setSource(e.target.value as TraceSource | "");
                setLimit(PAGE_SIZE);
              }}
            >
              <option value="">All</option>
              {TRACE_SOURCES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </Select>
          </div>
          <div className="w-72">
            <Label htmlFor="trace-model">Model</Label>
            <Select
              id="trace-model"
              value={model}
              onChange={(e) => {
                setModel(e.target.value);
                setLimit(PAGE_SIZE);
              }}
            >
              <option value="">All</option>
              {models.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </Select>
          </div>
          <p className="text-xs text-slate-500">
            Calls made here (gateway) and model-call spans sent over OTLP (otlp), newest first.
          </p>
        </div>
        <ErrorMessage error={traces.error} />
        {traces.isPending && <Loading what="Loading traces" />}
        {traces.isSuccess && rows.length === 0 && (
          <EmptyState title={filtered ? "No calls match these filters" : "No model calls yet"}>
            Run a prompt on its page, or point an OpenTelemetry exporter at <code>/v1/traces</code> with a
            member key.
          </EmptyState>
        )}
        {rows.length > 0 && (
          <Table aria-label="traces">
            <thead>
              <tr>
                <Th>Time</Th>
                <Th>Source</Th>
                <Th>Model</Th>
                <Th>Provider</Th>
                <Th>Prompt</Th>
                <Th className="text-right">Tokens in / out</Th>
                <Th className="text-right">Cost</Th>
                <Th className="text-right">Latency</Th>
                <Th>Status</Th>
              </tr>
            </thead>
            <tbody>
              {rows.map((trace) => (
                <TraceRow key={trace.id} trace={trace} />
              ))}
            </tbody>
          </Table>
        )}
        {rows.length >= limit && limit < MAX_LIMIT && (
          <Button
            variant="outline"
            onClick={() => setLimit(Math.min(MAX_LIMIT, limit + PAGE_SIZE))}
            disabled={traces.isFetching}
          >
            {traces.isFetching ? "Loading…" : "Load more"}
          </Button>
        )}
      </CardContent>
    </Card>
  );
}

function TraceRow({ trace }: { trace: Trace }) {
  return (
    <tr data-testid="trace-row" data-source={trace.source} data-call-id={trace.id}>
      <Td className="whitespace-nowrap">{formatDate(trace.created_at)}</Td>
      <Td>
        <Badge tone={trace.source === "otlp" ? "blue" : "neutral"}>{trace.source}</Badge>
      </Td>
      <Td className="font-mono text-xs">{trace.model}</Td>
      <Td>{trace.provider ?? "—"}</Td>
      <Td>
        <TracePrompt trace={trace} />
      </Td>
      <Td className="whitespace-nowrap text-right tabular-nums">
        {trace.tokens_in} / {trace.tokens_out}
      </Td>
      <Td className="text-right tabular-nums">
        {trace.unpriced ? (
          <span className="text-amber-700" title="No price is known for this model: set LLM_PRICES">
            unpriced
          </span>
        ) : (
          formatUsd(trace.cost_usd)
        )}
      </Td>
      <Td className="whitespace-nowrap text-right tabular-nums">{formatMs(trace.latency_ms)}</Td>
      <Td>
        <TraceStatus trace={trace} />
      </Td>
    </tr>
  );
}

/** Our prompt when the call is linked to one; else the name the span gave, if any. */
function TracePrompt({ trace }: { trace: Trace }) {
  if (trace.prompt_id && trace.prompt_version !== null) {
    return <PromptLabel promptId={trace.prompt_id} version={trace.prompt_version} />;
  }
  if (!trace.prompt_name) return <span className="text-slate-400">—</span>;
  return (
    <span title="named by the span; no prompt of this project matches it">
      {trace.prompt_name}
      {trace.prompt_version !== null && <span className="text-slate-500"> v{trace.prompt_version}</span>}
    </span>
  );
}

function TraceStatus({ trace }: { trace: Trace }) {
  if (trace.error) {
    return (
      <div className="max-w-xs space-y-1">
        <Badge tone="red">error</Badge>
        <p className="truncate text-xs text-red-700" title={trace.error}>
          {trace.error}
        </p>
      </div>
    );
  }
  return (
    <div className="flex gap-1">
      <Badge tone="green">ok</Badge>
      {trace.cache_hit && <Badge tone="amber">cached</Badge>}
    </div>
  );
}
