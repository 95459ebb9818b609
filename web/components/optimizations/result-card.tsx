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
import { cn, formatScore, formatUsd } from "@/lib/utils";

import { stopReasonText } from "./history";

/** A completed run: what it gained, what it spent, why it stopped, where the winner went. */
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
        <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-3">
          <Fact term="Validation: baseline → best">
            {formatScore(o.baseline_val)} → <strong>{formatScore(o.best_val)}</strong>
          </Fact>
          <Fact term="Improvement (validation)">
            <Improvement value={o.improvement} />
          </Fact>
          <Fact term="Train: baseline → best">
            {formatScore(o.baseline_train)} → {formatScore(o.best_train)}
          </Fact>
          {o.best_test !== null && <Fact term="Test (best prompt)">{formatScore(o.best_test)}</Fact>}
          <Fact term="Calls">
            {o.calls_used}
            {o.budget.calls ? ` of ${o.budget.calls}` : ""} ({o.cache_hits} cached)
          </Fact>
          <Fact term="Cost">{formatUsd(o.cost_usd)}</Fact>
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

function Improvement({ value }: { value: number | null }) {
  if (value === null) return <>—</>;
  const sign = value > 0 ? "+" : "";
  return (
    <strong className={cn(value > 0 ? "text-green-700" : value < 0 ? "text-red-700" : "text-slate-700")}>
      {sign}
      {value.toFixed(3)}
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
