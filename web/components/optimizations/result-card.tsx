"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";

import { ErrorMessage } from "@/components/feedback";
import { TemplateDiff } from "@/components/monaco";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Fact } from "@/components/ui/fact";
import { Input, Label } from "@/components/ui/input";
import { api } from "@/lib/api";
import type { Optimization } from "@/lib/types/optimizations";
import type { Prompt, PromptLabel, PromptVersion } from "@/lib/types/prompts";
import { cn, formatScore, formatUsd, unpricedNote } from "@/lib/utils";

import { formatPoints, headline, stopReasonText } from "./history";

/** A completed run: what it gained on cases the search never saw, what it spent, why it
 *  stopped, where the winner went. The search's own train/validation figures come second:
 *  validation chose the winner, so it flatters it. */
export function ResultCard({
  optimization: o,
  prompt,
  startTemplate,
}: {
  optimization: Optimization;
  prompt: Prompt | undefined;
  startTemplate: string | undefined;
}) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Result</CardTitle>
      </CardHeader>
      <CardContent className="space-y-4">
        <HeadlineResult optimization={o} />
        <dl className="grid gap-x-6 gap-y-3 text-sm text-slate-600 sm:grid-cols-3">
          <Fact term="Validation: baseline → best (chose the winner)" testId="search-val">
            {formatScore(o.baseline_val)} → {formatScore(o.best_val)}
          </Fact>
          <Fact term="Train: baseline → best (searched on)">
            {formatScore(o.baseline_train)} → {formatScore(o.best_train)}
          </Fact>
          <Fact term="Calls">
            {o.calls_used}
            {o.budget.calls ? ` of ${o.budget.calls}` : ""} ({o.cache_hits} cached)
          </Fact>
          <Fact term="Cost">
            {formatUsd(o.cost_usd)}
            {unpricedNote(o.unpriced_calls) ? (
              <span className="ml-1 text-xs text-amber-700" data-testid="unpriced-note">
                {unpricedNote(o.unpriced_calls)}
              </span>
            ) : null}
          </Fact>
          <Fact term="Wall time">{o.wall_s === null ? "—" : `${o.wall_s.toFixed(1)} s`}</Fact>
          <Fact term="Stopped because">{stopReasonText(o.stop_reason)}</Fact>
          <Fact term="Saved as">
            <SavedVersion optimization={o} prompt={prompt} />
          </Fact>
        </dl>
        {o.best_version !== null && <AcceptWinner optimization={o} prompt={prompt} bestVersion={o.best_version} />}
        {o.best_template !== null && startTemplate !== undefined && (
          <DiffToggle original={startTemplate} modified={o.best_template} />
        )}
      </CardContent>
    </Card>
  );
}

/** The figure to judge the run by: winner minus start where it was measured (the held-out
 *  test split, else validation), its 95 % interval, and the API's verdict word for word. */
function HeadlineResult({ optimization: o }: { optimization: Optimization }) {
  const h = headline(o);
  return (
    <section aria-label="Headline result" className="rounded-md border border-slate-200 p-4">
      <dl className="grid gap-x-6 gap-y-3 sm:grid-cols-4">
        <Fact term="Improvement" testId="headline-improvement">
          <Improvement value={h.improvement} />
        </Fact>
        <Fact term="Measured on" testId="measured-on">
          {h.where}
        </Fact>
        <Fact term={`${h.on === "test" ? "Test" : "Validation"}: baseline → best`} testId="headline-scores">
          {formatScore(h.baseline)} → <strong>{formatScore(h.best)}</strong>
        </Fact>
        <Fact term="95 % interval" testId="test-interval">
          {h.interval ? `${formatPoints(h.interval.low)} to ${formatPoints(h.interval.high)}` : "— (no held-out test)"}
        </Fact>
      </dl>
      {o.verdict && (
        <p className="mt-3 text-sm text-slate-800" data-testid="verdict">
          {o.verdict}
        </p>
      )}
      {h.on === "validation" && (
        <p className="mt-2 text-xs text-amber-700">
          No held-out test figure: validation both chose the winner and measured it, so this improvement flatters it. Give
          the next run a test share above 0 (and a budget that covers scoring it twice).
        </p>
      )}
    </section>
  );
}

