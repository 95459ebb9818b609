"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";

import { ErrorMessage, PageTitle } from "@/components/feedback";
import { useMe } from "@/components/identity/me";
import { Badge, StatusBadge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Select } from "@/components/ui/input";
import { api } from "@/lib/api";
import {
  type Prompt,
  STATUS_TRANSITIONS,
  type TargetStatus,
  VISIBILITY_TEXT,
  type Visibility,
} from "@/lib/types/prompts";
import { formatDate } from "@/lib/utils";

import { useRefreshPromptOnly, useRefreshPrompts } from "./queries";

const TRANSITION_TEXT: Record<TargetStatus, string> = { active: "Activate", archived: "Archive" };

/** Deleting hides the prompt and can be undone, so a second click confirms instead of a dialog. */
function DeleteButton({ onDelete, pending }: { onDelete: () => void; pending: boolean }) {
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <Button variant="outline" onClick={() => setConfirming(true)}>
        Delete
      </Button>
    );
  }
  return (
    <>
      <Button variant="destructive" onClick={onDelete} disabled={pending}>
        Yes, delete
      </Button>
      <Button variant="ghost" onClick={() => setConfirming(false)}>
        Keep it
      </Button>
    </>
  );
}

/** Name, status and lifecycle actions: status transitions, delete and restore. */
export function PromptHeader({ prompt }: { prompt: Prompt }) {
  const refresh = useRefreshPrompts();
  const refreshPrompt = useRefreshPromptOnly();
  const path = `/prompts/${encodeURIComponent(prompt.id)}`;
  const action = useMutation({
    mutationFn: (act: { kind: "status"; status: TargetStatus } | { kind: "delete" } | { kind: "restore" }) =>
      act.kind === "status"
        ? api.post(`${path}/status`, { status: act.status })
        : act.kind === "delete"
          ? api.delete(path)
          : api.post(`${path}/restore`),
    onSuccess: (_, act) => (act.kind === "status" ? refresh() : refreshPrompt(prompt.id)),
  });
  const deleted = prompt.deleted_at !== null;
  const me = useMe();
  // Another project's prompt, shared with this one: it can be read here, not changed.
  const foreign = me.data !== undefined && prompt.project_id !== me.data.project_id;
  const visibility = useMutation({
    mutationFn: (value: Visibility) => api.patch(path, { visibility: value, base_version: prompt.version }),
    onSuccess: () => refreshPrompt(prompt.id),
  });

  const actions = foreign ? (
    <Badge>read-only: shared from another project</Badge>
  ) : deleted ? (
    <Button onClick={() => action.mutate({ kind: "restore" })} disabled={action.isPending}>
      Restore
    </Button>
  ) : (
    <>
      {STATUS_TRANSITIONS[prompt.status].map((status) => (
        <Button key={status} variant="outline" onClick={() => action.mutate({ kind: "status", status })} disabled={action.isPending}>
          {TRANSITION_TEXT[status]}
        </Button>
      ))}
      <DeleteButton onDelete={() => action.mutate({ kind: "delete" })} pending={action.isPending} />
    </>
  );

  return (
    <header className="mb-6">
      <PageTitle actions={actions}>{prompt.name}</PageTitle>
      <div className="-mt-4 flex flex-wrap items-center gap-2 text-sm text-slate-600">
        <span>{prompt.title}</span>
        <StatusBadge status={prompt.status} />
        <span className="tabular-nums">latest v{prompt.version}</span>
        {prompt.tags.map((t) => (
          <Badge key={t}>{t}</Badge>
        ))}
        <span className="text-slate-400">updated {formatDate(prompt.updated_at)}</span>
        <Link href={`/prompts/genome/?id=${encodeURIComponent(prompt.id)}`} className="underline">
          Style genome
        </Link>
        <label htmlFor="visibility" className="sr-only">
          Visibility
        </label>
        <Select
          id="visibility"
          className="h-7 w-auto text-xs"
          value={prompt.visibility}
          onChange={(e) => visibility.mutate(e.target.value as Visibility)}
          disabled={foreign || deleted || visibility.isPending}
        >
          {(Object.keys(VISIBILITY_TEXT) as Visibility[]).map((v) => (
            <option key={v} value={v}>
              {VISIBILITY_TEXT[v]}
            </option>
          ))}
        </Select>
      </div>
      {deleted && (
        <p className="mt-3 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          This prompt was deleted on {formatDate(prompt.deleted_at)}. Restore it to edit, label or run it.
        </p>
      )}
      <div className="mt-3">
        <ErrorMessage error={action.error ?? visibility.error} />
      </div>
    </header>
  );
}