function Improvement({ value }: { value: number | null }) {
  if (value === null) return <>—</>;
  // Coloured as printed: a change that rounds to +0.0 pp is no gain.
  const shown = Math.abs(value) < 0.0005 ? 0 : value;
  return (
    <strong className={cn("text-lg", shown > 0 ? "text-green-700" : shown < 0 ? "text-red-700" : "text-slate-700")}>
      {formatPoints(value)}
    </strong>
  );
}

/** Whether the run added a version: the version it saved carries a change note naming it;
 *  otherwise the prompt's latest version already held the best template. */
function SavedVersion({ optimization: o, prompt }: { optimization: Optimization; prompt: Prompt | undefined }) {
  const version = useQuery({
    queryKey: ["prompt", o.prompt_id, "version", o.best_version],
    queryFn: () => api.get<PromptVersion>(`/prompts/${encodeURIComponent(o.prompt_id)}/versions/${o.best_version}`),
    enabled: o.best_version !== null,
  });
  if (o.best_version === null) return <>—</>;
  const name = prompt ? `${prompt.name} ` : "";
  if (version.data?.change_note?.startsWith(`optimization ${o.id}`)) {
    return (
      <>
        new version <strong>{name}v{o.best_version}</strong> (not labelled)
      </>
    );
  }
  if (version.isSuccess) {
    return (
      <>
        nothing new: {name}v{o.best_version} already held the best prompt
      </>
    );
  }
  return (
    <>
      {name}v{o.best_version}
    </>
  );
}

/** Accepting the winner = pointing a label (production by default) at its version, through
 *  the prompts API; or open the version on the prompt's page to review it first. */
function AcceptWinner({
  optimization: o,
  prompt,
  bestVersion,
}: {
  optimization: Optimization;
  prompt: Prompt | undefined;
  bestVersion: number;
}) {
  const queryClient = useQueryClient();
  const [label, setLabel] = useState("production");
  const accept = useMutation({
    mutationFn: () =>
      api.put<PromptLabel>(
        `/prompts/${encodeURIComponent(o.prompt_id)}/labels/${encodeURIComponent(label)}`,
        { version: bestVersion },
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["prompt", o.prompt_id] }),
  });
  const current = prompt?.labels[label];
  const href = `/prompts/view/?id=${encodeURIComponent(o.prompt_id)}&version=${bestVersion}`;
  return (
    <div className="rounded-md border border-slate-200 p-3">
      <div className="flex flex-wrap items-end gap-3">
        <div className="w-48">
          <Label htmlFor="accept-label">Label</Label>
          <Input
            id="accept-label"
            value={label}
            onChange={(e) => {
              setLabel(e.target.value);
              accept.reset();
            }}
            pattern="[a-z0-9][a-z0-9._\-]{0,63}"
          />
        </div>
        <Button onClick={() => accept.mutate()} disabled={!label || accept.isPending}>
          {accept.isPending ? "Accepting…" : "Accept winner"}
        </Button>
        <Link
          href={href}
          className="inline-flex h-9 items-center rounded-md border border-slate-300 bg-white px-4 text-sm font-medium hover:bg-slate-100"
        >
          Open winning version
        </Link>
      </div>
      <p className="mt-2 text-xs text-slate-500">
        Accept winner points the label at v{bestVersion}
        {current !== undefined ? ` (it points at v${current} now)` : ""}.
      </p>
      {accept.isSuccess && (
        <p role="status" className="mt-2 text-sm text-green-700">
          Label {accept.data.label} now points at v{accept.data.version}.
        </p>
      )}
      <ErrorMessage error={accept.error} />
    </div>
  );
}

function DiffToggle({ original, modified }: { original: string; modified: string }) {
  const [open, setOpen] = useState(false);
  if (original === modified) return <p className="text-sm text-slate-500">The best prompt is the starting prompt.</p>;
  return (
    <div>
      <Button variant="outline" size="sm" onClick={() => setOpen((v) => !v)} aria-expanded={open}>
        {open ? "Hide the diff" : "Compare with the starting prompt"}
      </Button>
      {open && (
        <div className="mt-3">
          <TemplateDiff original={original} modified={modified} />
        </div>
      )}
    </div>
  );
}
